"""Build the gallery in three phases: plan, run, render.

    plan     find the scripts, parse them, compute their cache keys, find usable cached entries
    run      run the scripts that have none in worker processes; cache the outputs of successes
    render   Markdown pages and the files they show, for every example

The sub-packages, in the order a build uses them (each imports only those above it):

    sources/   what the gallery holds: sections, examples, settings, each script's cells
    views/     interactive HTML views as standalone offline documents, and where files go
    capture/   what a cell shows, as files: text, reprs, figures and their dark variants
    run/       scripts run in isolated worker processes; what each run produced and read
    cache/     keys, the entries kept between builds, and split builds
    page/      Markdown pages, their files and the downloads

and at the top, the entry points: this module, site.py (mkdocs-gen-files), cli.py and
mkdocs_hooks.py (`mkdocs serve`).

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

from .cache import environment, shard
from .cache.keys import KeyInputs, file_digest, static_key
from .cache.store import ResultCache
from .page.render import Files, render_gallery
from .run.embedded_models import ensure_embedded_models
from .run.execute import Job
from .run.record import Provenance, RunRecord, ScriptFailure
from .run.results import ExampleResult, Status
from .run.workers import RunOutcome, run_all, start_warming
from .sources.parse import ParsedScript, ScriptError, parse_script
from .sources.project import Example, Gallery
from .sources.settings import GallerySettings, Settings, SettingsError, load_settings
from .views.layout import view_vendor_href

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    project_root: Path
    source_dir: Path
    cache_dir: Path
    hf_cache: Path
    parallel: int = 2
    timeout: float = 300.0
    memory_limit: int | None = None
    require_cached: bool = False  # run nothing: a script without a usable entry fails

    @classmethod
    def for_project(cls, root: Path, source_dir: Path | None = None) -> BuildOptions:
        """Options from the build settings in the environment (environment.BUILD_SETTINGS)."""
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
            require_cached=environment.flag("GALLERY_REQUIRE_CACHED"),
        )


@dataclass
class BuildReport:
    results: list[ExampleResult] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # gallery headers and settings that could not be read

    def count(self, status: Status) -> int:
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


@dataclass(frozen=True)
class ScriptRun:
    """A script the plan found no usable cached entry for."""

    example: Example
    display_path: str
    parsed: ParsedScript
    key: str
    config: GallerySettings  # its section's [tool.gallery] settings
    expect_failure: bool  # its error is the point (a script comment or expected_failures)


@dataclass(frozen=True)
class BuildPlan:
    gallery: Gallery
    examples: list[Example]  # in gallery order, without the ignored ones
    ready: dict[Path, ExampleResult]  # cached, shown as code or failed to parse: nothing to run
    to_run: list[ScriptRun]
    errors: list[str]  # gallery headers and settings that could not be read

    def share(self, names: set[str], project_root: Path) -> BuildPlan:
        """The part of the plan for the scripts named (paths relative to the project root)."""
        mine = [e for e in self.examples if _display(e, project_root) in names]
        paths = {e.path for e in mine}
        ready = {path: result for path, result in self.ready.items() if path in paths}
        to_run = [r for r in self.to_run if r.example.path in paths]
        return BuildPlan(self.gallery, mine, ready, to_run, self.errors)


class Progress:
    """One line per finished example: `gallery: [3/12] ran gallery_src/... (1.2 s)`."""

    def __init__(self, total: int, log: Log) -> None:
        self.total = total
        self.log = log
        self.done = 0

    def show(self, result: ExampleResult) -> None:
        self.done += 1
        where = f"[{self.done}/{self.total}]"
        if result.status == "failed":
            summary = result.failure.summary if result.failure else "failed"
            self.log(f"gallery: {where} FAILED {result.location}: {summary}")
        else:
            self.log(f"gallery: {where} {result.status:6} {result.display_path} ({result.duration:.1f} s)")
        for output in (o for cell in result.outputs for o in cell if o.overlaps):
            collisions = "; ".join(output.overlaps)
            self.log(f"gallery: note: {result.display_path}: {output.file}: labels collide: {collisions}")


def log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the builds -------------------------------------------------------------------------------

def build_gallery(options: BuildOptions, log: Log = log_to_stderr) -> tuple[Files, BuildReport]:
    """Plan, run and render the whole gallery."""
    started = time.perf_counter()
    store = open_cache(options, log)
    plan = plan_build(options, store, warm=not options.require_cached, log=log)
    results = run_plan(plan, options, store, log)
    files = render_gallery(plan.gallery, results, show_times="SOURCE_DATE_EPOCH" not in os.environ)
    discard_failed_runs(results, store)
    shard.save_run_times(options.cache_dir, results)
    report = BuildReport(results, time.perf_counter() - started, plan.errors)
    log(report.summary())
    return files, report


def build_shard(options: BuildOptions, part: shard.Shard, log: Log = log_to_stderr) -> BuildReport:
    """Run one shard's share of the scripts into the cache; render nothing (see shard.py)."""
    started = time.perf_counter()
    store = open_cache(options, log)
    plan = plan_build(options, store, warm=False, log=log)
    names = [_display(e, options.project_root) for e in plan.examples]
    mine = shard.assign(names, shard.load_run_times(options.cache_dir), part.count)[part.index - 1]
    share = plan.share(set(mine), options.project_root)
    log(f"gallery: shard {part}: {len(share.examples)} of {len(plan.examples)} scripts")
    results = run_plan(share, options, store, log)
    discard_failed_runs(results, store)
    report = BuildReport(results, time.perf_counter() - started, share.errors)
    log(report.summary())
    return report


