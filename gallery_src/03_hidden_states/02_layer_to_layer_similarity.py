"""
# How much does each layer change each token?

Measure how much each layer turns each token's vector, to see where in the stack the representations change most.

For every token, the page computes the cosine similarity between its vector before and after each layer, and then compares every layer with every other one. A similarity close to 1 means the layer left the token's vector pointing the same way; lower values mean the layer rewrote it. Because BERT's hidden states all lean in a few common directions, the page also measures how similar *different* tokens are, as a baseline for reading the numbers.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Load the model and collect the hidden states

import os

import matplotlib.pyplot as plt
import numpy as np
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
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    outputs = model(**inputs, output_hidden_states=True)

# (layers + 1, tokens, hidden); index 0 is the embedding output
hidden_states = torch.stack(outputs.hidden_states)[:, 0]
n_states, n_tokens, _ = hidden_states.shape
# unit vectors: dot product = cosine
unit = torch.nn.functional.normalize(hidden_states, dim=-1)
print(
    f"{n_states} hidden states (embeddings + {n_states - 1} layers), "
    f"{n_tokens} tokens"
)

# %%
# ## Token by token, layer by layer
#
# Each cell is `cos(h_l[t], h_(l+1)[t])`: how similar token `t`'s vector is
# before and after one layer. Columns are the layer transitions, from the
# embedding output into layer 1 up to the last layer.
#
# With the default all-MiniLM-L6-v2, the last layer changes every token the
# most, and function words and special tokens ("the", the period, `[SEP]`)
# most of all. The first layer, which turns context-free word embeddings into
# contextual vectors, changes the content words more than the middle layers
# do (on average over the content words). The middle layers make smaller
# adjustments, with similarities of 0.9 and above for most content words.
# `[CLS]` hardly changes at all there (above 0.97), which fits its role as an
# attention sink in those layers (see the attention pages).

transition = (unit[1:] * unit[:-1]).sum(-1).numpy()  # (transitions, tokens)
labels = ["emb→1"] + [
    f"{layer}→{layer + 1}" for layer in range(1, n_states - 1)
]

fig, ax = plt.subplots(figsize=(6.8, 5.8))
image = ax.imshow(transition.T, cmap="viridis", vmin=0, vmax=1, aspect="auto")
for t in range(n_tokens):
    for step in range(n_states - 1):
        value = transition[step, t]
        ax.text(
            step,
            t,
            f"{value:.2f}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if value < 0.6 else "black",
        )
ax.set_xticks(range(n_states - 1))
ax.set_xticklabels(labels)
ax.set_yticks(range(n_tokens))
ax.set_yticklabels(tokens)
ax.set_xlabel("layer transition (0 = embeddings)")
ax.set_ylabel("token")
ax.set_title(
    "Cosine similarity of each token's vector\nbefore and after each layer"
)
fig.colorbar(image, ax=ax, label="cosine similarity")
plt.tight_layout()
plt.show()

# the last layer changes every token the most
assert (transition.argmin(axis=0) == n_states - 2).all()
function_words = [
    t for t, token in enumerate(tokens) if token in ("the", ".", "[SEP]")
]
# ... and these most of all
assert set(np.argsort(transition[-1])[: len(function_words)]) == set(
    function_words
)
content = [
    t
    for t, token in enumerate(tokens)
    if token not in ("the", ".", "[SEP]", "[CLS]")
]
# transitions 1→2 up to the one before the last layer
middle = transition[1:-1]
# the first layer changes them more
assert transition[0, content].mean() < middle[:, content].mean(axis=1).min()
high = (middle[:, content] >= 0.9).mean()
print(
    f"middle layers: {high:.0%} of the content-word similarities are 0.9 or "
    "above"
)
assert high > 0.6, high
assert middle[:, tokens.index("[CLS]")].min() > 0.97  # [CLS] hardly changes

# %%
# ## A baseline: how similar are different tokens?
#
# Cosine similarities of hidden states are not centered on zero. In many
# transformers the vectors of *all* tokens share a few dominant directions
# (they are *anisotropic*, Ethayarajh 2019), so even unrelated tokens can
# have a sizable cosine similarity. The blue line is the average similarity
# between two different tokens of the sentence in the same layer; the orange
# line is the average of each column of the heatmap above (a token with
# itself, one layer apart).
#
# With the default model, the similarity between different tokens grows from
# near zero at the embeddings to about a third in the last layer. Each token
# remains far more similar to itself in the next layer than to its
# neighbors (by more than 0.2 at every layer), so the layers rewrite the
# vectors gradually rather than mixing them into one.

off_diagonal = ~torch.eye(n_tokens, dtype=torch.bool)
cross_token = torch.stack(
    [(u @ u.T)[off_diagonal].mean() for u in unit]
).numpy()
layers = np.arange(n_states)

fig, ax = plt.subplots(figsize=(6.8, 3.6))
ax.plot(
    layers, cross_token, marker="o", label="two different tokens, same layer"
)
ax.plot(
    layers[1:] - 0.5,
    transition.mean(axis=1),
    marker="s",
    label="same token, consecutive layers (drawn between them)",
)
ax.set_xticks(layers)
ax.set_xlabel("layer (0 = embeddings)")
ax.set_ylabel("mean cosine similarity")
ax.set_ylim(0, 1.05)
ax.set_title("Self-similarity across a layer vs. similarity between tokens")
ax.legend(fontsize=9)
ax.grid(True, alpha=0.3)
plt.tight_layout()
plt.show()

for layer in layers:
    print(
        f"layer {layer}: mean cosine between different tokens "
        f"{cross_token[layer]:.3f}"
    )
# near zero, then about a third
assert cross_token[0] < 0.1 and 0.28 < cross_token[-1] < 0.42, cross_token
assert (transition.mean(axis=1) > cross_token[1:] + 0.2).all()

# %%
# ## Every layer against every other layer
#
# Entry `(i, j)` is the cosine similarity between a token's vector at layer
# `i` and at layer `j`, averaged over the tokens. The diagonal is 1. The
# closer to the diagonal the bright band reaches, the more local the changes:
# with the default model, similarity decays steadily away from the diagonal
# in every row, and the last layer is the least similar to the others (its
# row has the lowest average). Between the embedding layer and the last layer
# the average similarity is only about 0.4.

layer_by_layer = torch.einsum("itd,jtd->ijt", unit, unit).mean(-1).numpy()

fig, ax = plt.subplots(figsize=(6, 5))
image = ax.imshow(layer_by_layer, cmap="viridis", vmin=0, vmax=1)
for i in range(n_states):
    for j in range(n_states):
        ax.text(
            j,
            i,
            f"{layer_by_layer[i, j]:.2f}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if layer_by_layer[i, j] < 0.6 else "black",
        )
ax.set_xticks(layers)
ax.set_yticks(layers)
ax.set_xlabel("layer j (0 = embeddings)")
ax.set_ylabel("layer i (0 = embeddings)")
ax.set_title("Mean over tokens of cos(h_i[t], h_j[t])")
fig.colorbar(image, ax=ax, label="cosine similarity")
plt.tight_layout()
plt.show()

for i in range(n_states):
    assert (np.diff(layer_by_layer[i, i:]) < 0).all() and (
        np.diff(layer_by_layer[i, : i + 1]) > 0
    ).all(), i
# without the diagonal
row_mean = (layer_by_layer.sum(axis=1) - 1) / (n_states - 1)
assert row_mean.argmin() == n_states - 1, row_mean
assert 0.3 < layer_by_layer[0, -1] < 0.5, layer_by_layer[0, -1]  # about 0.4

# %%
# ## Caveats
#
# * Cosine similarity sees direction only. A layer that scales a vector
#   without turning it scores 1.
# * A few hidden dimensions with very large values can dominate the cosine.
#   Centering the vectors (subtracting the mean over tokens) or standardizing
#   each dimension changes the numbers; the trends on this page are what to
#   look at, not the third decimal.
# * One sentence is a small sample. Run the script on your own sentences.
