"""
# One token's hidden state across layers

Follow one token's vector through every layer: its mean activation says little, its length and direction say more.

The token is "fox". "How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya, the original tutorial this gallery grew from, summarizes each of its hidden states by the mean of the entries. This page shows that for BERT this mean mostly tracks a fixed parameter of the model, the same for every token, and replaces it with the L2 norm and with how far the vector has turned away from where it started (cosine similarities).
"""

# gallery_thumbnail_number = 4
# gallery_thumbnail_panel = 1

# %%
# ## Load the model and collect the hidden states
#
# With `output_hidden_states=True`, the model returns one tensor per layer
# *plus one* for the embedding layer: `hidden_states[0]` is the output of the
# embeddings (word + position + token type, then LayerNorm), and
# `hidden_states[i]` is the output of layer `i`. Each has shape
# `(batch, tokens, hidden size)`.

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

# (layers + 1, tokens, hidden)
hidden_states = torch.stack(outputs.hidden_states)[:, 0]
n_states, n_tokens, hidden_size = hidden_states.shape
print(
    f"{len(outputs.hidden_states)} hidden states: the embedding output and "
    f"{model.config.num_hidden_layers} layers; each {n_tokens} tokens x "
    f"{hidden_size} numbers"
)

# Find the token instead of hard-coding its position (the original tutorial
# used index 4).
word = "fox"
index = tokens.index(word)
print(f'"{word}" is token {index} of {tokens}')
layers = np.arange(n_states)  # 0 = embeddings

# %%
# ## The original tutorial's view: mean activation
#
# The original tutorial plots the mean of the token's hidden-state entries at each layer.

token_states = hidden_states[:, index]  # (layers + 1, hidden)
mean_activation = token_states.mean(dim=-1).numpy()

fig, ax = plt.subplots(figsize=(6.8, 3.6))
ax.plot(layers, mean_activation, marker="o")
ax.set_title(
    f'Mean Hidden State of "{word}" Across Layers\n(the original tutorial\'s '
    "plot)"
)
ax.set_xlabel("Layer (0 = embeddings)")
ax.set_ylabel("Mean Activation")
ax.set_xticks(layers)
ax.grid(True, alpha=0.3)
plt.tight_layout()
plt.show()

# %%
# ## What that mean actually tracks
#
# Every hidden state of BERT leaves a LayerNorm: `h = gamma * x_hat + beta`,
# where `x_hat` has mean 0 and variance 1 over the hidden dimension, and
# `gamma`, `beta` are learned vectors, one pair per layer, the same for every
# token and every sentence. The mean of `h` is `mean(gamma * x_hat) +
# mean(beta)`.
#
# The figure draws the mean for *every* token of the sentence (gray), "fox"
# (blue), and `mean(beta)` of the LayerNorm that produced each hidden state
# (black, dashed). With the default all-MiniLM-L6-v2, all the token lines
# follow the ups and downs of the dashed line (each token's curve has a
# correlation above 0.6 with it): most of the shape of the original
# tutorial's curve is a constant of the model, not something about "fox". The
# original tutorial reads its curve as the model first "adjusting" the token
# and then "finalizing" it; a curve that every token shares cannot show that.
# For scale, the printed root-mean-square of the entries of "fox" (the
# typical size of one number in the vector) is more than ten times larger than
# any of these means.

# The LayerNorm that produces each hidden state: embeddings, then each layer's
# output.
layer_norms = [model.embeddings.LayerNorm] + [
    layer.output.LayerNorm for layer in model.encoder.layer
]
beta_mean = np.array([norm.bias.mean().item() for norm in layer_norms])
all_means = hidden_states.mean(dim=-1).numpy()  # (layers + 1, tokens)

fig, ax = plt.subplots(figsize=(6.8, 3.8))
for t in range(n_tokens):
    ax.plot(
        layers,
        all_means[:, t],
        color="0.7",
        linewidth=1,
        label="other tokens" if t == 0 else None,
    )
ax.plot(
    layers, mean_activation, marker="o", color="tab:blue", label=f'"{word}"'
)
ax.plot(
    layers,
    beta_mean,
    linestyle="--",
    color="black",
    label="mean of the LayerNorm bias (beta)",
)
ax.set_xlabel("Layer (0 = embeddings)")
ax.set_ylabel("mean over the hidden dimension")
ax.set_title("Mean activation of every token, and of the LayerNorm bias")
ax.set_xticks(layers)
ax.grid(True, alpha=0.3)
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

rms = token_states.pow(2).mean(dim=-1).sqrt().numpy()
print("layer  mean(fox)  mean(beta)  RMS of fox's entries")
for layer in layers:
    print(
        f"{layer:>5}  {mean_activation[layer]:9.4f}  {beta_mean[layer]:10.4f} "
        f" {rms[layer]:20.3f}"
    )

