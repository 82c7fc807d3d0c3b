"""
# Model view: every head of every layer at once

An interactive bertviz model view: every head of every layer as a small attention diagram, to click and enlarge.

The grid has one row per layer and one column per head. Where the head view shows one layer, the model view shows the whole model on one screen. It is the quickest way to spot heads with a distinctive pattern, such as positional heads or heads that all point at one token.

Under the view, type a sentence of your own and press Enter: the page runs the model in your browser (an ONNX export of the same weights, with onnxruntime-web) and draws the model view again for your sentence. Nothing is downloaded until you ask, and nothing leaves your browser.
"""

# gallery_live = "model_view"

# %%
# ## Load the model and run the sentence

import os

import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager attention, needed for attention weights
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()

inputs = tokenizer(
    "The quick brown fox jumps over the lazy dog.", return_tensors="pt"
)
with torch.no_grad():
    outputs = model(**inputs)

attention = outputs.attentions
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
print(
    f"{len(attention)} layers x {attention[0].shape[1]} heads = "
    f"{len(attention) * attention[0].shape[1]} thumbnails, {len(tokens)} "
    "tokens each"
)

# The pattern described below, checked: in the middle layers, most heads put
# more than half of their attention on [CLS] (position 0).
# (middle layers, heads)
cls_share = torch.stack(attention[1:-1])[:, 0, :, :, 0].mean(-1)
print(
    f"middle-layer heads with more than half of their attention on [CLS]: "
    f"{(cls_share > 0.5).sum()} of {cls_share.numel()}"
)
assert (cls_share > 0.5).float().mean() > 0.5

# %%
# ## The view
#
# How to read and use it:
#
# * **Rows are layers, columns are heads**, both numbered from 0. Each
#   thumbnail connects the tokens on its left (queries) to the same tokens on
#   its right (keys); the opacity of a line is the attention weight.
# * **Click a thumbnail** to open a larger view of that head next to it, with
#   the tokens written out. Click the same thumbnail again to close it.
# * In the larger view, **hover over a token** on the left to see only the
#   attention from that token.
#
# Patterns to look for: a set of parallel lines slanting by one row is a
# previous-token or next-token head; a fan of lines converging on the first
# token is a head attending to `[CLS]`, the dominant pattern in the middle
# layers of the default all-MiniLM-L6-v2 (most heads there, as printed above).
# Compare with the per-head
# statistics on the attention pages.
#
# For long inputs the view gets slow: `model_view(..., include_layers=[...])`
# and `include_heads=[...]` restrict it to some layers or heads.

from bertviz import model_view

model_view(attention, tokens)
