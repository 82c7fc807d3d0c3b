"""Export one live model to ONNX and check it: `python -m gallery_builder.live.export NAME OUT`.

Runs in its own process (it imports torch; the mkdocs process must not). It writes into OUT the
files the site ships for the model (package.py) after checking them against PyTorch
(parity.py); a missed target ends it with a message and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from .models import ExportFailed, LiveModel, by_name

TIED_EMBEDDING = "lm.lm_head.weight"  # the decoder's embedding, also its unembedding


def log(message: str) -> None:
    print(f"gallery: live: {message}", file=sys.stderr, flush=True)


def _bert_wrapper(model: Any) -> Any:
    import torch

    class Attentions(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                            token_type_ids=token_type_ids, output_attentions=True)
            return torch.stack(out.attentions).squeeze(1)

    return Attentions()


def _decoder_wrapper(model: Any) -> Any:
    import torch

    class LensAndAttentions(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.lm = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            out = self.lm.model(input_ids=input_ids, attention_mask=attention_mask,
                                output_attentions=True, output_hidden_states=True)
            states = out.hidden_states  # embeddings, layers 1..L-1, then the last layer normed
            normed = [self.lm.model.norm(h) for h in states[1:-1]] + [states[-1]]
            lens_logits = self.lm.lm_head(torch.cat(normed, dim=0))  # [L, n, vocab]
            probs, ids = torch.softmax(lens_logits, dim=-1).topk(10, dim=-1)
            return lens_logits[-1, -1], torch.stack(out.attentions).squeeze(1), ids, probs

    return LensAndAttentions()


def load_torch(model: LiveModel) -> tuple[Any, Any, Any]:
    """The PyTorch model (eager attention, float32), its wrapper and its tokenizer."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model.hub_id)
    if model.name == "minilm":
        torch_model = AutoModel.from_pretrained(model.hub_id, attn_implementation="eager").eval()
        return torch_model, _bert_wrapper(torch_model).eval(), tokenizer
    torch_model = AutoModelForCausalLM.from_pretrained(model.hub_id, attn_implementation="eager").eval()
    return torch_model, _decoder_wrapper(torch_model).eval(), tokenizer


def to_onnx(model: LiveModel, wrapper: Any, tokenizer: Any, path: Path) -> None:
    import torch

    sample = tokenizer("The quick brown fox jumps over the lazy dog", return_tensors="pt")
    args = tuple(sample[name] for name in model.inputs)
    n = torch.export.Dim("n", min=2, max=model.max_tokens)
    shapes = {name: {1: n} for name in model.inputs}
    with torch.no_grad():
        torch.onnx.export(wrapper, args, str(path), dynamo=True, dynamic_shapes=shapes,
                          input_names=list(model.inputs), output_names=list(model.outputs),
                          external_data=False, optimize=True, verbose=False)


def export(name: str, out: Path) -> None:
    import onnx

    from . import onnx_weights, package, parity

    model = by_name(name)
    started = time.monotonic()
    log(f"exporting {model.name} ({model.hub_id}) ...")
    torch_model, wrapper, tokenizer = load_torch(model)
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "raw.onnx"
    to_onnx(model, wrapper, tokenizer, raw)
    graph = onnx.load(str(raw))
    raw.unlink()
    log(f"{model.name}: exported the graph in {time.monotonic() - started:.0f} s; storing the weights")
    if model.name == "minilm":
        onnx_weights.fp16_storage(graph)
        weights = "fp16 storage, float32 arithmetic"
    else:
        graph, error = onnx_weights.matmul_4bit(graph)
        error = max(error, onnx_weights.tied_embedding_8bit(graph, TIED_EMBEDDING))
        log(f"{model.name}: weights stored with a largest error of {error:.2g}")
        weights = ("4-bit weight-only MatMuls (MatMulNBits, block 32, float32 scale and zero point: "
                   "the Q4_1 values exactly); tied embedding and unembedding 8-bit in blocks of 32 "
                   "(the Q8_0 values exactly); float32 arithmetic")
    data = onnx_weights.serialized(graph)
    if len(data) > model.max_bytes:
        raise ExportFailed(f"{model.name}: the ONNX file is {len(data):,} bytes, over the "
                           f"{model.max_bytes:,}-byte budget")
    parts = package.write_parts(data, out)
    log(f"{model.name}: {len(data) / 1e6:.1f} MB in {len(parts)} parts; checking against PyTorch")
    result = parity.check(model, wrapper, tokenizer, package.join_parts(out, parts))
    package.write_model_files(model, out, parts, data, weights, result, tokenizer)
    log(f"{model.name}: done in {time.monotonic() - started:.0f} s ({result.summary()})")
    del torch_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gallery_builder.live.export", description=__doc__)
    parser.add_argument("model", help="minilm or smollm2")
    parser.add_argument("out", type=Path, help="folder to write the model's site files into")
    args = parser.parse_args(argv)
    try:
        export(args.model, args.out)
    except (ExportFailed, ValueError, OSError) as error:
        print(f"gallery: live: export of {args.model} failed: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # torch.onnx and onnxruntime raise many kinds; say which, briefly
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"gallery: live: export of {args.model} failed: {type(error).__name__}: {message}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