follows_beta = [
    np.corrcoef(all_means[:, t], beta_mean)[0, 1] for t in range(n_tokens)
]
print(
    "correlation of each token's curve with mean(beta):",
    np.round(follows_beta, 2),
)
assert min(follows_beta) > 0.6, follows_beta
assert rms.min() > 10 * np.abs(all_means).max()  # the RMS dwarfs every mean

# %%
# ## Better summaries: length and direction
#
# Two questions are more useful than "what is the average entry?":
#
# * **How long is the vector?** The L2 norm. Because each layer ends in a
#   LayerNorm, norms stay in a narrow range; differences between tokens come
#   mostly from the learned `gamma`. With the default model, `[CLS]`,
#   `[SEP]`, "the" and the period have shorter vectors than the content
#   words in every layer, most clearly (by the ratio of the two groups'
#   average norms) in the embedding layer and the last two layers.
# * **Where does it point?** The cosine similarity between the token's vector
#   at each layer and (a) its own vector in the embedding layer, (b) its
#   vector in the last layer, (c) its vector in the layer before. Cosine
#   ignores length, so it measures a change of direction, i.e. of what the
#   vector encodes.
#
# With the default model, "fox" moves away from its embedding steadily (the
# similarity to the embedding falls at every layer), and the largest single
# steps are the first and the last layer (the lowest points of the
# "previous layer" line). The middle layers change the vector least: the
# cosine with the layer before stays above 0.9.

norms = hidden_states.norm(dim=-1).numpy()  # (layers + 1, tokens)
cos = torch.nn.functional.cosine_similarity
to_embedding = cos(token_states, token_states[0:1], dim=-1).numpy()
to_last = cos(token_states, token_states[-1:], dim=-1).numpy()
to_previous = cos(token_states[1:], token_states[:-1], dim=-1).numpy()

fig, ax = plt.subplots(figsize=(6.8, 4.6), layout="constrained")
image = ax.imshow(norms.T, cmap="viridis", aspect="auto")
for t in range(n_tokens):
    for layer in layers:
        ax.text(
            layer,
            t,
            f"{norms[layer, t]:.1f}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if norms[layer, t] < norms.mean() else "black",
        )
ax.add_patch(
    plt.Rectangle(
        (-0.5, index - 0.5),
        n_states,
        1,
        fill=False,
        edgecolor="red",
        linewidth=2,
    )
)
ax.set_yticks(range(n_tokens))
ax.set_yticklabels(tokens)
ax.set_ylabel("token (red frame: the token followed here)")
ax.set_xlabel("Layer (0 = embeddings)")
ax.set_xticks(layers)
ax.set_title("L2 norm of each token's hidden state")
fig.colorbar(image, ax=ax, label="L2 norm", shrink=0.8)
plt.show()

fig, ax = plt.subplots(figsize=(6.8, 3.6), layout="constrained")
ax.plot(
    layers, to_embedding, marker="o", label="(a) vs. its embedding (layer 0)"
)
ax.plot(layers, to_last, marker="s", label="(b) vs. its last-layer vector")
ax.plot(layers[1:], to_previous, marker="^", label="(c) vs. the layer before")
ax.set_ylim(0, 1.05)
ax.set_title(f'Cosine similarity of "{word}" with itself at other layers')
ax.grid(True, alpha=0.3)
ax.set_ylabel("cosine similarity")
ax.set_xlabel("Layer (0 = embeddings)")
ax.set_xticks(layers)
ax.legend(loc="lower left", fontsize=9)
plt.show()

print("layer  norm  cos(embedding)  cos(last)  cos(previous)")
for layer in layers:
    previous = f"{to_previous[layer - 1]:.3f}" if layer > 0 else "  -"
    print(
        f"{layer:>5}  {norms[layer, index]:4.1f}  {to_embedding[layer]:14.3f} "
        f" {to_last[layer]:9.3f}  {previous:>13}"
    )

short = [
    t
    for t, token in enumerate(tokens)
    if token in ("[CLS]", "[SEP]", "the", ".")
]
content = [t for t in range(n_tokens) if t not in short]
# shorter in every layer
assert (norms[:, short].max(axis=1) < norms[:, content].min(axis=1)).all()
ratio = norms[:, short].mean(axis=1) / norms[:, content].mean(axis=1)
# most clearly: first, last two
assert set(np.argsort(ratio)[:3]) == {0, n_states - 2, n_states - 1}, ratio
assert (np.diff(to_embedding) < 0).all(), to_embedding  # falls at every layer
# first and last layer
assert set(np.argsort(to_previous)[:2]) == {0, len(to_previous) - 1}, (
    to_previous
)
assert to_previous[1:-1].min() > 0.9, to_previous

# %%
# ## Caveats
#
# * Cosine similarities between BERT hidden states are high even for
#   unrelated tokens in later layers (the representations are *anisotropic*,
#   Ethayarajh 2019). A similarity of 0.7 means little until compared with a
#   baseline; the next page does that.
# * A few hidden dimensions carry much larger values than the rest in BERT
#   models. They dominate both the mean and the norm; per-dimension views (or
#   the PCA page) show more.
