"""
# The tokens of a sentence, layer by layer, through PCA

Project every token's hidden state onto two principal components, one panel per layer, and watch the tokens regroup.

The panels follow the sentence's tokens as they pass through the model. Each panel is a separate PCA of that layer's token vectors: it shows which tokens are close to each other *within* a layer. The axes of different panels are not the same directions, so compare the arrangement of the points, not their coordinates.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Load the model and collect the hidden states

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.transforms import Bbox
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

# (layers + 1, tokens, hidden)
hidden_states = torch.stack(outputs.hidden_states)[:, 0].numpy()
n_states, n_tokens, hidden_size = hidden_states.shape
print(
    f"{n_states} hidden states (embeddings + {n_states - 1} layers), "
    f"{n_tokens} tokens, {hidden_size} dimensions"
)

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
    _, singular_values, components = np.linalg.svd(
        centered, full_matrices=False
    )
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
# panel's title gives the share of the variance of that layer's token vectors
# captured by the two axes: with only a dozen points in hundreds of
# dimensions, two axes never tell the whole story. The axes carry no tick
# values, since the coordinates themselves mean nothing.
#
# What to look for, with the default all-MiniLM-L6-v2 (the checks under the
# figure measure each of these on the panels' coordinates):
#
# * **Embeddings.** The vectors are context-free word embeddings plus
#   position embeddings, and they are already grouped by kind of word: the
#   nouns and the color ("fox", "dog", "brown") at one end of the first
#   axis, and the two "the" tokens on top of each other (same word,
#   different positions), next to the period and `[SEP]`.
# * **Through the layers.** The broad layout is stable: each layer rewrites
#   the vectors a little (see the previous page), and the same groups persist.
# * **Last layer.** The two axes capture more of the variance than in any
#   other layer, and the arrangement changes: "jumps" and "over" move
#   together, and "brown" joins `[CLS]` and the cluster of function tokens.
#   This is the layer whose vectors are averaged into the sentence embedding.


def label_points(ax, coords, labels, radius=0.04):
    """Label points without overlaps.

    Points closer than `radius` (as a share of the axis spans) share one label.
    Each label goes to the first of a few spots around its point (right, left,
    above, below, then further out) where it covers no other point and no
    label placed before it.
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
    spots = [
        ((5, 0), "left", "center"),
        ((-5, 0), "right", "center"),
        ((0, 5), "center", "bottom"),
        ((0, -5), "center", "top"),
        ((5, 8), "left", "bottom"),
        ((5, -8), "left", "top"),
        ((-5, 8), "right", "bottom"),
        ((-5, -8), "right", "top"),
        ((0, 14), "center", "bottom"),
        ((0, -14), "center", "top"),
    ]
    renderer = ax.figure.canvas.get_renderer()
    points = ax.transData.transform(coords)  # in pixels
    dot = 4  # half the size of a point's marker, in pixels
    placed = []
    for group in groups:
        others = [
            Bbox.from_extents(x - dot, y - dot, x + dot, y + dot)
            for i, (x, y) in enumerate(points)
            if i not in group
        ]
        text = ax.annotate(
            ", ".join(labels[i] for i in group),
            coords[group[0]],
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=8,
        )
        for offset, ha, va in spots:
            text.xyann = offset
            text.set_ha(ha)
            text.set_va(va)
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed + others):
                break
        placed.append(box)


n_cols = min(2, n_states)
n_rows = math.ceil(n_states / n_cols)
special = set(tokenizer.all_special_tokens)

