"""Glue between the gallery build and mkdocs-gen-files (called by docs/gen_gallery.py).

Failures are logged as mkdocs warnings: `mkdocs build --strict` then exits non-zero, while
`mkdocs serve` keeps running and shows the error on the failing example's page.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .build import BuildOptions, BuildReport, build_gallery
from .render import GALLERY_DIR

log = logging.getLogger("mkdocs.plugins.gallery")


def generate(project_root: Path) -> BuildReport:
    import mkdocs_gen_files

    files, report = build_gallery(BuildOptions.for_project(project_root))
    for path, data in sorted(files.items()):
        with mkdocs_gen_files.open(path, "wb") as handle:
            handle.write(data)
    for result in report.results:
        page = f"{GALLERY_DIR}/{result.example.url_dir}/index.md"
        mkdocs_gen_files.set_edit_path(page, result.display_path)
    for failed in report.failures:
        summary = failed.failure.summary if failed.failure else "failed"
        log.warning("gallery example failed: %s: %s", failed.location, summary)
    return report
