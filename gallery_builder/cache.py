"""A content-hash cache of script outputs, kept outside docs/ and safe to delete.

An entry is found by a *static key*, computed before running: the script's source, the
generator code that shapes outputs, library versions, and the settings that reach the script.
Each entry also records the *dynamic* dependencies seen while the script ran (project modules it
imported, model snapshots it opened); the entry is used only while those are unchanged.

Entries are written into a staging folder and moved into place with one rename, so a build that
is killed at any moment leaves either a complete entry or none; stray staging folders are swept.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from . import provenance
from .execute import PROGRESS_FILE, RESULT_FILE, TIMEOUT_FILE

FORMAT = 1
LIBRARIES = ("torch", "transformers", "bertviz", "matplotlib", "seaborn", "numpy", "huggingface_hub", "pillow")
OUTPUT_SHAPING_MODULES = (
    "parse.py",
    "capture.py",
    "animation.py",
    "execute.py",
    "provenance.py",
    "views.py",
    "templates/view_frame.js",
    "templates/view_frame.css",
)
STALE_STAGING_SECONDS = 24 * 3600


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), **provenance.library_versions(LIBRARIES)}


def generator_digest() -> str:
    here = Path(__file__).parent
    return _sha256(b"".join((here / name).read_bytes() for name in OUTPUT_SHAPING_MODULES))


def static_key(source: bytes, settings: dict[str, str]) -> str:
    payload = {
        "format": FORMAT,
        "source": _sha256(source),
        "generator": generator_digest(),
        "libraries": library_versions(),
        "settings": dict(sorted(settings.items())),
    }
    return _sha256(json.dumps(payload, sort_keys=True).encode())


def fingerprint_module(path: str) -> str:
    try:
        return _sha256(Path(path).read_bytes())
    except OSError:
        return "missing"


def fingerprint_snapshot(path: str) -> str:
    """Names, sizes and modification times of a model snapshot's files (its weights are large)."""
    folder = Path(path)
    if not folder.is_dir():
        return "missing"
    rows = []
    for item in sorted(folder.rglob("*")):
        if item.is_file():
            info = item.stat()  # follows links into the package that ships the files
            rows.append(f"{item.relative_to(folder)}:{info.st_size}:{info.st_mtime_ns}")
    return _sha256("\n".join(rows).encode())


def fingerprint_deps(deps: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    return {
        "modules": {p: fingerprint_module(p) for p in deps.get("modules", [])},
        "models": {p: fingerprint_snapshot(p) for p in deps.get("models", [])},
    }


class ResultCache:
    """Folders of outputs under `root/entries/<key>/`, each with its result.json."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries = root / "entries"
        self.staging = root / "staging"

    def staging_dir(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=self.staging))

    def lookup(self, key: str) -> Path | None:
        """The entry's folder if it exists, is complete and its dependencies are unchanged."""
        folder = self.entries / key
        try:
            record = json.loads((folder / RESULT_FILE).read_text())
        except (OSError, ValueError):
            return None
        saved = record.get("fingerprints")
        if not saved or fingerprint_deps(record.get("deps", {})) != saved:
            return None
        return folder

    def store(self, key: str, out_dir: Path, result: dict[str, Any]) -> Path:
        """Move a finished run's folder into the cache as the entry for `key`."""
        record = dict(result, fingerprints=fingerprint_deps(result.get("deps", {})))
        for scratch in (TIMEOUT_FILE, PROGRESS_FILE):
            (out_dir / scratch).unlink(missing_ok=True)
        tmp = out_dir / (RESULT_FILE + ".tmp")
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
        os.replace(tmp, out_dir / RESULT_FILE)
        target = self.entries / key
        self.entries.mkdir(parents=True, exist_ok=True)
        if target.exists():  # an outdated entry for the same key (its dependencies changed)
            retired = self.staging_dir()
            os.replace(target, retired / "old")
            shutil.rmtree(retired, ignore_errors=True)
        os.replace(out_dir, target)
        return target

    def sweep(self) -> None:
        """Remove staging folders left by builds that were killed."""
        if not self.staging.is_dir():
            return
        cutoff = time.time() - STALE_STAGING_SECONDS
        for folder in self.staging.iterdir():
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