# -- phase 1: plan ----------------------------------------------------------------------------

def open_cache(options: BuildOptions, log: Log) -> ResultCache:
    """Settings for the workers, the embedded models, the output cache: what every phase needs."""
    environment.prepare_environment(os.environ, options.hf_cache, options.cache_dir)
    ensure_embedded_models(options.hf_cache, log)
    store = ResultCache(options.cache_dir, options.project_root, options.hf_cache)
    store.sweep()
    return store


def plan_build(options: BuildOptions, store: ResultCache, warm: bool = True, log: Log = log_to_stderr) -> BuildPlan:
    """Parse every script and look up its entry. `warm` starts the workers' imports as soon as
    one script needs running, so they overlap with the remaining look-ups."""
    gallery = Gallery.load(options.source_dir)
    errors = [f"{_display_path(e.path, options.project_root)}:{e.line}: {e.message}" for e in gallery.header_errors()]
    try:
        settings = load_settings(options.project_root)
    except SettingsError as error:
        settings = Settings()
        errors.append(f"{error} (the build uses the default settings)")
    for message in errors:
        log(f"gallery: ERROR {message}")
    examples = [e for e in gallery.examples() if not _settings_for(settings, gallery, e).ignores(_relative(gallery, e))]
    inputs = KeyInputs.current()
    ready: dict[Path, ExampleResult] = {}
    to_run: list[ScriptRun] = []
    for example in examples:
        config = _settings_for(settings, gallery, example)
        planned = plan_example(example, config, _relative(gallery, example), options.project_root, store, inputs)
        if isinstance(planned, ExampleResult):
            ready[example.path] = planned
            continue
        if warm and not to_run:
            start_warming()
        to_run.append(planned)
    return BuildPlan(gallery, examples, ready, to_run, errors)


def plan_example(
    example: Example, config: GallerySettings, relative: str, project_root: Path, store: ResultCache, inputs: KeyInputs
) -> ExampleResult | ScriptRun:
    """The cached result of one script, its result without running, or the run it needs.
    `relative` is its path under gallery_src/, as [tool.gallery] settings name scripts."""
    display = _display(example, project_root)
    source = example.path.read_bytes()
    try:
        parsed = parse_script(example.path, source.decode("utf-8"))
    except (ScriptError, UnicodeDecodeError) as error:
        return _parse_failure(example, display, error, config.expects_failure(relative))
    if parsed.markup == "rst" and example.section.markup != "rst":
        # An underlined title is also Markdown (mkdocs-gallery's scripts use it): the prose is reST
        # only in a section whose header is reST (sphinx-gallery's GALLERY_HEADER.rst, README.txt).
        parsed = dataclasses.replace(parsed, markup="markdown")
    expect_failure = bool(parsed.settings.get("expect_failure", False)) or config.expects_failure(relative)
    if parsed.syntax_error is not None or not config.runs(relative):
        return _not_run(example, display, parsed, expect_failure)
    key = static_key(display, source, inputs, job_settings(example, parsed, config))
    entry = store.lookup(key)
    if entry is None:
        return ScriptRun(example, display, parsed, key, config, expect_failure)
    return _from_record(example, display, parsed, entry.record, entry.folder, "cached")


def job_settings(example: Example, parsed: ParsedScript, config: GallerySettings) -> dict[str, str]:
    """What a Job carries that shapes outputs and is not in the script's source: part of its key."""
    thumbnail = _thumbnail_path(example, parsed)
    return {
        "capture_repr": repr(config.capture_repr),
        "ignore_repr_types": config.ignore_repr_types,
        "vendor_href": view_vendor_href(example.section.depth),
        "thumbnail_path": thumbnail,
        "thumbnail_file": file_digest(Path(thumbnail)) if thumbnail else "",
    }


# -- phase 2: run -----------------------------------------------------------------------------

