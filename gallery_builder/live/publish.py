"""Export the live models (once, cached) and publish them beside the pages that use them.

An export is keyed like a script's outputs: the exporter's source, the model snapshot's content,
and the versions of Python and of the libraries that shape the file. It runs in a subprocess
(export.py) into a staging folder that becomes `<cache>/live/<key>/` only once it is complete and
checked, so an interrupted export never leaves an entry behind. The entry then holds what the
site serves under `gallery/_live/<model>/`: the ONNX file in parts of at most PART_BYTES (static
hosts refuse files over 25 MiB; the page joins them and checks the SHA-256), manifest.json, the
tokenizer files, and the licence and source of the weights.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache.keys import installed_distributions, interpreter
from ..cache.store import ResultCache
from .libraries import library_files
from .models import WIDGETS, LiveModel

PART_BYTES = 20 * 2**20
EXPORT_TIMEOUT = 900.0
SHAPING_DISTRIBUTIONS = ("torch", "transformers", "onnx", "onnxscript", "onnxruntime", "numpy", "tokenizers")
LIVE_DIR = "_live"  # under gallery/
VENDOR_DIR = "_vendor"
JS_DIR = Path(__file__).resolve().parent / "js"
APACHE_NOTICE = """This folder redistributes model weights converted to ONNX, and the model's tokenizer.
They are licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
Unless required by applicable law or agreed to in writing, they are distributed on an "AS IS" basis,
without warranties or conditions of any kind. SOURCE.txt says where they come from and what was changed.
"""


@dataclass
class LiveFiles:
    files: dict[str, bytes | Path] = field(default_factory=dict)  # by path under the docs folder
    errors: list[str] = field(default_factory=list)


def publish_live(widgets: set[str], store: ResultCache, log: Callable[[str], None]) -> LiveFiles:
    """The files of every live model a page uses (`widgets`), exporting the ones not cached."""
    published = LiveFiles()
    models = {WIDGETS[w].name: WIDGETS[w] for w in sorted(widgets) if w in WIDGETS}
    if not models:
        return published
    for name, path in sorted(library_files().items()):
        published.files[f"gallery/{VENDOR_DIR}/{name}"] = path
    for path in sorted(JS_DIR.rglob("*")):
        if path.is_file():
            published.files[f"gallery/{LIVE_DIR}/js/{path.relative_to(JS_DIR).as_posix()}"] = path
    for model in models.values():
        try:
            entry = cached_export(model, store, log)
        except ExportError as error:
            published.errors.append(str(error))
            continue
        for path in sorted(entry.iterdir()):
            published.files[f"gallery/{LIVE_DIR}/{model.name}/{path.name}"] = path
    return published


class ExportError(RuntimeError):
    pass


def export_key(model: LiveModel, store: ResultCache) -> str:
    versions = installed_distributions()
    inputs = {
        "exporter": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _exporter_files()},
        "model": store.fingerprints.model(_snapshot(store.fingerprints.hf_cache, model.hub_id)),
        "libraries": {name: versions.get(name, "") for name in SHAPING_DISTRIBUTIONS},
        "python": interpreter(),
        "part_bytes": PART_BYTES,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:32]


def cached_export(model: LiveModel, store: ResultCache, log: Callable[[str], None]) -> Path:
    """The cache entry of the model's export, made now if there is none."""
    key = export_key(model, store)
    entry = store.root / "live" / f"{model.name}-{key}"
    if (entry / "manifest.json").is_file():
        return entry
    staging = store.root / "live" / f".staging-{model.name}-{key}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    log(f"gallery: live: exporting {model.hub_id} to ONNX for the in-browser views")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gallery_builder.live.export", model.name, str(staging)],
            capture_output=True, text=True, timeout=EXPORT_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"live: exporting {model.hub_id} took more than {EXPORT_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ExportError(f"live: exporting {model.hub_id} failed: {last}")
    parity = _finish_entry(model, staging)
    shutil.rmtree(entry, ignore_errors=True)
    staging.rename(entry)
    log(f"gallery: live: {model.name} exported in {parity['export_seconds']} s, attention within "
        f"{parity['attention_max_abs']:.4f} of PyTorch")
    return entry


def _finish_entry(model: LiveModel, folder: Path) -> dict[str, Any]:
    """Split the ONNX file into parts, and write the manifest, licence and source. The export's
    own report (parity.json, with its timing) is returned, not published: two builds of the same
    inputs publish the same bytes."""
    whole = folder / "model.onnx"
    data = whole.read_bytes()
    parts = []
    for number, start in enumerate(range(0, len(data), PART_BYTES)):
        chunk = data[start : start + PART_BYTES]
        name = f"model.onnx.part{number}"
        (folder / name).write_bytes(chunk)
        parts.append({"name": name, "bytes": len(chunk), "sha256": hashlib.sha256(chunk).hexdigest()})
    whole.unlink()
    parity: dict[str, Any] = json.loads((folder / "parity.json").read_text())
    (folder / "parity.json").unlink()
    manifest = {
        "model": model.name,
        "hub_id": model.hub_id,
        "parts": parts,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "tokenizer": "tokenizer.json",
        "tokenizer_config": "tokenizer_config.json",
        "max_tokens": model.max_tokens,
        "layers": parity["layers"],
        "heads": parity["heads"],
        "inputs": ["input_ids", "attention_mask", "token_type_ids"],
        "outputs": ["attentions"],
        "weights": "float16, computed in float32",
        "parity": {k: parity[k] for k in ("attention_max_abs", "attention_tolerance", "texts")},
        "licence": model.licence,
        "source": model.source,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    (folder / "LICENSE.txt").write_text(APACHE_NOTICE)
    (folder / "SOURCE.txt").write_text(f"# {model.hub_id}\n\n{model.source}.\n\nLicence: {model.licence}.\n")
    return parity


def _snapshot(hf_cache: Path, hub_id: str) -> str:
    """The snapshot folder `refs/main` names, relative to the HF cache."""
    repo = f"models--{hub_id.replace('/', '--')}"
    ref = hf_cache / repo / "refs" / "main"
    revision = ref.read_text().strip() if ref.is_file() else "missing"
    return f"{repo}/snapshots/{revision}"


def _exporter_files() -> list[Path]:
    here = Path(__file__).resolve().parent
    return [here / "export.py", here / "models.py"]
