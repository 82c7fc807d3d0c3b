"""Build the gallery: find scripts, reuse cached outputs or run the scripts, render the pages.

    project.py   what the gallery holds (sections, examples)
    parse.py     a script's title, intro and cells
    cache.py     outputs kept from earlier builds
    workers.py   running scripts in isolated processes (execute.py + capture.py inside them)
    render.py    Markdown pages and their files

`build_gallery` returns the files to publish and a report; it never raises for a bad script.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import cache as cache_mod
from .embedded_models import ensure_embedded_models
from .execute import Job, ScriptFailure, outputs_of, read_result
from .parse import ParsedScript, ScriptError, parse_script
from .project import Example, Gallery
from .render import Files, render_gallery
from .results import ExampleResult, Status
from .settings import GallerySettings, Settings, SettingsError, load_settings
from .workers import RunOutcome, run_all, start_warming

MODEL_SETTINGS = ("GALLERY_BERT_MODEL", "GALLERY_DECODER_MODEL", "HF_HUB_OFFLINE")


@dataclass(frozen=True)
class BuildOptions:
    project_root: Path
    source_dir: Path
    cache_dir: Path
    hf_cache: Path
    parallel: int = 2
    timeout: float = 300.0
    memory_limit: int | None = None

    @classmethod
    def for_project(cls, root: Path, source_dir: Path | None = None) -> "BuildOptions":
        """Options from the environment (documented in CONTRIBUTING.md): GALLERY_JOBS, GALLERY_TIMEOUT,
        GALLERY_MEMORY_GB, GALLERY_CACHE (outputs) and GALLERY_HF_CACHE (model files)."""
        root = root.resolve()
        memory_gb = float(os.environ.get("GALLERY_MEMORY_GB", "8"))
        return cls(
            project_root=root,
            source_dir=(source_dir or root / "gallery_src").resolve(),
            cache_dir=Path(os.environ.get("GALLERY_CACHE", root / ".cache" / "gallery")).resolve(),
            hf_cache=Path(os.environ.get("GALLERY_HF_CACHE", root / ".cache" / "huggingface" / "hub")).resolve(),
            parallel=int(os.environ.get("GALLERY_JOBS", str(min(2, os.cpu_count() or 1)))),
            timeout=float(os.environ.get("GALLERY_TIMEOUT", "300")),
            memory_limit=int(memory_gb * 2**30) if memory_gb > 0 else None,
        )


@dataclass
class BuildReport:
    results: list[ExampleResult] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # gallery headers and settings that could not be read

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failures(self) -> list[ExampleResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        return (
            f"gallery: {self.count('ran')} ran, {self.count('cached')} cached, "
            f"{self.count('failed')} failed in {self.seconds:.1f} s"
            + (f", {len(self.errors)} header or settings errors" if self.errors else "")
        )


def log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_gallery(options: BuildOptions, log: Callable[[str], None] = log_to_stderr) -> tuple[Files, BuildReport]:
    started = time.perf_counter()
    _prepare_environment(options)
    ensure_embedded_models(options.hf_cache, log)
    store = cache_mod.ResultCache(options.cache_dir)
    store.sweep()
    gallery = Gallery.load(options.source_dir)
    errors = [f"{e.path.relative_to(options.project_root).as_posix()}:{e.line}: {e.message}" for e in gallery.header_errors()]
    try:
        settings = load_settings(options.project_root)
    except SettingsError as error:
        settings = Settings()
        errors.append(f"{error} (the build uses the default settings)")
    for message in errors:
        log(f"gallery: ERROR {message}")
    examples = [e for e in gallery.examples() if not _settings_for(settings, gallery, e).ignores(_relative(gallery, e))]
    results: dict[Path, ExampleResult] = {}
    jobs: list[tuple[Job, str, ExampleResult]] = []
    total = len(examples)

    def announce(result: ExampleResult) -> None:
        results[result.example.path] = result
        where = f"[{len(results)}/{total}]"
        if result.status == "failed":
            summary = result.failure.summary if result.failure else "failed"
            log(f"gallery: {where} FAILED {result.location}: {summary}")
        else:
            log(f"gallery: {where} {result.status:6} {result.display_path} ({result.duration:.1f} s)")
        for output in (o for cell in result.outputs for o in cell if o.overlaps):
            log(f"gallery: note: {result.display_path}: {output.file}: labels collide: {'; '.join(output.overlaps)}")

    model_settings = {name: os.environ.get(name, "") for name in MODEL_SETTINGS}
    expected: dict[Path, bool] = {}
    for example in examples:
        display = example.path.relative_to(options.project_root).as_posix()
        source = example.path.read_bytes()
        config = _settings_for(settings, gallery, example)
        try:
            parsed = parse_script(example.path, source.decode("utf-8"))
        except (ScriptError, UnicodeDecodeError) as error:
            announce(_parse_failure(example, display, error, config.expects_failure(_relative(gallery, example))))
            continue
        if parsed.markup == "rst" and example.section.markup != "rst":
            # An underlined title is also Markdown (mkdocs-gallery's scripts use it): the prose is reST
            # only in a section whose header is reST (sphinx-gallery's GALLERY_HEADER.rst, README.txt).
            parsed = dataclasses.replace(parsed, markup="markdown")
        expected[example.path] = bool(parsed.settings.get("expect_failure", False)) or config.expects_failure(
            _relative(gallery, example)
        )
        if parsed.syntax_error is not None or not config.runs(_relative(gallery, example)):
            announce(_not_run(example, display, parsed, expected[example.path]))
            continue
        vendor_href = "../" * (example.section.depth + 1) + "_vendor/"
        capture = {"capture_repr": config.capture_repr, "ignore_repr_types": config.ignore_repr_types}
        key = cache_mod.static_key(source, {**model_settings, "vendor_href": vendor_href, "capture": repr(capture)})
        hit = store.lookup(key)
        if hit is not None:
            announce(_from_result(example, display, parsed, read_result(hit), hit, "cached"))
            continue
        job = Job(
            script=example.path,
            display_name=display,
            title=parsed.title.replace("``", "`").replace("`", ""),  # plain text: view titles, title cards
            cells=parsed.cells,
            out_dir=store.staging_dir(),
            project_root=options.project_root,
            env=dict(os.environ),  # the forkserver may be older than this build's settings
            timeout=float(parsed.settings.get("timeout", config.timeout or options.timeout)),
            threads=max(1, (os.cpu_count() or 1) // max(1, options.parallel)),
            memory_limit=options.memory_limit,
            thumbnail=int(parsed.settings.get("thumbnail_number", 1)),
            thumbnail_panel=int(parsed.settings.get("thumbnail_panel", 0)),
            thumbnail_path=_thumbnail_path(example, parsed),
            capture_repr=config.capture_repr,
            ignore_repr_types=config.ignore_repr_types,
            vendor_href=vendor_href,
        )
        if not jobs:
            start_warming()  # the forkserver's imports overlap with the remaining cache look-ups
        jobs.append((job, key, ExampleResult(example, display, "ran", parsed)))

    pending = {job.out_dir: (key, stub) for job, key, stub in jobs}
    leftovers: list[Path] = []

    def finished(outcome: RunOutcome) -> None:
        key, stub = pending[outcome.job.out_dir]
        result = _from_outcome(stub, outcome, expected[stub.example.path])
        if result.status != "failed" and outcome.result is not None:
            result.files_dir = store.store(key, outcome.job.out_dir, outcome.result)
        else:
            leftovers.append(outcome.job.out_dir)
        announce(result)

    if jobs:
        log(f"gallery: running {len(jobs)} of {total} scripts, {options.parallel} at a time")
        run_all([job for job, _, _ in jobs], options.parallel, finished)

    ordered = [results[e.path] for e in examples]
    files = render_gallery(gallery, ordered, show_times="SOURCE_DATE_EPOCH" not in os.environ)
    for folder in leftovers:  # failed runs: rendered above, never cached
        shutil.rmtree(folder, ignore_errors=True)
    report = BuildReport(ordered, time.perf_counter() - started, errors)
    log(report.summary())
    return files, report


def _prepare_environment(options: BuildOptions) -> None:
    """Settings every worker inherits. Set before the forkserver starts: libraries read them on import."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["HF_HUB_CACHE"] = str(options.hf_cache)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["IPYTHONDIR"] = str(options.cache_dir / "ipython")