def run_plan(plan: BuildPlan, options: BuildOptions, store: ResultCache, log: Log) -> list[ExampleResult]:
    """Results for every example of the plan, in gallery order: the ready ones, then the runs."""
    progress = Progress(len(plan.examples), log)
    results = dict(plan.ready)
    for result in plan.ready.values():
        progress.show(result)
    if options.require_cached:
        for run in plan.to_run:
            results[run.example.path] = _not_cached(run)
            progress.show(results[run.example.path])
    elif plan.to_run:
        log(f"gallery: running {len(plan.to_run)} of {len(plan.examples)} scripts, {options.parallel} at a time")
        order = shard.longest_first([r.display_path for r in plan.to_run], shard.load_run_times(options.cache_dir))
        to_run = sorted(plan.to_run, key=lambda r: order.index(r.display_path))
        jobs = [make_job(run, store.staging_dir(), options) for run in to_run]
        runs = {job.out_dir: run for job, run in zip(jobs, to_run, strict=True)}
        for outcome in run_all(jobs, options.parallel):
            result = finish_run(runs[outcome.job.out_dir], outcome, store)
            results[result.example.path] = result
            progress.show(result)
    return [results[e.path] for e in plan.examples]


def make_job(run: ScriptRun, out_dir: Path, options: BuildOptions) -> Job:
    """What a worker needs to run one script into `out_dir`."""
    return Job(
        script=run.example.path,
        display_name=run.display_path,
        title=run.parsed.title.replace("``", "`").replace("`", ""),  # plain text: view titles, title cards
        cells=run.parsed.cells,
        out_dir=out_dir,
        project_root=options.project_root,
        env=dict(os.environ),  # the forkserver may be older than this build's settings
        private_dirs=(options.cache_dir,),
        timeout=float(_setting(run.parsed, "timeout", run.config.timeout or options.timeout)),
        threads=max(1, (os.cpu_count() or 1) // max(1, options.parallel)),
        memory_limit=options.memory_limit,
        thumbnail=int(_setting(run.parsed, "thumbnail_number", 1)),
        thumbnail_panel=int(_setting(run.parsed, "thumbnail_panel", 0)),
        thumbnail_path=_thumbnail_path(run.example, run.parsed),
        capture_repr=run.config.capture_repr,
        ignore_repr_types=run.config.ignore_repr_types,
        vendor_href=view_vendor_href(run.example.section.depth),
    )


def finish_run(run: ScriptRun, outcome: RunOutcome, store: ResultCache) -> ExampleResult:
    """Decide whether a finished run counts as a success (expected failures included) and cache
    its outputs if so. A failed run's folder stays in staging until the pages are rendered."""
    expect_failure = run.expect_failure
    record = outcome.record
    failure = outcome.failure
    status: Status = "ran"
    if failure is not None and not expect_failure:
        status = "failed"
    if failure is None and expect_failure:
        status = "failed"
        failure = ScriptFailure(1, "the script is marked expect_failure but ran without an error", "")
    files_dir = outcome.job.out_dir
    if status != "failed" and record is not None:
        files_dir = store.store(run.key, outcome.job.out_dir, record)
    return ExampleResult(
        run.example,
        run.display_path,
        status,
        run.parsed,
        outputs=record.cells if record else [],
        files_dir=files_dir,
        failure=failure,
        expected_failure=expect_failure and outcome.failure is not None,
        duration=record.duration if record else outcome.wall_time,
        computed_at=record.computed_at if record else 0,
        provenance=record.provenance if record else Provenance(),
    )


def discard_failed_runs(results: list[ExampleResult], store: ResultCache) -> None:
    """Failed runs are shown on their pages but never cached: remove their folders."""
    for result in results:
        if result.status == "failed" and result.files_dir is not None and result.files_dir.parent == store.staging:
            shutil.rmtree(result.files_dir, ignore_errors=True)


# -- results ----------------------------------------------------------------------------------

def _display(example: Example, project_root: Path) -> str:
    return _display_path(example.path, project_root)


def _display_path(path: Path, project_root: Path) -> str:
    return path.relative_to(project_root).as_posix()


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


def _setting(parsed: ParsedScript, name: str, default: float) -> float:
    value = parsed.settings.get(name, default)
    return float(value) if isinstance(value, (int, float)) else default


def _parse_failure(example: Example, display: str, error: Exception, expect_failure: bool = False) -> ExampleResult:
    if isinstance(error, ScriptError):
        failure = ScriptFailure(error.line, error.message, "")
    else:
        failure = ScriptFailure(1, f"the file is not UTF-8 text: {error}", "")
    status: Status = "shown" if expect_failure else "failed"
    return ExampleResult(example, display, status, failure=failure, expected_failure=expect_failure)


def _not_cached(run: ScriptRun) -> ExampleResult:
    failure = ScriptFailure(
        1, "no cached outputs, and GALLERY_REQUIRE_CACHED forbids running scripts (did a shard not build it?)", ""
    )
    return ExampleResult(run.example, run.display_path, "failed", run.parsed, failure=failure)


def _from_record(
    example: Example, display: str, parsed: ParsedScript, record: RunRecord, files_dir: Path, status: Status
) -> ExampleResult:
    return ExampleResult(
        example,
        display,
        status,
        parsed,
        outputs=record.cells,
        files_dir=files_dir,
        failure=record.failure,
        expected_failure=record.failure is not None,
        duration=record.duration,
        computed_at=record.computed_at,
        provenance=record.provenance,
    )
