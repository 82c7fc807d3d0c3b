"""
# One attention head as a heatmap

Draw one attention head's weights as a token × token heatmap, and learn to read it row by row.

Each row is a query token, and the colors along that row show how it spreads its attention over the key tokens. This is the second plot of "How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya, the original tutorial this gallery grew from (layer 0, head 0), redrawn with labeled axes and the weights written in the cells, followed by a second head of the same layer for contrast.
"""

# gallery_thumbnail_number = 1
# gallery_live = "one_head"
# gallery_thumbnail_panel = 1

# %%
# ## Load the model
#
# `output_attentions=True` makes the model return its attention weights. In
# transformers 5 it also selects the "eager" attention implementation: the
# faster fused kernels (sdpa, flash attention) never materialize the weights.

import os

import matplotlib.pyplot as plt
import seaborn as sns
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

# %%
# ## Run one sentence through the model
#
# `outputs.attentions` is a tuple with one tensor per layer. Each tensor has
# shape `(batch, heads, query positions, key positions)`. Entry `[q, k]` is
# the weight with which the token at position `q` (the *query*) reads the token
# at position `k` (the *key*). Each row comes out of a softmax, so it sums to 1.

sentence = "The quick brown fox jumps over the lazy dog."
inputs = tokenizer(sentence, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])

with torch.no_grad():
    outputs = model(**inputs)

attention = outputs.attentions
print("tokens:", tokens)
print("number of attention tensors (one per layer):", len(attention))
print("shape of each:", tuple(attention[0].shape))
print(
    "every row sums to 1:",
    torch.allclose(attention[0].sum(dim=-1), torch.ones(1)),
)

# %%
# ## The heatmap
#
# Read it row by row. Pick a token on the vertical axis: that row is the
# attention distribution of that token over all the tokens of the sentence,
# read off along the horizontal axis. A bright cell at (row "fox", column
# "brown") would mean that when this head builds its output for "fox", it
# mixes in mostly the value vector of "brown".
#
# Columns tell a different story: a column that is bright in many rows is a
# key that many tokens read from.

LAYER, HEAD = 0, 0  # the original tutorial's choice: first layer, first head
matrix = attention[LAYER][0, HEAD].numpy()

fig, ax = plt.subplots(figsize=(6.8, 5.8))
sns.heatmap(
    matrix,
    xticklabels=tokens,
    yticklabels=tokens,
    cmap="viridis",
    vmin=0,
    annot=True,
    fmt=".2f",
    annot_kws={"size": 8},
    square=True,
    cbar_kws={"label": "attention weight (each row sums to 1)"},
    ax=ax,
)
ax.set_xlabel("key: the token being attended to")
ax.set_ylabel("query: the token doing the attending")
ax.set_title(f"Layer {LAYER}, head {HEAD}")
ax.tick_params(axis="x", labelrotation=45)
ax.tick_params(axis="y", labelrotation=0)
plt.tight_layout()
plt.show()

# %%
# ## What this head does
#
# The table lists, for each query, the key it attends to most. Below it is the
# average of each column: how much attention each key receives.
#
# With the default all-MiniLM-L6-v2, this head is diffuse. No row puts more than
# about a third of its weight on any single key, and much of the weight goes to
# the special tokens `[CLS]` and `[SEP]`. The content words "fox" and "dog"
# receive *less* attention than average here. The original tutorial's reading
# of its bert-base-uncased plot ("fox and dog have higher weights") is not a
# general property of this head position: head 0 of one model has no relation
# to head 0 of another.
#
# The `assert` lines check these statements on the numbers the model returns:
# if a new library version or another model changed them, the script would
# stop here instead of printing prose that no longer matches the figure.

for q, token in enumerate(tokens):
    k = int(matrix[q].argmax())
    print(f"{token:>7} -> {tokens[k]:<7} ({matrix[q, k]:.2f})")

received = matrix.mean(axis=0)
print("\naverage attention received by each key (column mean):")
for token, value in zip(tokens, received):
    print(f"{token:>7}  {value:.3f}")

# no row gives more than about a third to one key
assert matrix.max() < 0.4, matrix.max()
specials = [tokens.index("[CLS]"), tokens.index("[SEP]")]
# [CLS] and [SEP] receive the most
assert set(specials) == set(received.argsort()[-2:]), received
assert received[specials].sum() > 0.3, received[specials]
average = 1 / len(tokens)  # each row sums to 1, so the columns average 1 / n
assert (
    received[tokens.index("fox")] < average
    and received[tokens.index("dog")] < average
)

# %%
# ## A sharper head in the same layer, for contrast
#
# Heads differ a lot. Here the code picks the head of the same layer whose rows
# are the most concentrated (lowest average entropy). With the default model,
# this is a *previous-token* head: nearly all of each row's weight sits one
# cell left of the diagonal, so every token reads the token just before it. The
# [CLS] row, which has no previous token, attends to itself.

entropy = (
    -(attention[LAYER][0] * torch.log(attention[LAYER][0] + 1e-12))
    .sum(-1)
    .mean(-1)
)
sharp_head = int(entropy.argmin())
sharp = attention[LAYER][0, sharp_head].numpy()
print(
    f"mean row entropy of head {HEAD}: {entropy[HEAD]:.2f} nats; "
    f"of head {sharp_head}: {entropy[sharp_head]:.2f} nats "
    f"(uniform over {len(tokens)} keys would be "
    f"{torch.log(torch.tensor(len(tokens))):.2f})"
)

# weight of each token on the token just before it
previous_token = sharp.diagonal(-1)
print(
    f"head {sharp_head}: weight on the previous token, from "
    f"{previous_token.min():.2f} to {previous_token.max():.2f}; "
    f"[CLS] on itself: {sharp[0, 0]:.2f}"
)
# nearly all of each row, one cell left of the diagonal
assert previous_token.min() > 0.9, previous_token
# [CLS] has no previous token and attends to itself
assert sharp[0, 0] > 0.9, sharp[0, 0]

fig, ax = plt.subplots(figsize=(6.8, 5.8))
sns.heatmap(
    sharp,
    xticklabels=tokens,
    yticklabels=tokens,
    cmap="viridis",
    vmin=0,
    vmax=1,
    annot=True,
    fmt=".2f",
    annot_kws={"size": 8},
    square=True,
    cbar_kws={"label": "attention weight (each row sums to 1)"},
    ax=ax,
)
ax.set_xlabel("key: the token being attended to")
ax.set_ylabel("query: the token doing the attending")
ax.set_title(
    f"Layer {LAYER}, head {sharp_head}: the most concentrated head of the "
    "layer"
)
ax.tick_params(axis="x", labelrotation=45)
ax.tick_params(axis="y", labelrotation=0)
plt.tight_layout()
plt.show()

# %%
# ## What attention weights do not tell you
#
# * A weight says how much of a key's *value vector* is mixed in, not how large
#   that contribution is. A key with a small value vector adds little even with
#   a large weight (Kobayashi et al., 2020, "Attention is not only a weight").
# * Each row must sum to 1, so a head with nothing useful to do still has to
#   put its weight somewhere. Heavy attention on `[CLS]`, `[SEP]` or
#   punctuation often works as such a "no-op" (Clark et al., 2019, "What does
#   BERT look at?").
# * The head's output then passes through an output projection, a residual
#   connection, a LayerNorm and an MLP. One head's weights are one step of a
#   long computation, not an explanation of the model's output.
