"""
# Every head of one layer

Draw all the attention heads of a layer side by side on one shared color scale, to see at a glance how differently the heads of a single layer attend.

The seed tutorial drew this grid with one seaborn heatmap per head. Here each panel is a plain `imshow`, which is much faster, and all panels share one colorbar, so the same color means the same weight in every panel. The grid's shape is computed from the model's number of heads.
"""

# %%
# ## Load the model and run the sentence

import math
import os

import matplotlib.pyplot as plt
import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get("GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2")
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)  # eager attention, needed for attention weights
model.eval()

n_layers = model.config.num_hidden_layers
n_heads = model.config.num_attention_heads
print(f"{MODEL_NAME}: {n_layers} layers x {n_heads} heads per layer")

sentence = "The quick brown fox jumps over the lazy dog."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
with torch.no_grad():
    attention = model(**inputs).attentions  # one (1, heads, query, key) tensor per layer

# %%
# ## A function that draws one layer
#
# The grid is as square as possible: `ceil(sqrt(heads))` columns. Token labels
# are written only on the left column (queries) and the bottom row (keys),
# since every panel shows the same tokens. All panels use the color range
# 0 to 1, so the panels can be compared with each other.

n_cols = math.ceil(math.sqrt(n_heads))
n_rows = math.ceil(n_heads / n_cols)


def plot_layer(layer):
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(10, 2.45 * n_rows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    fig.subplots_adjust(left=0.08, right=0.86, bottom=0.1, top=0.92, wspace=0.05, hspace=0.25)
    for head, ax in enumerate(axes.flat):
        if head >= n_heads:
            ax.axis("off")
            continue
        image = ax.imshow(attention[layer][0, head].numpy(), cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"head {head}", fontsize=9)
        ax.set_xticks(range(len(tokens)))
        ax.set_yticks(range(len(tokens)))
        ax.set_xticklabels(tokens, rotation=90, fontsize=7)
        ax.set_yticklabels(tokens, fontsize=7)
    colorbar_axes = fig.add_axes([0.89, 0.25, 0.02, 0.5])  # fixed margins draw much faster than a layout engine
    fig.colorbar(image, cax=colorbar_axes, label="attention weight (rows: queries, columns: keys)")
    fig.suptitle(f"Layer {layer}: all {n_heads} heads (rows = query tokens, columns = key tokens)")
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
# With the default all-MiniLM-L6-v2, one head of the first layer is an almost
# perfect previous-token head, and most other heads spread their weight
# broadly, with a visible `[CLS]` column. The numbers below make that
# concrete: for each head, the average weight on the previous token, on the
# next token, on the token itself, and on `[CLS]` and `[SEP]`.


def head_summary(layer):
    print("head  previous  next  self  [CLS]  [SEP]")
    for head in range(n_heads):
        a = attention[layer][0, head]
        print(f"{head:>4}  {a.diagonal(-1).mean():8.2f}  {a.diagonal(1).mean():4.2f}  "
              f"{a.diagonal().mean():4.2f}  {a[:, 0].mean():5.2f}  {a[:, -1].mean():5.2f}")


head_summary(0)

# %%
# ## A middle layer
#
# The same grid for a layer in the middle of the stack. With the default model,
# the middle layers look very different from the first one: in most heads
# nearly every row puts half or more of its weight on `[CLS]`, which shows up
# as a bright first column, and the sharp positional patterns of layer 0 are
# mostly gone; one head reads the final period and `[SEP]` instead.
#
# all-MiniLM-L6-v2 builds its sentence embedding by *averaging* the token
# vectors of the last layer, so `[CLS]` has no special role in its output. The
# attention it receives is most likely a "no-op" sink, not a sign that `[CLS]`
# matters. (In bert-base-uncased, Clark et al. 2019 found the same behavior,
# with `[SEP]` as the sink.)

middle = n_layers // 2
plot_layer(middle)
plt.show()

head_summary(middle)

# %%
# The share of attention that goes to `[CLS]`, averaged over all heads and
# query tokens, layer by layer. With the default model it rises after the first
# layer, stays high through the middle layers and drops again in the last one.
# The page on head statistics measures this and other patterns for every head
# of every layer.

for layer in range(n_layers):
    print(f"layer {layer}: {attention[layer][0, :, :, 0].mean():.2f}")
