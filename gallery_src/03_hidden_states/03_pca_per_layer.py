"""
# The tokens of a sentence, layer by layer, through PCA

Project the hidden states of every token onto their first two principal components, one panel per layer, to watch the sentence's tokens arrange and rearrange themselves as they pass through the model.

Each panel is a separate PCA of that layer's token vectors: it shows which tokens are close to each other *within* a layer. The axes of different panels are not the same directions, so compare the arrangement of the points, not their coordinates.
"""

# %%
# ## Load the model and collect the hidden states

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get("GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2")
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)  # eager attention, needed for attention weights
model.eval()

inputs = tokenizer("The quick brown fox jumps over the lazy dog.", return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    outputs = model(**inputs, output_hidden_states=True)

hidden_states = torch.stack(outputs.hidden_states)[:, 0].numpy()  # (layers + 1, tokens, hidden)
n_states, n_tokens, hidden_size = hidden_states.shape
print(f"{n_states} hidden states (embeddings + {n_states - 1} layers), {n_tokens} tokens, {hidden_size} dimensions")

# %%
# ## PCA with plain NumPy
#
# For each layer: subtract the mean token vector, take the singular value
# decomposition, and keep the first two right-singular vectors as axes. The
# squared singular values give the share of the variance each axis explains.
#
# A principal axis has no preferred sign, so a panel could come out mirrored
# from one layer to the next for no reason. To make neighboring panels easier
# to compare, each axis is flipped if that makes it agree better with the
# previous layer's coordinates.

projections, explained = [], []
previous = None
for layer in range(n_states):
    centered = hidden_states[layer] - hidden_states[layer].mean(axis=0)
    _, singular_values, components = np.linalg.svd(centered, full_matrices=False)
    coords = centered @ components[:2].T  # (tokens, 2)
    if previous is not None:
        signs = np.sign((coords * previous).sum(axis=0))
        coords = coords * np.where(signs == 0, 1, signs)
    previous = coords
    projections.append(coords)
    explained.append(singular_values[:2] ** 2 / (singular_values**2).sum())

# %%
# ## One panel per layer
#
# Points are tokens; special tokens are drawn in red. Where several tokens
# fall on top of each other, they share one label that lists them all. Each
# panel's title gives the share of
# the variance of that layer's token vectors captured by the two axes: with
# only a dozen points in hundreds of dimensions, two axes never tell the whole
# story.
#
# What to look for, with the default all-MiniLM-L6-v2:
#
# * **Embeddings.** The vectors are context-free word embeddings plus
#   position embeddings, and they are already grouped by kind of word: the
#   nouns and the color ("fox", "dog", "brown") on one side, the adjectives
#   "quick" and "lazy" together, and the two "the" tokens on top of each other
#   (same word, different positions), next to the period and `[SEP]`.
# * **Through the layers.** The broad layout is stable: each layer rewrites
#   the vectors a little (see the previous page), and the same groups persist.
# * **Last layer.** The two axes capture more of the variance, and the
#   arrangement changes: "jumps" and "over" move together, `[CLS]` (and here
#   "brown" too) joins the cluster of function tokens, and "lazy" separates
#   from "quick". This is the layer whose vectors are averaged into the
#   sentence embedding.


def label_points(ax, coords, labels, radius=0.07):
    """Label points without overlaps.

    Points closer than `radius` (as a share of the axis spans) share one label;
    a label that would overlap one already placed is moved down a line.
    """
    scaled = (coords - coords.min(axis=0)) / (np.ptp(coords, axis=0) + 1e-12)
    groups = []  # lists of point indices
    for i in range(len(coords)):
        for group in groups:
            if np.abs(scaled[group[0]] - scaled[i]).max() < radius:
                group.append(i)
                break
        else:
            groups.append([i])
    renderer = ax.figure.canvas.get_renderer()
    placed = []
    for group in sorted(groups, key=lambda g: -coords[g[0], 1]):  # top to bottom
        text = ax.annotate(", ".join(labels[i] for i in group), coords[group[0]], xytext=(4, 2),
                           textcoords="offset points", fontsize=8)
        box = text.get_window_extent(renderer)
        while any(box.overlaps(other) for other in placed):
            x_offset, y_offset = text.xyann
            text.xyann = (x_offset, y_offset - 4)
            box = text.get_window_extent(renderer)
        placed.append(box)


n_cols = min(3, n_states)
n_rows = math.ceil(n_states / n_cols)
special = set(tokenizer.all_special_tokens)

fig, axes = plt.subplots(n_rows, n_cols, figsize=(10, 3.1 * n_rows + 0.5), layout="constrained")
for layer, ax in enumerate(axes.flat):
    if layer >= n_states:
        ax.axis("off")
        continue
    coords = projections[layer]
    colors = ["tab:red" if t in special else "tab:blue" for t in tokens]
    ax.scatter(coords[:, 0], coords[:, 1], c=colors, s=18)
    ax.margins(x=0.35, y=0.12)
    name = "embeddings" if layer == 0 else f"layer {layer}"
    ax.set_title(f"{name} ({explained[layer].sum():.0%} of variance)", fontsize=9)
    ax.set_xlabel(f"PC1 ({explained[layer][0]:.0%})", fontsize=8)
    ax.set_ylabel(f"PC2 ({explained[layer][1]:.0%})", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
fig.suptitle("Token hidden states on each layer's first two principal components")
fig.canvas.draw()  # fix the layout first, so that label sizes can be measured
fig.set_layout_engine("none")
for layer in range(n_states):
    label_points(axes.flat[layer], projections[layer], tokens)
plt.show()

# %%
# ## Which tokens are nearest?
#
# PCA squeezes hundreds of dimensions into two. To check an impression from
# the plot, look at distances in the full space: here, each token's nearest
# other token (by cosine similarity) in the embedding layer and in the last
# layer. With the default model, the embedding layer pairs words of the same
# kind ("quick" with "lazy", "brown" with "fox"), while the last layer pairs
# tokens by their role in this sentence ("jumps" with "over", "fox" with
# "dog").

for layer in (0, n_states - 1):
    unit = hidden_states[layer] / np.linalg.norm(hidden_states[layer], axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    name = "embeddings" if layer == 0 else f"layer {layer}"
    pairs = [f"{tokens[t]}→{tokens[int(similarity[t].argmax())]}" for t in range(n_tokens)]
    print(f"{name:>10}: " + ", ".join(pairs))

# %%
# ## Caveats
#
# * Twelve points in hundreds of dimensions: the first two components are
#   shaped by whichever few tokens are most different, often the special
#   tokens. Drop them (or use many sentences) to see finer structure.
# * PCA is linear and unsupervised. Closeness in a panel is not the same as
#   similarity of meaning, and the axes have no built-in interpretation.
