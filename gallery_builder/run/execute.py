"""Execute one gallery script, cell by cell, inside a worker process.

`run_job` is the entry point of each worker process (see workers.py). It runs every code cell of
the script in one namespace, as a notebook would, with the script's own file name on every code
object, so that tracebacks point at the script's lines. It writes the outputs and a
``result.json`` into the job's output folder; the parent process reads nothing else.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import faulthandler
import inspect
import os
import random
import resource
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture import thumbnails
from ..capture.capture import CellCapture, Output, install_display_hook, last_value_bundle
from ..sources.parse import Cell
from ..views import standalone
from ..views.layout import VIEW_VENDOR_HREF
from . import provenance
from .deps import DependencyRecorder
from .record import Dependencies, Provenance, RunRecord, ScriptFailure

TIMEOUT_FILE = "timeout.txt"  # thread stacks dumped by faulthandler when the script hangs
PROGRESS_FILE = "progress.txt"  # first line of the cell being run, for a worker that dies
SEED = 0
GENERATOR_DIR = str(Path(__file__).resolve().parents[1]) + os.sep


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run one script; picklable."""

    script: Path  # absolute path
    display_name: str  # the script's path relative to the project, used in messages
    title: str  # the example's title, for its views' <title>
    cells: tuple[Cell, ...]
    out_dir: Path
    project_root: Path
    env: dict[str, str] = field(default_factory=dict)
    private_dirs: tuple[Path, ...] = ()  # folders the build owns (the output cache): never read as inputs
    timeout: float = 300.0
    threads: int = 1
    memory_limit: int | None = None  # bytes of address space, None for no limit
    thumbnail: int = 1  # which image (1-based) becomes the gallery card's thumbnail
    thumbnail_panel: int = 0  # which axes of that image (1-based) to crop to; 0 for the whole figure
    thumbnail_path: str = ""  # an image file to use as the thumbnail instead (absolute path)
    capture_repr: tuple[str, ...] | None = None  # None: show a cell's last value as a notebook does
    ignore_repr_types: str = ""  # with capture_repr: regex of type names whose value is not shown
    vendor_href: str = VIEW_VENDOR_HREF  # the vendored libraries, relative to the example's folder


def run_job(job: Job) -> None:
    """Worker-process entry point: run the script and write result.json. Never raises."""
    os.environ.update(job.env)
    _limit_resources(job)
    _seed_everything()
    redact = make_redactor(job.project_root)
    capture = CellCapture(job.out_dir, redact, panels=job.thumbnail_panel > 0, thumbnail=job.thumbnail)
    _prepare_libraries(job.threads, capture)
    shell = install_display_hook(capture)
    hf_cache = os.environ.get("HF_HUB_CACHE")
    recorder = DependencyRecorder(job.project_root, Path(hf_cache) if hf_cache else None, job.private_dirs)
    sys.addaudithook(recorder.hook)

    script_dir = str(job.script.parent)
    os.chdir(script_dir)
    sys.path.insert(0, script_dir)
    sys.argv = [str(job.script)]
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(job.script), "__builtins__": builtins}
    capture.namespace = namespace

    cell_outputs: list[list[Output]] = []
    failure: ScriptFailure | None = None
    started = time.perf_counter()
    recorder.active = True
    for cell in job.cells:
        if cell.kind != "code":
            continue
        (job.out_dir / PROGRESS_FILE).write_text(str(cell.line))
        failure = _run_cell(cell, job, namespace, capture, shell)
        outputs = capture.end_cell()
        failure = failure or _write_views(outputs, job, cell)
        cell_outputs.append(outputs)
        if failure is not None:
            failure.traceback = redact(failure.traceback)
            failure.summary = redact(failure.summary)
            break
    duration = time.perf_counter() - started
    recorder.active = False
    faulthandler.cancel_dump_traceback_later()
    if failure is None and not any(cell_outputs):
        failure = ScriptFailure(1, "the script produced no output: show a figure, print text or display a view", "")
    thumbnails.write_thumbnails(
        job.out_dir,
        [o for cell in cell_outputs for o in cell],
        job.thumbnail,
        job.thumbnail_panel,
        job.title,
        Path(job.thumbnail_path or "."),
    )

    deps = recorder.dependencies(list(sys.modules.values()))
    record = RunRecord(
        cells=cell_outputs,
        failure=failure,
        duration=round(duration, 2),
        computed_at=int(os.environ.get("SOURCE_DATE_EPOCH") or time.time()),
        deps=deps,
        provenance=_provenance(deps),
    )
    record.write(job.out_dir)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: atexit hooks of the script's libraries are not ours to run


