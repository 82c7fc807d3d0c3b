"""Glue between the gallery build and mkdocs-gen-files (called by docs/gen_gallery.py).

Failures are logged as mkdocs warnings: `mkdocs build --strict` then exits non-zero, while
`mkdocs serve` keeps running and shows the error on the failing example's page.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .build import BuildReport, build_gallery
from .cache import environment
from .cache.store import ResultCache
from .options import BuildOptions
from .page.indexes import HOME_STRIP_MARKER, NAV_FILE, home_strip
from .run.workers import start_warming
from .views.layout import GALLERY_DIR

log = logging.getLogger("mkdocs.plugins.gallery")


def generate(project_root: Path) -> BuildReport:
    import mkdocs_gen_files

    files, report = build_gallery(BuildOptions.for_project(project_root))
    for path, data in sorted(files.items()):
        if isinstance(data, Path):
            _publish_as_is(path, data)
        else:
            with mkdocs_gen_files.open(path, "wb") as handle:
                handle.write(data)
    _keep_out_of_site(f"{GALLERY_DIR}/{NAV_FILE}")
    _fill_home_strip(report)
    for result in report.results:
        page = f"{GALLERY_DIR}/{result.example.url_dir}/index.md"
        mkdocs_gen_files.set_edit_path(page, f"../{result.display_path}")  # relative to docs/
    for message in report.errors:
        log.warning("gallery: %s", message)
    for failed in report.failures:
        summary = failed.failure.summary if failed.failure else "failed"
        log.warning("gallery example failed: %s: %s", failed.location, summary)
    return report


def warm_up(project_root: Path) -> None:
    """Start the workers' imports now (`mkdocs serve` calls this as it starts: mkdocs_hooks.py),
    so that the first edit of a script costs the script's own run, not the imports too."""
    options = BuildOptions.for_project(project_root)
    if options.require_cached:
        return  # this build runs no script
    environment.prepare_environment(os.environ, options.hf_cache, options.cache_dir)  # inherited by the server
    log.info("gallery: warming up the workers (importing torch, transformers and matplotlib once)")
    start_warming(_report_warm)


def warm_up_if_cold(project_root: Path) -> None:
    """Start the workers' imports as `mkdocs build` reads its configuration, when the cache holds no
    outputs at all (a first build, a fresh CI runner): every script will run, and the imports
    then overlap with the rest of mkdocs' start instead of following it. Otherwise the build
    starts them once its plan finds a script to run (plan.py)."""
    options = BuildOptions.for_project(project_root)
    if options.require_cached or not options.source_dir.is_dir() or ResultCache.holds_entries(options.cache_dir):
        return
    environment.prepare_environment(os.environ, options.hf_cache, options.cache_dir)  # inherited by the server
    start_warming()


def _report_warm(seconds: float | None) -> None:
    if seconds is None:
        log.warning("gallery: the workers' server did not start; the next script to run reports why")
    else:
        log.info("gallery: workers are warm after %.1f s: an edit now re-runs only its script", seconds)


def _fill_home_strip(report: BuildReport) -> None:
    """Put a strip of thumbnails where docs/index.md has the marker (the file in docs/ is not changed)."""
    import mkdocs_gen_files

    home = Path(mkdocs_gen_files.config["docs_dir"]) / "index.md"
    if not home.is_file():
        return
    text = home.read_text(encoding="utf-8")
    if HOME_STRIP_MARKER in text:
        with mkdocs_gen_files.open("index.md", "w") as handle:
            handle.write(text.replace(HOME_STRIP_MARKER, home_strip(report.results)))


def _publish_as_is(path: str, source: Path) -> None:
    """Publish a file (a cached output, KaTeX) without copying it through gen-files' temporary
    folder on every build: the file gen-files opens there becomes a link to `source`, which
    mkdocs follows when it copies the site."""
    import mkdocs_gen_files

    with mkdocs_gen_files.open(path, "wb") as handle:
        target = Path(handle.name)
    link = target.with_name(f".{target.name}.link")
    try:
        link.symlink_to(source)
        link.replace(target)
    except OSError:  # no symbolic links here (some Windows set-ups): copy
        link.unlink(missing_ok=True)
        target.write_bytes(source.read_bytes())


def _keep_out_of_site(path: str) -> None:
    """literate-nav reads the nav file; it should not also become a page (and a search result)."""
    from mkdocs.structure.files import InclusionLevel
    from mkdocs_gen_files.editor import FilesEditor

    nav_file = FilesEditor.current().files.get_file_from_path(path)
    if nav_file is not None:
        nav_file.inclusion = InclusionLevel.EXCLUDED
