"""Phase 1 of a build, plan: find the scripts, parse them, compute their cache keys and find their
usable cached entries. What is left is a list of ScriptRuns for phase 2 (build.run_plan)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .cache.keys import KeyInputs, file_digest, static_key
from .cache.store import ResultCache
from .options import BuildOptions, Log, log_to_stderr
from .run.record import RunRecord, ScriptFailure
from .run.results import ExampleResult, Status
from .run.workers import start_warming
from .sources.parse import ParsedScript, ScriptError, parse_script
from .sources.project import Example, Gallery
from .sources.settings import GallerySettings, Settings, SettingsError, load_settings
from .views.layout import view_vendor_href


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
        mine = [e for e in self.examples if display_name(e, project_root) in names]
        paths = {e.path for e in mine}
        ready = {path: result for path, result in self.ready.items() if path in paths}
        to_run = [r for r in self.to_run if r.example.path in paths]
        return BuildPlan(self.gallery, mine, ready, to_run, self.errors)


DISTRIBUTIONS_MEMO = "distributions.json"  # in the cache: see cache/keys.installed_distributions


def plan_build(options: BuildOptions, store: ResultCache, warm: bool = True, log: Log = log_to_stderr) -> BuildPlan:
    """Parse every script and look up its entry. `warm` starts the workers' imports as soon as
    one script needs running, so they overlap with the remaining look-ups."""
    gallery = Gallery.load(options.source_dir)
    errors = [f"{display_path(e.path, options.project_root)}:{e.line}: {e.message}" for e in gallery.header_errors()]
    try:
        settings = load_settings(options.project_root)
    except SettingsError as error:
        settings = Settings()
        errors.append(f"{error} (the build uses the default settings)")
    for message in errors:
        log(f"gallery: ERROR {message}")
    examples = [e for e in gallery.examples() if not _settings_for(settings, gallery, e).ignores(_relative(gallery, e))]
    inputs = KeyInputs.current(memo=store.root / DISTRIBUTIONS_MEMO)
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
    display = display_name(example, project_root)
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
    thumbnail = thumbnail_path(example, parsed)
    return {
        "capture_repr": repr(config.capture_repr),
        "ignore_repr_types": config.ignore_repr_types,
        "vendor_href": view_vendor_href(example.section.depth),
        "thumbnail_path": thumbnail,
        "thumbnail_file": file_digest(Path(thumbnail)) if thumbnail else "",
    }


# -- results without a run ----------------------------------------------------------------------------------

def display_name(example: Example, project_root: Path) -> str:
    return display_path(example.path, project_root)


def display_path(path: Path, project_root: Path) -> str:
    return path.relative_to(project_root).as_posix()


def _relative(gallery: Gallery, example: Example) -> str:
    return example.path.relative_to(gallery.root).as_posix()


def _settings_for(settings: Settings, gallery: Gallery, example: Example) -> GallerySettings:
    return settings.for_section(example.section.path.relative_to(gallery.root).as_posix())


def thumbnail_path(example: Example, parsed: ParsedScript) -> str:
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


def setting(parsed: ParsedScript, name: str, default: float) -> float:
    value = parsed.settings.get(name, default)
    return float(value) if isinstance(value, (int, float)) else default


def _parse_failure(example: Example, display: str, error: Exception, expect_failure: bool = False) -> ExampleResult:
    if isinstance(error, ScriptError):
        failure = ScriptFailure(error.line, error.message, "")
    else:
        failure = ScriptFailure(1, f"the file is not UTF-8 text: {error}", "")
    status: Status = "shown" if expect_failure else "failed"
    return ExampleResult(example, display, status, failure=failure, expected_failure=expect_failure)


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