def _relative(gallery: Gallery, example: Example) -> str:
    return example.path.relative_to(gallery.root).as_posix()


def _settings_for(settings: Settings, gallery: Gallery, example: Example) -> GallerySettings:
    return settings.for_section(example.section.path.relative_to(gallery.root).as_posix())


def _thumbnail_path(example: Example, parsed: ParsedScript) -> str:
    """An image file given as the card's thumbnail (`thumbnail_path`, relative to the script's folder)."""
    value = parsed.settings.get("thumbnail_path")
    if not value:
        return ""
    candidate = (example.path.parent / str(value)).resolve()
    return str(candidate) if candidate.is_file() else ""


def _not_run(example: Example, display: str, parsed: ParsedScript, expect_failure: bool) -> ExampleResult:
    """A script shown as code: it does not match filename_pattern, or Python cannot parse it."""
    problem = parsed.syntax_error
    if problem is None:
        return ExampleResult(example, display, "shown", parsed)
    failure = ScriptFailure(problem.line, problem.summary, problem.text)
    status: Status = "shown" if expect_failure else "failed"
    return ExampleResult(example, display, status, parsed, failure=failure, expected_failure=expect_failure)


def _parse_failure(example: Example, display: str, error: Exception, expect_failure: bool = False) -> ExampleResult:
    if isinstance(error, ScriptError):
        failure = ScriptFailure(error.line, error.message, "")
    else:
        failure = ScriptFailure(1, f"the file is not UTF-8 text: {error}", "")
    status: Status = "shown" if expect_failure else "failed"
    return ExampleResult(example, display, status, failure=failure, expected_failure=expect_failure)


