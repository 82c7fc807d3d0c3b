"""Exports kept between builds, under <GALLERY_CACHE>/live/<key>/ (or GALLERY_LIVE_CACHE), keyed
like a script's outputs: the model snapshot's content, the exporter's own code, and the versions
of Python, torch, transformers, onnx, onnxscript and onnxruntime.

An export runs in a subprocess (`python -m gallery_builder.live.export`; the build's process
never imports torch) into a staging folder, which is renamed into place only when complete:
an interrupted export leaves no entry. An entry whose files do not match its manifest is not
used (and is exported again). The parts' sha256s come from the store's fingerprint memo
(hashes.json), so a later build reads a part again only when it changed (hashing MiniLM's
43 MB took about 0.1 s of every build).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..cache.store import Fingerprints
from ..run import provenance
from ..run.embedded_models import describe
from . import package
from .models import LIVE_MODELS, LiveModel

LIVE_DIR = Path(__file__).parent
EXPORT_TIMEOUT = 1800.0  # seconds; the decoder takes 1.5 to 3 min on 2 busy cores
VERSIONED = ("torch", "transformers", "onnx", "onnxscript", "onnxruntime")
Log = Callable[[str], None]
# Exports that failed in this process, by key: `mkdocs serve` reports them again on each rebuild
# instead of spending minutes on the same failure; a change to any input makes a new key.
FAILED: dict[str, str] = {}


@dataclass(frozen=True)
class LiveExport:
    """One model's export: its folder of site files, or why there is none."""

    model: LiveModel
    folder: Path | None
    error: str | None = None
    cached: bool = False
    seconds: float = 0.0


NOT_EXPORTER = ("store.py", "publish.py")  # keep and publish exports: they shape no byte of one


def exporter_digest(folder: Path = LIVE_DIR) -> str:
    """The exporter's code and the files it ships (not js/, the pages' code, nor NOT_EXPORTER)."""
    digest = hashlib.sha256()
    files = (p for p in folder.iterdir() if p.is_file() and p.suffix in (".py", ".txt"))
    for path in sorted(p for p in files if p.name not in NOT_EXPORTER):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Python's version and those of the libraries that shape an export (run/provenance.py reads
    them the same way for the pages)."""
    return {"python": sys.version, **provenance.library_versions(VERSIONED)}


def export_key(model: LiveModel, snapshot: str, code: str, versions: Mapping[str, str]) -> str:
    """The cache key of one export, from what shapes it."""
    text = json.dumps({"model": model.name, "snapshot": snapshot, "code": code,
                       "versions": dict(sorted(versions.items()))}, sort_keys=True)
    return f"{model.name}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def snapshot_name(model: LiveModel) -> str:
    embedded = describe(model.hub_id)
    if embedded is None:
        raise ValueError(f"{model.hub_id} is not an embedded model")
    return f"models--{model.hub_id.replace('/', '--')}/snapshots/{embedded.snapshot_id()}"


def live_cache_dir(cache_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """GALLERY_LIVE_CACHE, or <GALLERY_CACHE>/live: several caches (tests) can share exports."""
    chosen = environ.get("GALLERY_LIVE_CACHE", "").strip()
    return Path(chosen).resolve() if chosen else cache_dir / "live"


class LiveStore:
    def __init__(self, root: Path, project_root: Path, hf_cache: Path) -> None:
        self.root = root
        self.hf_cache = hf_cache
        self.fingerprints = Fingerprints(project_root, hf_cache, self.root / "hashes.json")
        self._verified: set[Path] = set()

    def key(self, model: LiveModel) -> str:
        snapshot = self.fingerprints.model(snapshot_name(model))
        return export_key(model, snapshot, exporter_digest(), library_versions())

    def lookup(self, key: str) -> Path | None:
        """A complete entry (its files checked against its manifest, once while unchanged), or None."""
        folder = self.root / key
        if folder in self._verified:
            return folder
        if not folder.is_dir() or package.verify(folder, self.fingerprints.file) is not None:
            return None
        self._verified.add(folder)
        return folder

    def sweep(self, model: LiveModel, keep: str) -> None:
        """Remove the model's older exports (another key: an edited exporter, a new library)."""
        for old in self.root.glob(f"{model.name}-*"):
            if old.name != keep and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def ensure(self, model: LiveModel, log: Log) -> LiveExport:
        """The model's export from the cache, or made now. Never raises for a failed export."""
        started = time.monotonic()
        try:
            key = self.key(model)
        except (OSError, ValueError) as error:
            return LiveExport(model, None, f"live: {model.name}: cannot find the export's inputs: {error}")
        found = self.lookup(key)
        if found is not None:
            return LiveExport(model, found, cached=True)
        if key in FAILED:
            return LiveExport(model, None, FAILED[key])
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".staging-"))
        except OSError as error:
            return LiveExport(model, None, f"live: cannot keep exports in {self.root}: {error}")
        try:
            why = run_export(model, staging / "entry", self.hf_cache, log)
            if why is None:
                why = package.verify(staging / "entry")
            if why is not None:
                FAILED[key] = f"live: export of {model.name} failed: {why}"
                return LiveExport(model, None, FAILED[key])
            target = self.root / key
            if target.exists():  # a corrupt entry: retire it first
                os.replace(target, staging / "old")
            os.replace(staging / "entry", target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.sweep(model, keep=key)
        seconds = time.monotonic() - started
        log(f"gallery: live: {model.name} exported in {seconds:.0f} s")
        return LiveExport(model, target, seconds=seconds)


def run_export(model: LiveModel, out: Path, hf_cache: Path, log: Log) -> str | None:
    """Run the exporter in a subprocess; pass its progress lines on. Returns why it failed."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["HF_HUB_CACHE"] = str(hf_cache)
    env["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    env["TRANSFORMERS_VERBOSITY"] = "error"
    env["PYTHONPATH"] = os.pathsep.join([str(LIVE_DIR.parents[1]), env.get("PYTHONPATH", "")]).strip(os.pathsep)
    command = [sys.executable, "-m", "gallery_builder.live.export", model.name, str(out)]
    try:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, errors="replace")
    except OSError as error:
        return f"could not start the exporter: {error}"
    tail: list[str] = []
    assert process.stderr is not None
    watchdog = threading.Timer(EXPORT_TIMEOUT, process.kill)
    watchdog.start()
    for line in process.stderr:
        line = line.rstrip()
        if line.startswith("gallery: live:"):
            log(line)
        tail = [*tail[-19:], line]
    status = process.wait()
    watchdog.cancel()
    if status == 0:
        return None
    if status == -signal.SIGKILL:
        return f"the exporter took more than {EXPORT_TIMEOUT:.0f} s and was stopped"
    said = [line for line in tail if line.startswith("gallery: live:") and "failed" in line]
    if said:
        return said[-1].split("failed: ", 1)[-1]
    return f"the exporter exited with status {process.returncode}; its last lines: " + " | ".join(tail[-5:])


def ensure_all(store: LiveStore, log: Log, models: Iterable[LiveModel] = LIVE_MODELS) -> list[LiveExport]:
    return [store.ensure(model, log) for model in models]
