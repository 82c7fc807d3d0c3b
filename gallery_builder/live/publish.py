"""The live files a site (or `python -m gallery_builder live --out DIR`) publishes:

    gallery/_live/<model>/...   each export's folder (manifest, parts, tokenizer, licence, source)
    gallery/_live/js/...        the pages' own ES modules, from gallery_builder/live/js/
    gallery/_vendor/...         the pinned browser libraries (libraries.py)

Only the models that a page's widget uses are exported and published (store.py keeps them);
files are given by path, as cached results are: nothing is copied through memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import environment
from ..cache.store import ResultCache
from .libraries import library_files
from .models import WIDGETS
from .store import LIVE_DIR as PACKAGE_DIR
from .store import LiveExport, LiveStore, ensure_all, live_cache_dir

LIVE_DIR = "_live"  # under gallery/
VENDOR_DIR = "_vendor"
JS_DIR = PACKAGE_DIR / "js"


@dataclass
class LiveFiles:
    files: dict[str, bytes | Path] = field(default_factory=dict)  # by path under the docs folder
    errors: list[str] = field(default_factory=list)


def live_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """GALLERY_LIVE: on unless set to 0 (then nothing is exported)."""
    return environ.get("GALLERY_LIVE", "1").strip().lower() not in environment.OFF


def live_store(store: ResultCache) -> LiveStore:
    fingerprints = store.fingerprints
    return LiveStore(live_cache_dir(store.root), fingerprints.project_root, fingerprints.hf_cache)


def publish_live(widgets: set[str], store: ResultCache, log: Callable[[str], None]) -> LiveFiles:
    """The files of every live model a page uses (`widgets`), exporting the ones not cached."""
    models = {WIDGETS[w].name: WIDGETS[w] for w in sorted(widgets) if w in WIDGETS}
    if not models:
        return LiveFiles()
    exports = ensure_all(live_store(store), log, models.values())
    return LiveFiles(live_files(exports), [e.error for e in exports if e.error])


def live_files(exports: Iterable[LiveExport], prefix: str = f"gallery/{LIVE_DIR}",
               vendor: str = f"gallery/{VENDOR_DIR}") -> dict[str, bytes | Path]:
    files: dict[str, bytes | Path] = {}
    for name, path in sorted(library_files().items()):
        files[f"{vendor}/{name}"] = path
    for path in sorted(JS_DIR.rglob("*")) if JS_DIR.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"{prefix}/js/{path.relative_to(JS_DIR).as_posix()}"] = path
    for export in exports:
        for path in sorted(export.folder.iterdir()) if export.folder is not None else []:
            if path.is_file():
                files[f"{prefix}/{export.model.name}/{path.name}"] = path
    return files
