"""
# Every head of one layer

Draw every attention head of one layer side by side on one shared color scale, to compare the heads at a glance.

The original tutorial ("How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya) drew this grid with one seaborn heatmap per head. Here each panel is a plain `imshow`, which is much faster, and all panels share one colorbar, so the same color means the same weight in every panel. The grid's shape is computed from the model's number of heads.
"""

# gallery_thumbnail_number = 1
# gallery_live = "layer_heads"
# gallery_thumbnail_panel = 3

# %%
# ## Load the model and run the sentence

import math
import os

import matplotlib.pyplot as plt
import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager attention, needed for attention weights
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()

n_layers = model.config.num_hidden_layers
n_heads = model.config.num_attention_heads
print(f"{MODEL_NAME}: {n_layers} layers x {n_heads} heads per layer")

sentence = "The quick brown fox jumps over the lazy dog."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    # one (1, heads, query, key) tensor per layer
    attention = model(**inputs).attentions

# %%
# ## A function that draws one layer
#
# Three panels per row keep the token labels readable at the width of the
# page; the number of rows follows from the model's number of heads. Token
# labels are written only on the left column (queries) and the bottom row
# (keys), since every panel shows the same tokens. All panels use the color
# range 0 to 1, so the panels can be compared with each other.

n_cols = min(3, n_heads)
n_rows = math.ceil(n_heads / n_cols)


def plot_layer(layer):
    # inches: figure, margins, space between panels
    width, left, right, gap = 6.8, 0.75, 1.0, 0.12
    # about 1.6 inches: room for 8-point labels
    panel = (width - left - right - gap * (n_cols - 1)) / n_cols
    # inches above and below the grid, and for each panel's title
    top, bottom, title = 0.75, 0.6, 0.28
    height = n_rows * panel + (n_rows - 1) * title + top + bottom
    fig, axes = plt.subplots(
        n_rows,
        n_cols,
        figsize=(width, height),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    # fixed margins draw much faster than a layout engine
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=gap / panel,
        hspace=title / panel,
    )
    for head, ax in enumerate(axes.flat):
        if head >= n_heads:
            ax.axis("off")
            continue
        image = ax.imshow(
            attention[layer][0, head].numpy(), cmap="viridis", vmin=0, vmax=1
        )
        ax.set_title(f"head {head}", fontsize=9, pad=3)
        ax.set_xticks(range(len(tokens)))
        ax.set_yticks(range(len(tokens)))
        ax.set_xticklabels(tokens, rotation=90, fontsize=8)
        ax.set_yticklabels(tokens, fontsize=8)
    colorbar_axes = fig.add_axes([1 - 0.75 / width, 0.3, 0.15 / width, 0.4])
    fig.colorbar(
        image,
        cax=colorbar_axes,
        label="attention weight (rows: queries, columns: keys)",
    )
    fig.suptitle(
        f"Layer {layer}: all {n_heads} heads (rows = queries, columns = keys)",
        fontsize=11,
        y=1 - 0.2 / height,
    )
    return fig


plot_layer(0)
plt.show()

# %%
# ## Reading the first layer
#
# Look for patterns rather than single cells:
#
# * a **diagonal just below the main diagonal** is a previous-token head
#   (each token reads the token before it); just above it, a next-token head;
# * a **bright first or last column** is a head that parks its attention on
#   `[CLS]` or `[SEP]`;
# * a **washed-out panel** is a head that averages over the whole sentence.
#
# With the default all-MiniLM-L6-v2, exactly one head of the first layer is
# an almost perfect previous-token head (more than 0.9 of the weight on the
# previous token), and the other heads spread their weight broadly; most of
# them with a visible `[CLS]` column, at least twice the share that uniform
# attention would give it. The numbers below make that concrete: for each
# head, the average weight on the previous token, on the next token, on the
# token itself, and on `[CLS]` and `[SEP]`.


def head_summary(layer):
    """Print the table and return the columns, one value per head."""
    columns = {
        name: torch.zeros(n_heads)
        for name in ["previous", "next", "self", "cls", "sep"]
    }
    print("head  previous  next  self  [CLS]  [SEP]")
    for head in range(n_heads):
        a = attention[layer][0, head]
        row = [
            a.diagonal(-1).mean(),
            a.diagonal(1).mean(),
            a.diagonal().mean(),
            a[:, 0].mean(),
            a[:, -1].mean(),
        ]
        for name, value in zip(columns, row):
            columns[name][head] = value
        print(
            f"{head:>4}  {row[0]:8.2f}  {row[1]:4.2f}  {row[2]:4.2f}  "
            f"{row[3]:5.2f}  {row[4]:5.2f}"
        )
    return columns


first = head_summary(0)
uniform_share = 1 / len(tokens)
# exactly one previous-token head
assert (first["previous"] > 0.9).sum() == 1, first["previous"]
assert (first["previous"] < 0.5).sum() == n_heads - 1  # ... and no other
# most show a [CLS] column
assert (first["cls"] > 2 * uniform_share).sum() > n_heads / 2, first["cls"]

# %%
# ## A middle layer
#
# The same grid for a layer in the middle of the stack. With the default model,
# the middle layers look very different from the first one: in most heads the
# average row puts half or more of its weight on `[CLS]`, which shows up as a
# bright first column, and the sharp positional patterns of layer 0 are gone
# (no head puts even half of its weight on the previous token); one head reads
# the final period and `[SEP]` instead.
#
# all-MiniLM-L6-v2 builds its sentence embedding by *averaging* the token
# vectors of the last layer, so `[CLS]` has no special role in its output. The
# attention it receives is most likely a "no-op" sink, not a sign that `[CLS]`
# matters. (In bert-base-uncased, Clark et al. 2019 found the same behavior,
# with `[SEP]` as the sink.)

middle = n_layers // 2
plot_layer(middle)
plt.show()

middle_stats = head_summary(middle)
assert (middle_stats["cls"] > 0.5).sum() > n_heads / 2, middle_stats["cls"]
assert middle_stats["previous"].max() < 0.5, middle_stats["previous"]
# share on the last two tokens: "." and [SEP]
ends = attention[middle][0, :, :, -2:].sum(-1).mean(-1)
reader = int(ends.argmax())
print(
    f"head {reader} puts {ends[reader]:.2f} of its weight on '.' and [SEP], "
    f"{middle_stats['cls'][reader]:.2f} on [CLS]"
)
assert ends[reader] > 0.35 and middle_stats["cls"][reader] < 0.2

# %%
# The share of attention that goes to `[CLS]`, averaged over all heads and
# query tokens, layer by layer. With the default model it rises from under 0.4
# in the first layer to over 0.5 in every middle layer, and drops again under
# 0.4 in the last one. The page on head statistics measures this and other
# patterns for every head of every layer.

cls_share = torch.stack(
    [attention[layer][0, :, :, 0].mean() for layer in range(n_layers)]
)
for layer in range(n_layers):
    print(f"layer {layer}: {cls_share[layer]:.2f}")
assert cls_share[0] < 0.4 and cls_share[-1] < 0.4, cls_share
assert (cls_share[1:-1] > 0.5).all(), cls_share
