"""The live files a site (or `python -m gallery_builder live --out DIR`) publishes:

    gallery/_live/<model>/...   each export's folder (manifest, parts, tokenizer, licence, source)
    gallery/_live/js/...        the pages' own ES modules, from gallery_builder/live/js/

Files are given by path, as cached results are: nothing is copied through memory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..cache import environment
from ..views.layout import GALLERY_DIR
from .store import LIVE_DIR, LiveExport

LIVE_SITE_DIR = "_live"
JS_DIR = LIVE_DIR / "js"


def live_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """GALLERY_LIVE: on unless set to 0 (then nothing is exported and pages get no live box)."""
    return environ.get("GALLERY_LIVE", "1").strip().lower() not in environment.OFF


def live_files(exports: list[LiveExport], prefix: str = f"{GALLERY_DIR}/{LIVE_SITE_DIR}") -> dict[str, Path]:
    files: dict[str, Path] = {}
    for export in exports:
        if export.folder is None:
            continue
        for path in sorted(export.folder.iterdir()):
            if path.is_file():
                files[f"{prefix}/{export.model.name}/{path.name}"] = path
    if JS_DIR.is_dir():
        for path in sorted(JS_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"{prefix}/js/{path.relative_to(JS_DIR).as_posix()}"] = path
    return files
