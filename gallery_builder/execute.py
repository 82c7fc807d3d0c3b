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
import json
import os
import random
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import provenance, thumbnails, views
from .capture import CellCapture, Output, install_display_hook, last_value_bundle
from .parse import Cell

RESULT_FILE = "result.json"
TIMEOUT_FILE = "timeout.txt"  # thread stacks dumped by faulthandler when the script hangs
PROGRESS_FILE = "progress.txt"  # first line of the cell being run, for a worker that dies
SEED = 0
# Views live in gallery/<section>/<example>/; the vendored libraries in gallery/_vendor/.
VIEW_VENDOR_HREF = "../../_vendor/"
GENERATOR_DIR = str(Path(__file__).resolve().parent) + os.sep


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
    timeout: float = 300.0
    threads: int = 1
    memory_limit: int | None = None  # bytes of address space, None for no limit
    thumbnail: int = 1  # which image (1-based) becomes the gallery card's thumbnail
    thumbnail_panel: int = 0  # which axes of that image (1-based) to crop to; 0 for the whole figure
    thumbnail_path: str = ""  # an image file to use as the thumbnail instead (absolute path)
    capture_repr: tuple[str, ...] | None = None  # None: show a cell's last value as a notebook does
    ignore_repr_types: str = ""  # with capture_repr: regex of type names whose value is not shown
    vendor_href: str = VIEW_VENDOR_HREF  # the vendored libraries, relative to the example's folder


@dataclass
class ScriptFailure:
    """Why a script failed, pointing at the script's own line."""

    line: int
    summary: str  # e.g. "ZeroDivisionError: division by zero"
    traceback: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "summary": self.summary, "traceback": self.traceback}


def run_job(job: Job) -> None:
    """Worker-process entry point: run the script and write result.json. Never raises."""
    os.environ.update(job.env)
    _limit_resources(job)
    _seed_everything()
    redact = make_redactor(job.project_root)
    capture = CellCapture(job.out_dir, redact)
    _prepare_libraries(job.threads, capture)
    shell = install_display_hook(capture)
    loaded_files: set[str] = set()
    sys.addaudithook(_record_opens(loaded_files))

    script_dir = str(job.script.parent)
    os.chdir(script_dir)
    sys.path.insert(0, script_dir)
    sys.argv = [str(job.script)]
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(job.script), "__builtins__": builtins}
    capture.namespace = namespace

    cell_outputs: list[list[dict[str, Any]]] = []
    shown: list[Output] = []
    failure: ScriptFailure | None = None
    started = time.perf_counter()
    for cell in job.cells:
        if cell.kind != "code":
            continue
        (job.out_dir / PROGRESS_FILE).write_text(str(cell.line))
        failure = _run_cell(cell, job, namespace, capture, shell)
        outputs = capture.end_cell()
        failure = failure or _write_views(outputs, job, cell)
        cell_outputs.append([o.to_json() for o in outputs])
        shown += outputs
        if failure is not None:
            failure.traceback = redact(failure.traceback)
            failure.summary = redact(failure.summary)
            break
    duration = time.perf_counter() - started
    faulthandler.cancel_dump_traceback_later()
    if failure is None and not any(cell_outputs):
        failure = ScriptFailure(1, "the script produced no output: show a figure, print text or display a view", "")
    thumbnails.write_thumbnails(
        job.out_dir, shown, job.thumbnail, job.thumbnail_panel, job.title, Path(job.thumbnail_path or ".")
    )

    deps = _dependencies(job.project_root, loaded_files)
    result = {
        "cells": cell_outputs,
        "computed_at": int(os.environ.get("SOURCE_DATE_EPOCH") or time.time()),
        "duration": round(duration, 2),
        "failure": failure.to_json() if failure else None,
        "deps": deps,
        "provenance": {"models": provenance.model_records(deps["models"]), "versions": provenance.library_versions()},
    }
    _write_json(job.out_dir / RESULT_FILE, result)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: atexit hooks of the script's libraries are not ours to run


def _run_cell(cell: Cell, job: Job, namespace: dict[str, Any], capture: CellCapture, shell) -> ScriptFailure | None:
    """Run one code cell; its last expression's value is shown (capture.py's rules). Top-level
    `await` works, as in a notebook: such a cell runs on the script's event loop."""
    try:
        with contextlib.redirect_stdout(capture.stdout), contextlib.redirect_stderr(capture.stderr):
            tree = ast.parse(cell.source, filename=str(job.script))
            ast.increment_lineno(tree, cell.line - 1)
            last_expr = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last_expr = ast.Expression(tree.body.pop().value)
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
    """Turn each HTML output into a standalone view document that works offline (views.py)."""
    for output in outputs:
        if output.kind != "html":
            continue
        number = len(list(job.out_dir.glob("view-*.html"))) + 1
        try:
            document = views.standalone_view(
                output.text, title=job.title, vendor_href=job.vendor_href, view_id=f"view-{number}"
            )
        except views.ViewError as error:
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
    frames = [f for f in frames[first:] if not f.filename.startswith(GENERATOR_DIR)]
    if isinstance(error, SystemExit):
        summary = f"SystemExit: the script called sys.exit({error.code!r})"
    else:
        summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    trimmed = traceback.TracebackException(type(error), error, error.__traceback__)
    trimmed.stack = traceback.StackSummary.from_list(frames)
    return ScriptFailure(line=line, summary=summary, traceback="".join(trimmed.format()).rstrip())


def make_redactor(project_root: Path):
    """Replace machine-specific paths with neutral names: no build-machine path reaches a page."""
    import site
    import tempfile

    replacements: list[tuple[str, str]] = []
    for path in site.getsitepackages() + [site.getusersitepackages()]:
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
    import huggingface_hub.utils
    import torch
    import transformers

    torch.set_num_threads(max(1, threads))
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    huggingface_hub.utils.disable_progress_bars()


def _record_opens(seen: set[str]):
    def hook(event: str, args: tuple) -> None:
        if event == "open" and args and isinstance(args[0], (str, os.PathLike)):
            seen.add(os.fspath(args[0]))

    return hook


def _dependencies(project_root: Path, opened: set[str]) -> dict[str, list[str]]:
    """Files the outputs depend on besides the script: local modules and model snapshots."""
    root = str(project_root) + os.sep
    venv = sys.prefix + os.sep
    modules = sorted(
        {
            os.path.realpath(m.__file__)
            for m in list(sys.modules.values())
            if getattr(m, "__file__", None) and m.__file__.startswith(root) and not m.__file__.startswith(venv)
        }
    )
    modules = [m for m in modules if "/gallery_builder/" not in m]
    snapshots: set[str] = set()
    for path in opened:
        parts = Path(path).parts
        if "snapshots" in parts:
            i = parts.index("snapshots")
            if i > 0 and parts[i - 1].startswith("models--") and i + 1 < len(parts):
                snapshots.add(str(Path(*parts[: i + 2])))
    return {"modules": modules, "models": sorted(snapshots)}


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def read_result(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / RESULT_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())


def outputs_of(result: dict[str, Any]) -> list[list[Output]]:
    return [[Output.from_json(o) for o in cell] for cell in result["cells"]]
