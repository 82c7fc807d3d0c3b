"""
# Attention rollout

Chain the attention of all layers into one token × token map (attention rollout) and compare it with the last layer's raw attention.

Attention rollout is due to Abnar & Zuidema (2020), "Quantifying Attention Flow in Transformers". The raw attention of one layer only says how that layer mixes the vectors it receives, and those vectors are already mixtures made by the layers below. Rollout tries to trace the mixing back to the input tokens by chaining the layers together. It rests on strong simplifications, listed at the end of this page.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 2

# %%
# ## Load the model and run the sentence

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
# ## Computing the rollout
#
# For each layer:
#
# 1. average the attention matrices of all heads;
# 2. add the identity matrix, to stand for the residual connection that
#    carries each token's own vector around the attention block, and divide each
#    row by its sum (here 2), so the rows sum to 1 again. This is the same as
#    `0.5 * attention + 0.5 * identity`;
# 3. multiply the layers' matrices together, from the first layer up:
#    `rollout = A_last @ ... @ A_1 @ A_0`.
#
# Row `q` of the result is read as "how much of each input token ended up in
# the last layer's vector at position `q`".

n_tokens = len(tokens)
identity = torch.eye(n_tokens)
rollout = identity.clone()
for layer_attention in attention:
    mixed = layer_attention[0].mean(dim=0)  # average over heads: (query, key)
    mixed = mixed + identity  # residual connection
    # each row now sums to 2
    assert torch.allclose(mixed.sum(dim=-1), torch.full((n_tokens,), 2.0))
    mixed = mixed / mixed.sum(dim=-1, keepdim=True)  # rows sum to 1 again
    rollout = mixed @ rollout

# last layer, heads averaged, no residual
raw_last = attention[-1][0].mean(dim=0)
print(
    "rollout rows sum to 1:",
    torch.allclose(rollout.sum(-1), torch.ones(n_tokens)),
)

# %%
# ## Raw last-layer attention beside rollout
#
# All panels have query tokens as rows and key tokens as columns, and each has
# its own color scale. On the left, the raw attention of the last layer,
# averaged over its heads: it describes only the last mixing step. In the
# middle, the rollout: its columns are *input* tokens.
#
# With the default all-MiniLM-L6-v2, the rollout is dominated by one column:
# in the middle layers most heads send much of their attention to `[CLS]`
# (see the previous page), and rollout multiplies that from layer to layer,
# until `[CLS]` accounts for more than half of every row, about 64% on
# average. The diagonal (each token's own input, carried by the residual) is
# faint by comparison. The right panel hides the `[CLS]` and `[SEP]` columns
# and rescales the colors, to show the structure among the words that the big
# column drowns out. There the diagonal reappears (a word's own input is worth
# about twice the share of a typical other word), and the final period
# collects a share from every row, in most rows the largest after `[CLS]` and
# `[SEP]`.

special_ids = set(tokenizer.all_special_ids)
is_special = np.array([int(i) in special_ids for i in inputs["input_ids"][0]])
rollout_words = np.ma.masked_array(
    rollout.numpy(), mask=np.broadcast_to(is_special, (n_tokens, n_tokens))
)

fig, axes = plt.subplots(
    1, 3, figsize=(6.8, 4.1), layout="constrained", sharey=True
)
panels = [
    (
        raw_last.numpy(),
        f"Raw attention, layer {n_layers - 1}\n(the last), mean of {n_heads} "
        "heads",
    ),
    (rollout.numpy(), f"Attention rollout\nthrough all {n_layers} layers"),
    (rollout_words, "Rollout, special-token\ncolumns hidden"),
]
for ax, (matrix, title) in zip(axes, panels):
    image = ax.imshow(matrix, cmap="viridis", vmin=0)
    ax.set_xticks(range(n_tokens))
    ax.set_yticks(range(n_tokens))
    ax.set_xticklabels(tokens, rotation=90, fontsize=8)
    ax.set_yticklabels(tokens, fontsize=8)
    ax.set_xlabel("key / input token", fontsize=9)
    ax.set_title(title, fontsize=9)
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8, location="bottom")
    colorbar.set_label("share of the row", fontsize=9)
    colorbar.ax.tick_params(labelsize=8)
    colorbar.ax.locator_params(nbins=4)
axes[0].set_ylabel("query token (last layer)", fontsize=9)
plt.show()

words = np.flatnonzero(~is_special)
word_block = rollout.numpy()[np.ix_(words, words)]
off_diagonal = word_block[~np.eye(len(words), dtype=bool)]
print(f"rollout, mean share of [CLS] per row: {rollout[:, 0].mean():.2f}")
print(
    "rollout, word tokens: mean share of the token's own input: "
    f"{np.diag(word_block).mean():.3f}"
)
print(
    "rollout, word tokens: mean share of one other word:       "
    f"{off_diagonal.mean():.3f}"
)
print(
    "lower bound for the own share, from the residual path alone (0.5 ** "
    f"{n_layers}): {0.5**n_layers:.3f}"
)

cls_share = rollout[:, 0]
# more than half, ~64% on average
assert cls_share.min() > 0.5 and 0.55 < cls_share.mean() < 0.75, cls_share
ratio = np.diag(word_block).mean() / off_diagonal.mean()
# a word's own input: about twice the share of another word
assert 1.4 < ratio < 2.6, ratio
# the residual path alone guarantees this much
assert np.diag(word_block).min() >= 0.5**n_layers
# per row, the word column with the most
largest_word = words[rollout.numpy()[:, words].argmax(axis=1)]
# the period, in most rows
assert (largest_word == tokens.index(".")).sum() > n_tokens / 2, largest_word

# %%
# ## What reaches the sentence embedding?
#
# all-MiniLM-L6-v2 turns the last layer into a sentence embedding by
# averaging the vectors of all tokens (mean pooling). Under rollout's
# assumptions, the share of each input token in that average is the average of
# the rollout's rows, i.e. the mean of each column. The same average of the raw
# last-layer attention is drawn next to it.
#
# The two disagree. The raw last layer, with the default model, singles out
# a few content words ("fox", "lazy", "brown") besides `[CLS]`. Rollout gives
# most of the share to `[CLS]` and flattens the words into a narrow band of
# 1 to 5 percent each. Neither is a measurement of what the embedding depends on:
# the raw layer ignores the mixing done before it, and rollout counts
# attention parked on a "no-op" sink as if it moved information. The
# attributions section measures the output's actual sensitivity to each token.

pooled_rollout = rollout.mean(dim=0).numpy()
pooled_raw = raw_last.mean(dim=0).numpy()

x = np.arange(n_tokens)
fig, ax = plt.subplots(figsize=(6.8, 3.6))
ax.bar(x - 0.2, pooled_raw, width=0.4, label="raw attention, last layer")
ax.bar(x + 0.2, pooled_rollout, width=0.4, label="attention rollout")
ax.set_xticks(x)
ax.set_xticklabels(tokens, rotation=45, ha="right")
ax.set_xlabel("input token")
ax.set_ylabel("mean over query rows")
ax.set_title(
    "Share of each token in the mean-pooled output,\nby two attention-based "
    "estimates"
)
ax.legend()
ax.grid(axis="y", alpha=0.3)
plt.tight_layout()
plt.show()

for token, raw, rolled in zip(tokens, pooled_raw, pooled_rollout):
    print(f"{token:>7}  raw {raw:.3f}  rollout {rolled:.3f}")

top_raw = {tokens[i] for i in np.argsort(pooled_raw)[-4:]}
assert top_raw == {"[CLS]", "fox", "lazy", "brown"}, top_raw
assert pooled_rollout.argmax() == 0 and pooled_rollout[0] > 0.5, pooled_rollout
assert (
    0.01 < pooled_rollout[words].min() and pooled_rollout[words].max() < 0.05
), pooled_rollout[words]

# %%
# ## What rollout assumes, and its caveats
#
# * **Residual = identity, mixed 0.5 / 0.5.** Adding the identity and
#   renormalizing treats the residual stream and the attention output as
#   equally strong. In a real layer their relative sizes differ by token and
#   layer, and the output passes through a projection and a LayerNorm. Changing
#   the 0.5 changes the picture: a larger residual share brightens the diagonal
#   (checked in the code below).
# * **Heads are averaged.** A head that does something specific for a few
#   tokens is diluted by the other heads. Some variants take the maximum over
#   heads instead, or weight heads by gradients.
# * **Mixing is linear and only through attention weights.** Rollout ignores
#   the value vectors (a large weight on a key with a tiny value vector carries
#   little), the MLPs, and every nonlinearity. It only multiplies attention
#   matrices.
# * **No reference to an output.** Rollout is the same whatever you ask about
#   the model. It cannot say which tokens matter *for* a particular prediction
#   or similarity score; gradient-based methods (see the attributions section)
#   can.
#
# Abnar & Zuidema found that rollout agrees better than raw attention with
# importance measured by gradients and by blanking out input tokens, but it
# remains a heuristic. On this model it mostly reports the `[CLS]` sink. Use
# it to see how information *could* flow, not as an explanation.


def rollout_with(residual_share):
    """Rollout with `residual_share * identity + (1 - residual_share) *
    attention` per layer."""
    result = identity.clone()
    for layer_attention in attention:
        result = (
            residual_share * identity
            + (1 - residual_share) * layer_attention[0].mean(dim=0)
        ) @ result
    return result


for share in (0.5, 0.75):
    own = rollout_with(share).diagonal()[torch.from_numpy(words)].mean()
    print(
        f"residual share {share}: mean share of a word's own input {own:.3f}"
    )
assert (
    rollout_with(0.75).diagonal().mean() > rollout_with(0.5).diagonal().mean()
)

# %%
# ## Rollout in one formula
#
# With $A^{(l)}$ the head-averaged attention of layer $l$ (rows are queries, columns keys) and
# $I$ the identity, each layer's mixing matrix and the rollout over the $L$ layers are
#
# $$
# \tilde A^{(l)} = \tfrac{1}{2}\left(A^{(l)} + I\right), \qquad
# R = \tilde A^{(L-1)}\, \tilde A^{(L-2)} \cdots \tilde A^{(0)}.
# $$
#
# $R_{qk}$ is read as the share of input token $k$ in the last layer's vector at position $q$.
# The variant with a residual share $s$ (the last cell) uses $s\,I + (1 - s)\,A^{(l)}$ instead.