def _from_result(
    example: Example, display: str, parsed: ParsedScript, result: dict, files_dir: Path, status: Status
) -> ExampleResult:
    failure = result.get("failure")
    return ExampleResult(
        example,
        display,
        status,
        parsed,
        outputs=outputs_of(result),
        files_dir=files_dir,
        failure=ScriptFailure(**failure) if failure else None,
        expected_failure=bool(failure),
        duration=result.get("duration", 0.0),
        computed_at=result.get("computed_at", 0),
        provenance=result.get("provenance", {}),
    )


def _from_outcome(stub: ExampleResult, outcome: RunOutcome, expect_failure: bool) -> ExampleResult:
    """Decide whether a finished run counts as a success, given whether the script is expected to fail."""
    result = outcome.result
    failure = outcome.failure
    status = "ran"
    if failure is not None and not expect_failure:
        status = "failed"
    if failure is None and expect_failure:
        status = "failed"
        failure = ScriptFailure(1, "the script is marked expect_failure but ran without an error", "")
    return ExampleResult(
        stub.example,
        stub.display_path,
        status,  # type: ignore[arg-type]
        stub.parsed,
        outputs=outputs_of(result) if result else [],
        files_dir=outcome.job.out_dir,
        failure=failure,
        expected_failure=expect_failure and outcome.failure is not None,
        duration=result.get("duration", outcome.wall_time) if result else outcome.wall_time,
        computed_at=result.get("computed_at", 0) if result else 0,
        provenance=result.get("provenance", {}) if result else {},
    )
