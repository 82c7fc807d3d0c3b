"""
# Attention through the layers, animated

Play one sentence's attention map layer by layer, and watch the heads gather on `[CLS]` and spread out again.

Each frame is one layer of MiniLM: the attention weights averaged over the layer's heads, query
tokens down the side, key tokens along the bottom. Press play (or step with the arrows) to move
from the first layer to the last. The animation is matplotlib's `FuncAnimation`; the gallery
turns it into a player that works offline, as sphinx-gallery does.

Averaging over heads hides what single heads do (see the other pages of this section); it shows
where the layer as a whole sends its attention.
"""

# %%
# ## Attention of every layer
#
# Each head of each layer computes, from the layer's queries $Q$ and keys $K$ (one row per token,
# $d_k$ numbers each), the attention weights
#
# $$
# A = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right),
# $$
#
# the softmax taken along each row, so that row $q$ says how token $q$ shares its reading among
# the keys. `output_attentions=True` returns these weights, one tensor per layer, of shape
# `(batch, heads, query, key)`. Averaging over the heads gives one token × token matrix per layer;
# each row still sums to 1.

import os

import matplotlib.pyplot as plt
import torch
from matplotlib.animation import FuncAnimation
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()
n_layers = model.config.num_hidden_layers
n_heads = model.config.num_attention_heads

sentence = "The quick brown fox jumps over the lazy dog."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    attentions = model(**inputs).attentions

# (layers, query, key)
per_layer = torch.stack([layer[0].mean(dim=0) for layer in attentions])
assert per_layer.shape == (n_layers, len(tokens), len(tokens))
assert torch.allclose(
    per_layer.sum(dim=-1), torch.ones(n_layers, len(tokens)), atol=1e-4
)

# %%
# ## The animation
#
# One frame per layer. `FuncAnimation` calls `show_layer` with the frame number and redraws the
# image in place. Keep the animation in a variable (`player` here): the gallery finds it there.

fig, ax = plt.subplots(figsize=(5.6, 5.0))
image = ax.imshow(per_layer[0].numpy(), cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=9)
ax.set_yticks(range(len(tokens)), tokens, fontsize=9)
ax.set_xlabel("key token (attended to)", fontsize=9)
ax.set_ylabel("query token (attending)", fontsize=9)
colorbar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
colorbar.set_label(f"attention weight, mean of {n_heads} heads", fontsize=9)
colorbar.ax.tick_params(labelsize=8)
title = ax.set_title("", fontsize=10)
fig.tight_layout()


def show_layer(layer):
    image.set_data(per_layer[layer].numpy())
    title.set_text(f"Layer {layer + 1} of {n_layers}")
    return image, title


player = FuncAnimation(fig, show_layer, frames=n_layers, interval=900)
plt.show()

# %%
# ## What the frames show
#
# The first column, `[CLS]`, is the story. In layer 1 the attention is spread out: about a third
# of it goes to `[CLS]` and the rest over the sentence. In the middle layers (2 to 5) more than
# half of the weight, on average over the rows, goes to `[CLS]`: heads that have nothing to look
# for park their attention on a token that is always there, the pattern Clark et
# al. found in BERT ("What Does BERT Look At? An Analysis of BERT's Attention", 2019,
# <https://arxiv.org/abs/1906.04341>). In the last layer the attention spreads out again.
#
# Two numbers per layer measure this: the mean weight on `[CLS]`, and the mean entropy of the
# rows (0 when a row looks at one token; the log of the number of tokens when it looks at all
# of them evenly).

cls_share = per_layer[:, :, 0].mean(dim=1)
entropy = (
    -(per_layer * torch.log(per_layer.clamp_min(1e-12)))
    .sum(dim=-1)
    .mean(dim=1)
)
for layer in range(n_layers):
    print(
        f"layer {layer + 1}: weight on [CLS] {cls_share[layer]:.2f}, row "
        f"entropy {entropy[layer]:.2f} nats"
    )

assert 0.2 < cls_share[0] < 0.4, cls_share[0]  # "about a third" in layer 1
# middle layers
assert all(0.5 < cls_share[layer] < 0.8 for layer in range(1, n_layers - 1)), (
    cls_share
)
# spread out again in the last layer
assert 0.25 < cls_share[-1] < 0.45, cls_share[-1]
# the middle layers are much more focused
assert entropy[0] - entropy[1:-1].min() > 0.5, entropy
assert entropy[-1] - entropy[1:-1].min() > 0.4, entropy

# %%
# ## Caveats
#
# - Attention weights say where a head reads from, not how much what it reads changes the result:
#   a head parked on `[CLS]` often writes almost nothing (its value vector there is small).
#   The attribution pages measure effect instead.
# - A mean over heads mixes heads that do different things; the head-statistics page separates them.
# - One sentence is one example: run your own sentences through it before building on the pattern.
