"""
# Head view: one layer's attention as lines between tokens

An interactive bertviz head view: one layer's attention heads drawn as lines from each token to the tokens it attends to.

Pick a layer, switch heads on and off, and hover over a token to isolate its attention. This is the last view of "How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya, the original tutorial this gallery grew from, called exactly as the original tutorial calls it. It shows the same numbers as the heatmaps of the attention section, in a form that makes it quick to follow one token.

Under the view, type a sentence of your own and press Enter: the page runs the model in your browser (an ONNX export of the same weights, with onnxruntime-web) and draws the head view again for your sentence. Nothing is downloaded until you ask, and nothing leaves your browser.
"""

# gallery_live = "head_view"

# %%
# ## Load the model and run the sentence
#
# bertviz takes the tuple of attention tensors that the model returns (one
# per layer, each of shape `(1, heads, tokens, tokens)`) and the list of
# tokens.

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
    f"{len(attention)} layers x {attention[0].shape[1]} heads, {len(tokens)} "
    "tokens"
)

# Two patterns the view shows with the default model, checked here: head 2 of
# layer 0 puts nearly all of its weight on the previous token, and in the
# middle layers more than half of all attention goes to [CLS].
assert attention[0][0, 2].diagonal(-1).mean() > 0.9
# (layers, heads, query, key)
middle_layers = torch.stack(attention[1:-1])[:, 0]
assert middle_layers[..., 0].mean() > 0.5, middle_layers[..., 0].mean()

# %%
# ## The view
#
# How to read and use it:
#
# * **Layer**: the drop-down menu at the top selects the layer (numbered from
#   0).
# * **Heads**: each colored square at the top is one head of that layer. Click a
#   square to hide or show that head; double-click it to show that head alone
#   (double-click again to bring all heads back).
# * **Lines**: the tokens on the left are the queries, the same tokens on the
#   right are the keys. A line from a left token to a right token is drawn in
#   the head's color, with an opacity equal to the attention weight: faint
#   lines are small weights. With all heads shown, the colors overlap.
# * **Hover** over a token on the left to see only the attention *from* it;
#   colored bars beside the right-hand tokens then show each head's weights.
#   Hover over a token on the right to see the attention *to* it.
#
# Things to try with the default all-MiniLM-L6-v2: in layer 0, double-click
# head 2, the previous-token head; in the middle layers, notice how many lines
# converge on `[CLS]`, which receives more than half of all their attention.

from bertviz import head_view

head_view(attention, tokens)
