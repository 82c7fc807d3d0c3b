"""Check an exported model against PyTorch on fixed sentences, with onnxruntime running the
exact bytes the site ships: attention max abs difference, the top-10 next tokens, and the logit
lens's top-1 agreement."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .models import ATTENTION_TOLERANCE, LENS_TOP1_TARGET, PAIR, PARITY_SENTENCES, ExportFailed, LiveModel


@dataclass(frozen=True)
class Parity:
    attention_max_abs: float
    attention_tolerance: float
    top10_same: bool | None  # None for models without next-token logits
    lens_top1_agreement: float | None
    sentences: int
    truncated_to: int  # the longest sentence was cut to max_tokens tokens

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        text = f"attention max abs {self.attention_max_abs:.2g}"
        if self.top10_same is not None:
            text += f", top-10 same: {self.top10_same}, lens top-1 {self.lens_top1_agreement:.1%}"
        return text

    def misses(self) -> list[str]:
        found = []
        if not self.attention_max_abs <= self.attention_tolerance:
            found.append(f"attention differs by {self.attention_max_abs:.3g} > {self.attention_tolerance}")
        if self.top10_same is False:
            found.append("the top-10 next tokens differ from PyTorch's")
        if self.lens_top1_agreement is not None and self.lens_top1_agreement < LENS_TOP1_TARGET:
            found.append(f"logit-lens top-1 agrees in {self.lens_top1_agreement:.1%} < {LENS_TOP1_TARGET:.0%}")
        return found


def session(onnx_bytes: bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])


def _encodings(model: LiveModel, tokenizer: Any) -> list[dict[str, Any]]:
    def encode(*text: str) -> dict[str, Any]:
        found = tokenizer(*text, truncation=True, max_length=model.max_tokens, return_tensors="pt")
        return {name: found[name] for name in model.inputs}

    encodings = [encode(s) for s in PARITY_SENTENCES]
    if "token_type_ids" in model.inputs:
        encodings.append(encode(*PAIR))
    return encodings


def measure(model: LiveModel, wrapper: Any, tokenizer: Any, onnx_bytes: bytes) -> Parity:
    import torch

    run = session(onnx_bytes)
    worst, same, agree, cells = 0.0, True, 0, 0
    encodings = _encodings(model, tokenizer)
    for feeds in encodings:
        with torch.no_grad():
            expected = wrapper(**feeds)
        expected = [expected] if isinstance(expected, torch.Tensor) else list(expected)
        got = run.run(list(model.outputs), {k: v.numpy().astype(np.int64) for k, v in feeds.items()})
        named = dict(zip(model.outputs, got, strict=True))
        want = dict(zip(model.outputs, (t.numpy() for t in expected), strict=True))
        worst = max(worst, float(np.abs(named["attentions"] - want["attentions"]).max()))
        if "logits" in named:
            same &= bool((np.argsort(-named["logits"])[:10] == np.argsort(-want["logits"])[:10]).all())
            agree += int((named["lens_ids"][..., 0] == want["lens_ids"][..., 0]).sum())
            cells += want["lens_ids"][..., 0].size
    decoder = "logits" in model.outputs
    return Parity(
        attention_max_abs=worst,
        attention_tolerance=ATTENTION_TOLERANCE,
        top10_same=same if decoder else None,
        lens_top1_agreement=agree / cells if decoder else None,
        sentences=len(encodings),
        truncated_to=max(int(f["input_ids"].shape[1]) for f in encodings),
    )


def check(model: LiveModel, wrapper: Any, tokenizer: Any, onnx_bytes: bytes) -> Parity:
    result = measure(model, wrapper, tokenizer, onnx_bytes)
    if result.truncated_to != model.max_tokens:
        raise ExportFailed(f"{model.name}: the longest check sentence has {result.truncated_to} tokens, "
                           f"not the {model.max_tokens} it should be truncated to")
    misses = result.misses()
    if misses:
        raise ExportFailed(f"{model.name} misses its parity targets: " + "; ".join(misses))
    return result
