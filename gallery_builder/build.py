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
    live/      the models exported to ONNX for the reader's own text in the browser, and their page code
    page/      Markdown pages, their files and the downloads

and at the top, the build itself: options.py (its settings), plan.py (phase 1) and this module
(phases 2 and 3), with its entry points site.py (mkdocs-gen-files), cli.py and mkdocs_hooks.py
(`mkdocs serve`).

`build_gallery` returns the files to publish and a report; it never raises for a bad script.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import environment, shard
from .cache.store import ResultCache
from .live.publish import LiveFiles, live_enabled, publish_live
from .options import BuildOptions, Log, log_to_stderr
from .page.live_box import live_widget
from .page.render import Files, render_gallery
from .plan import BuildPlan, ScriptRun, display_name, plan_build, setting, thumbnail_path
from .run.embedded_models import ensure_embedded_models
from .run.execute import Job
from .run.record import Provenance, ScriptFailure
from .run.results import ExampleResult, Status
from .run.workers import RunOutcome, run_all
from .views.layout import view_vendor_href


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
    live = LiveFiles()
    if live_enabled():
        live = publish_live({w for r in results if (w := live_widget(r))}, store, log)
        files.update(live.files)
    report = BuildReport(results, time.perf_counter() - started, plan.errors + live.errors)
    log(report.summary())
    return files, report


def build_shard(options: BuildOptions, part: shard.Shard, log: Log = log_to_stderr) -> BuildReport:
    """Run one shard's share of the scripts into the cache; render nothing (see shard.py)."""
    started = time.perf_counter()
    store = open_cache(options, log)
    plan = plan_build(options, store, warm=False, log=log)
    names = [display_name(e, options.project_root) for e in plan.examples]
    mine = shard.assign(names, shard.load_run_times(options.cache_dir), part.count)[part.index - 1]
    share = plan.share(set(mine), options.project_root)
    log(f"gallery: shard {part}: {len(share.examples)} of {len(plan.examples)} scripts")
    results = run_plan(share, options, store, log)
    discard_failed_runs(results, store)
    report = BuildReport(results, time.perf_counter() - started, share.errors)
    log(report.summary())
    return report


def open_cache(options: BuildOptions, log: Log) -> ResultCache:
    """Settings for the workers, the embedded models, the output cache: what every phase needs."""
    environment.prepare_environment(os.environ, options.hf_cache, options.cache_dir)
    ensure_embedded_models(options.hf_cache, log)
    store = ResultCache(options.cache_dir, options.project_root, options.hf_cache)
    store.sweep()
    return store



# -- phase 2: run (phase 1, plan, is in plan.py) -------------------------------------------------

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
        timeout=float(setting(run.parsed, "timeout", run.config.timeout or options.timeout)),
        threads=max(1, (os.cpu_count() or 1) // max(1, options.parallel)),
        memory_limit=options.memory_limit,
        thumbnail=int(setting(run.parsed, "thumbnail_number", 1)),
        thumbnail_panel=int(setting(run.parsed, "thumbnail_panel", 0)),
        thumbnail_path=thumbnail_path(run.example, run.parsed),
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


def _not_cached(run: ScriptRun) -> ExampleResult:
    failure = ScriptFailure(
        1, "no cached outputs, and GALLERY_REQUIRE_CACHED forbids running scripts (did a shard not build it?)", ""
    )
    return ExampleResult(run.example, run.display_path, "failed", run.parsed, failure=failure)