def _run_cell(
    cell: Cell, job: Job, namespace: dict[str, Any], capture: CellCapture, shell: Any
) -> ScriptFailure | None:
    """Run one code cell; its last expression's value is shown (capture.py's rules). Top-level
    `await` works, as in a notebook: such a cell runs on the script's event loop."""
    try:
        with contextlib.redirect_stdout(capture.stdout), contextlib.redirect_stderr(capture.stderr):
            tree = ast.parse(cell.source, filename=str(job.script))
            ast.increment_lineno(tree, cell.line - 1)
            last_expr = None
            last = tree.body[-1] if tree.body else None
            if isinstance(last, ast.Expr):
                tree.body.pop()
                last_expr = ast.Expression(last.value)
            _await(eval(compile(tree, str(job.script), "exec", flags=TOP_LEVEL_AWAIT), namespace))
            if last_expr is not None:
                value = _await(eval(compile(last_expr, str(job.script), "eval", flags=TOP_LEVEL_AWAIT), namespace))
                bundle = last_value_bundle(shell, value, job.capture_repr, job.ignore_repr_types)
                if bundle:
                    capture.add_mime_bundle(bundle)
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are failures too
        capture.stdout.flush()
        capture.stderr.flush()
        return describe_failure(error, str(job.script), cell.line)
    finally:
        capture.stdout.flush()
        capture.stderr.flush()
    return None


TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _await(value: Any) -> Any:
    """A cell compiled with top-level `await` returns a coroutine: run it to the end."""
    if not inspect.iscoroutine(value):
        return value
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(value)


def _write_views(outputs: list[Output], job: Job, cell: Cell) -> ScriptFailure | None:
    """Turn each HTML output into a standalone view document that works offline (views/standalone.py)."""
    for output in outputs:
        if output.kind != "html":
            continue
        number = len(list(job.out_dir.glob("view-*.html"))) + 1
        try:
            document = standalone.standalone_view(
                output.text, title=job.title, vendor_href=job.vendor_href, view_id=f"view-{number}"
            )
        except standalone.ViewError as error:
            return ScriptFailure(cell.line, f"ViewError: {error}", "")
        output.file = f"view-{number}.html"
        output.text = ""
        (job.out_dir / output.file).write_text(document.rstrip() + "\n", encoding="utf-8")
    return None


def describe_failure(error: BaseException, script: str, fallback_line: int) -> ScriptFailure:
    """Summarise an exception from the script, keeping only frames from the script onwards."""
    frames = traceback.extract_tb(error.__traceback__)
    first = next((i for i, f in enumerate(frames) if f.filename == script), 0)
    own = [f for f in frames if f.filename == script]
    line = own[-1].lineno if own and own[-1].lineno else fallback_line
    if isinstance(error, SyntaxError) and error.filename == script and error.lineno:
        line = error.lineno  # compiling the cell failed: no frame, the error has the line
    # The reader sees the script's frames and the libraries' below them, never this generator's
    # (e.g. plt.show() saving figures, or the event loop of a cell with top-level await).
    shown = [f for f in frames[first:] if not f.filename.startswith(GENERATOR_DIR)]
    if isinstance(error, SystemExit):
        summary = f"SystemExit: the script called sys.exit({error.code!r})"
    else:
        summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    trimmed = traceback.TracebackException(type(error), error, error.__traceback__)
    trimmed.stack = traceback.StackSummary.from_list(shown)
    return ScriptFailure(line=line, summary=summary, traceback="".join(trimmed.format()).rstrip())


def make_redactor(project_root: Path) -> Callable[[str], str]:
    """Replace machine-specific paths with neutral names: no build-machine path reaches a page."""
    import site
    import tempfile

    replacements: list[tuple[str, str]] = []
    for path in [*site.getsitepackages(), site.getusersitepackages()]:
        replacements.append((path, "site-packages"))
    hf_cache = os.environ.get("HF_HUB_CACHE")
    if hf_cache:
        replacements.append((str(Path(hf_cache).resolve()), "~/.cache/huggingface/hub"))
        replacements.append((hf_cache, "~/.cache/huggingface/hub"))
    replacements += [
        (str(project_root) + os.sep, ""),
        (str(project_root), "."),
        (sys.base_prefix, "python"),
        (sys.prefix, "python"),
        (tempfile.gettempdir(), "tmp"),
        (str(Path.home()), "~"),
    ]
    replacements.sort(key=lambda pair: len(pair[0]), reverse=True)

    def redact(text: str) -> str:
        for old, new in replacements:
            if old and old in text:
                text = text.replace(old, new)
        return text

    return redact


def _limit_resources(job: Job) -> None:
    job.out_dir.mkdir(parents=True, exist_ok=True)
    if job.memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (job.memory_limit, job.memory_limit))
    # On a hang, dump every thread's stack (the script's line included) and exit.
    stack_file = open(job.out_dir / TIMEOUT_FILE, "w")  # noqa: SIM115 - must outlive this function
    faulthandler.dump_traceback_later(job.timeout, exit=True, file=stack_file)


def _seed_everything() -> None:
    random.seed(SEED)
    import numpy
    import torch

    numpy.random.seed(SEED)
    torch.manual_seed(SEED)


def _prepare_libraries(threads: int, capture: CellCapture) -> None:
    """Non-interactive plotting, quiet Hugging Face loading, a fair share of the CPU."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.show = lambda *args, **kwargs: capture.save_open_figures()
    import torch
    import transformers
    from huggingface_hub.utils.tqdm import disable_progress_bars

    torch.set_num_threads(max(1, threads))
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    disable_progress_bars()


def _provenance(deps: Dependencies) -> Provenance:
    hf_cache = Path(os.environ.get("HF_HUB_CACHE", "."))
    snapshots = [str(hf_cache / name) for name in deps.models]  # absolute names stay as they are
    return Provenance(provenance.model_records(snapshots), provenance.library_versions())
