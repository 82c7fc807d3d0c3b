"""Export a live model to ONNX and check it against PyTorch: `python -m gallery_builder.live.export
NAME OUT_DIR` (publish.py runs it in a subprocess, so that the build process never imports torch).

Writes into OUT_DIR:
- model.onnx: one file with its weights inside. Inputs input_ids, attention_mask, token_type_ids
  (int64 [1, n]); output `attentions`, float32 [layers, heads, n, n], every layer's softmax weights.
  torch.onnx's dynamo exporter with a dynamic sequence length (the older tracing exporter bakes
  transformers 5's attention mask into constants: wrong for any other length). Weights are stored
  as float16 and cast to float32 as the graph starts, which halves the download and keeps float32
  arithmetic (int8 quantization of the activations moves attention weights by up to 0.45).
- tokenizer.json and tokenizer_config.json: the model's own tokenizer, for the browser.
- parity.json: ONNX Runtime against PyTorch on PARITY_TEXTS, on this very file. The export fails
  if an attention weight differs by more than the model's tolerance.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .models import LIVE_MODELS, LiveModel

# Several lengths, accents, emoji, CJK, numbers, markup-like text, and one past max_tokens.
PARITY_TEXTS = (
    "Hi.",
    "The quick brown fox jumps over the lazy dog.",
    "Café naïve émigré: 3 items at $1,234.56 on 2026-11-25 🙂 中文 <b>bold</b> & \"quotes\"",
    "A long sentence that runs on and on, " * 12,
)
FP16_MIN_ELEMENTS = 1024  # smaller tensors (biases, norms) stay float32


def export(model: LiveModel, out: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model.hub_id)
    network = AutoModel.from_pretrained(model.hub_id, attn_implementation="eager").eval()

    class Attentions(torch.nn.Module):  # type: ignore[misc]  # torch is not analysed (pyproject.toml)
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            outputs = self.network(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                output_attentions=True,
            )
            return torch.stack(outputs.attentions)[:, 0]

    example = tokenizer(PARITY_TEXTS[1], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    length = torch.export.Dim("tokens", min=2, max=512)
    started = time.perf_counter()
    program = torch.onnx.export(
        Attentions(), tuple(example[n] for n in names), input_names=names, output_names=["attentions"],
        dynamo=True, dynamic_shapes=tuple({1: length} for _ in names), optimize=True, verbose=False,
    )
    program.save(str(out / "model.float32.onnx"), external_data=False)
    store_weights_as_float16(out / "model.float32.onnx", out / "model.onnx")
    (out / "model.float32.onnx").unlink()
    exported = time.perf_counter() - started
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(_snapshot_file(model, name), out / name)
    return {"export_seconds": round(exported, 1), **parity(model, out / "model.onnx", tokenizer, network)}


def store_weights_as_float16(source: Path, target: Path) -> None:
    """Every large float32 initializer stored as float16, with a Cast back to float32 in front."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph_model = onnx.load(str(source))
    graph = graph_model.graph
    initializers, casts = [], []
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= FP16_MIN_ELEMENTS:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + ".fp16")
            initializers.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
        else:
            initializers.append(init)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, str(target))


def parity(model: LiveModel, path: Path, tokenizer: Any, network: Any) -> dict[str, Any]:
    """The largest attention difference between ONNX Runtime (on the file) and PyTorch."""
    import numpy as np
    import onnxruntime
    import torch

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for text in PARITY_TEXTS:
        encoded = tokenizer(text, return_tensors="np", truncation=True, max_length=model.max_tokens)
        feeds = {name: encoded[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
        with torch.no_grad():
            reference = network(**{k: torch.tensor(v) for k, v in feeds.items()}, output_attentions=True)
        expected = torch.stack(reference.attentions)[:, 0].numpy()
        (got,) = session.run(["attentions"], feeds)
        worst = max(worst, float(np.abs(got - expected).max()))
    return {"attention_max_abs": worst, "attention_tolerance": model.tolerance, "texts": len(PARITY_TEXTS),
            "layers": int(network.config.num_hidden_layers), "heads": int(network.config.num_attention_heads)}


def _snapshot_file(model: LiveModel, name: str) -> Path:
    from huggingface_hub import hf_hub_download

    return Path(hf_hub_download(model.hub_id, name))


def main(argv: list[str]) -> int:
    name, out = argv
    model = LIVE_MODELS[name]
    result = export(model, Path(out))
    (Path(out) / "parity.json").write_text(json.dumps(result, indent=1) + "\n")
    if result["attention_max_abs"] > model.tolerance:
        print(
            f"{model.hub_id}: ONNX attention differs from PyTorch by {result['attention_max_abs']:.4f}, "
            f"more than the tolerance {model.tolerance}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