fig, axes = plt.subplots(
    n_rows, n_cols, figsize=(6.8, 2.55 * n_rows + 0.4), layout="constrained"
)
for layer, ax in enumerate(axes.flat):
    if layer >= n_states:  # a spare panel: use it for the legend
        ax.axis("off")
        ax.scatter([], [], c="tab:blue", s=18, label="word token")
        ax.scatter([], [], c="tab:red", s=18, label="special token")
        ax.legend(loc="center", fontsize=9, frameon=False)
        continue
    coords = projections[layer]
    colors = ["tab:red" if t in special else "tab:blue" for t in tokens]
    ax.scatter(coords[:, 0], coords[:, 1], c=colors, s=18)
    ax.margins(x=0.3, y=0.15)
    name = "embeddings" if layer == 0 else f"layer {layer}"
    ax.set_title(
        f"{name} ({explained[layer].sum():.0%} of variance)", fontsize=9
    )
    ax.set_xlabel(f"PC1 ({explained[layer][0]:.0%})", fontsize=8)
    ax.set_ylabel(f"PC2 ({explained[layer][1]:.0%})", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle(
    "Token hidden states on each layer's first two principal components",
    fontsize=11,
)
fig.canvas.draw()  # fix the layout first, so that label sizes can be measured
fig.set_layout_engine("none")
for layer in range(n_states):
    label_points(axes.flat[layer], projections[layer], tokens)
plt.show()


def apart(a, b, layer):
    """Distance between the first token `a` and the last token `b` in a panel,
    as a share of its larger span."""
    coords = projections[layer]
    return (
        np.linalg.norm(
            coords[tokens.index(a)]
            - coords[len(tokens) - 1 - tokens[::-1].index(b)]
        )
        / np.ptp(coords, axis=0).max()
    )


first, last = 0, n_states - 1
by_pc1 = [tokens[i] for i in np.argsort(projections[first][:, 0])]
# at one end of the first axis
assert {"fox", "dog", "brown"} in ({*by_pc1[:3]}, {*by_pc1[-3:]}), by_pc1
assert apart("the", "the", first) < 0.05  # the two "the" on top of each other
# next to "." and [SEP]
assert apart("the", ".", first) < 0.15 and apart("the", "[SEP]", first) < 0.15
# token-to-token cosine similarities per layer, in the full space
similarities = []
for layer in range(n_states):
    unit = hidden_states[layer] / np.linalg.norm(
        hidden_states[layer], axis=1, keepdims=True
    )
    similarities.append((unit @ unit.T)[np.triu_indices(n_tokens, 1)])
stability = [
    np.corrcoef(similarities[i], similarities[i + 1])[0, 1]
    for i in range(n_states - 1)
]
print(
    "correlation of the token-to-token similarities of consecutive layers:",
    np.round(stability, 2),
)
# stable until the last layer
assert min(stability[:-1]) > 0.9 and stability[-1] < min(stability[:-1]), (
    stability
)
assert int(np.argmax([e.sum() for e in explained])) == last
# they move together
assert (
    apart("jumps", "over", last) < 0.2 and apart("jumps", "over", first) > 0.4
)
# brown joins [CLS] and "the"
assert apart("brown", "the", last) < 0.2 and apart("[CLS]", "the", last) < 0.2
assert apart("brown", "the", first) > 0.5

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
    unit = hidden_states[layer] / np.linalg.norm(
        hidden_states[layer], axis=1, keepdims=True
    )
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    name = "embeddings" if layer == 0 else f"layer {layer}"
    nearest = {
        tokens[t]: tokens[int(similarity[t].argmax())] for t in range(n_tokens)
    }
    pairs = [
        f"{tokens[t]}→{tokens[int(similarity[t].argmax())]}"
        for t in range(n_tokens)
    ]
    print(f"{name:>10}: " + ", ".join(pairs))
    if layer == 0:
        assert nearest["quick"] == "lazy" and nearest["brown"] == "fox", (
            nearest
        )
    else:
        assert nearest["jumps"] == "over" and nearest["fox"] == "dog", nearest

# %%
# ## Caveats
#
# * Twelve points in hundreds of dimensions: the first two components are
#   shaped by whichever few tokens are most different, often the special
#   tokens. Drop them (or use many sentences) to see finer structure.
# * PCA is linear and unsupervised. Closeness in a panel is not the same as
#   similarity of meaning, and the axes have no built-in interpretation.
