"""
# Why the averaged-gradient plot is flat

A popular "averaged gradients" plot shows only rounding noise: for BERT-style models that average is exactly zero.

The plot comes from "How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya, the original tutorial this gallery grew from, and the recipe is common: take the gradient of some output with respect to the input embeddings, and average it over the hidden dimension to get one number per token. BERT's embedding LayerNorm makes that average exactly zero for every token, sentence and loss. This page reproduces the original tutorial's plot, shows why the average is always zero (up to rounding) for BERT-style models, and shows the same gradient's L2 norm, which does carry a signal.
"""

# gallery_thumbnail_number = 2
# gallery_thumbnail_panel = 1

# %%
# ## The original tutorial's code, unchanged in substance
#
# The model is run from its word embeddings (`inputs_embeds`) so that
# PyTorch can keep their gradient. The "loss" is the sum of every number in
# the last layer's output, as in the original tutorial. The only changes are the model
# name and the `MODEL_NAME` switch.

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

embeddings = model.embeddings.word_embeddings(inputs["input_ids"])
embeddings.retain_grad()

outputs = model(inputs_embeds=embeddings)

loss = outputs.last_hidden_state.sum()
loss.backward()

gradients = embeddings.grad
average_gradients = gradients[0].mean(dim=1).detach().numpy()

# %%
# ## The original tutorial's plot
#
# Look at the scale of the vertical axis before reading anything into the
# shape of the line: matplotlib writes a tiny multiplier (such as `1e-8`) at the
# top of the axis. The differences between tokens are differences between
# rounding errors.

fig, ax = plt.subplots(figsize=(6.8, 3.6))
ax.plot(average_gradients, marker="o")
ax.set_title(
    "Averaged Gradients for Input Tokens (the original tutorial's plot)"
)
ax.set_xlabel("Token Index")
ax.set_ylabel("Average Gradient Value")
ax.set_xticks(range(len(average_gradients)))
ax.set_xticklabels(tokens, rotation=45)
ax.grid(True)
plt.tight_layout()
plt.show()

# %%
# ## The numbers
#
# Compare the average with the size of the entries it averages. With the
# default all-MiniLM-L6-v2, the root-mean-square of each token's gradient
# entries is between about 1 and 4; the average is more than a million times
# smaller. float32 keeps about 7 significant digits, so for entries of this
# size, a mean this close to zero is what rounding leaves of an exact zero.

hidden_size = gradients.shape[-1]
rms = gradients[0].pow(2).mean(dim=1).sqrt()
print(f"hidden size: {hidden_size}")
print(
    f"{'token':>7}  {'mean of gradient':>17}  {'RMS of entries':>14}  "
    f"{'mean / RMS':>10}"
)
for token, mean, size in zip(tokens, average_gradients, rms.tolist()):
    print(f"{token:>7}  {mean:17.1e}  {size:14.2f}  {mean / size:10.1e}")

# float32: 1.2e-07, about 7 significant digits
epsilon = torch.finfo(gradients.dtype).eps
print(f"{gradients.dtype}: relative rounding step {epsilon:.1e}")
# RMS of the entries: about 1 to 4
assert 0.8 < rms.min() and rms.max() < 5, rms
# the mean: over a million times smaller
assert (np.abs(average_gradients) / rms.numpy()).max() < 1e-6
assert 1e-7 < epsilon < 2e-7

# %%
# ## Why the average is exactly zero
#
# BERT does not feed the word embeddings to the first layer directly. It adds
# the position and token-type embeddings and applies a LayerNorm:
#
# `h = LayerNorm(x) = gamma * (x - mean(x)) / std(x) + beta`, where
# `x = word + position + token_type`.
#
# LayerNorm first subtracts the mean over the hidden dimension. Adding the
# same constant `c` to every entry of `x` changes nothing after that step:
# `h(x + c) = h(x)`. So the derivative of *anything* computed from `h` in the
# direction `(1, 1, ..., 1)` is zero. That directional derivative is the sum of
# the gradient's entries, so the gradient's mean is zero too. In formulas:
# `sum_i dL/dx_i = d/dc L(x + c) = 0`. Since `x` is the word embedding plus
# terms that do not depend on it, the gradient with respect to the word
# embedding is the same as with respect to `x`.
#
# Nothing here depends on the sentence, the loss, or the trained weights:
# every model that applies LayerNorm to its summed embeddings (BERT, RoBERTa,
# DistilBERT, MiniLM, ...) gives a zero average. The original tutorial's plot
# of bert-base-uncased, and its reading that "jumps" and "brown" stand out,
# show rounding noise as well.
#
# A check with a different, arbitrary loss: a random projection of the output,
# drawn from a generator with a fixed starting point so the page is reproducible.

generator = torch.Generator().manual_seed(0)
direction = torch.randn(outputs.last_hidden_state.shape, generator=generator)

embeddings_2 = (
    model.embeddings.word_embeddings(inputs["input_ids"])
    .detach()
    .requires_grad_(True)
)
other_loss = (
    model(inputs_embeds=embeddings_2).last_hidden_state * direction
).sum()
other_loss.backward()
other_mean = embeddings_2.grad[0].mean(dim=1)
other_rms = embeddings_2.grad[0].pow(2).mean(dim=1).sqrt()
print(
    f"random-projection loss: |mean| <= {other_mean.abs().max():.1e}, "
    f"while the RMS of the entries is {other_rms.min():.2f} to "
    f"{other_rms.max():.2f}"
)
# zero again, up to rounding
assert other_mean.abs().max() < 1e-6 * other_rms.min()

# %%
# ## The same gradient, measured by its length
#
# Averaging signed entries cancels them. The L2 norm of each token's gradient
# vector does not: it measures how strongly the loss reacts to a small change
# of that token's embedding, in the most sensitive direction. It is a real,
# non-zero signal (often called *gradient saliency*).
#
# With the default all-MiniLM-L6-v2, the norms range from about 25 for `[CLS]`
# and `[SEP]` to about 75 for "jumps". Two cautions before reading it as
# "importance":
#
# * The original tutorial's loss, the sum of every number in the last layer's output, has
#   no meaning for the task. Each output vector leaves a LayerNorm, so its sum
#   mostly measures how the vector lines up with that LayerNorm's scale
#   weights. The next page uses a target that means something for a sentence
#   encoder.
# * A norm is unsigned: it says the output is sensitive to a token, not
#   whether the token pushes the output up or down, and it measures the
#   reaction to an infinitesimal change, not to removing the token.

gradient_norm = gradients[0].norm(dim=1).numpy()
for token, value in zip(tokens, gradient_norm):
    print(f"{token:>7}  {value:6.1f}")
for special in ("[CLS]", "[SEP]"):
    # about 25
    assert 20 < gradient_norm[tokens.index(special)] < 30, gradient_norm
# about 75
assert (
    gradient_norm.argmax() == tokens.index("jumps")
    and 65 < gradient_norm.max() < 85
)
assert gradient_norm.min() > 20

fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.8), layout="constrained")
axes[0].plot(average_gradients, marker="o")
axes[0].set_title(
    "Mean of the gradient\n(the original tutorial's plot)", fontsize=10
)
axes[0].set_ylabel("mean over hidden dimension")
axes[0].set_ylim(-1, 1)
largest = np.abs(average_gradients).max()
note = f"largest |value|: {largest:.0e}\n(flat at zero on this scale)"
axes[0].text(
    0.5, 0.12, note, transform=axes[0].transAxes, ha="center", fontsize=9
)
axes[1].bar(np.arange(len(tokens)), gradient_norm, color="tab:orange")
axes[1].set_title("L2 norm of the\nsame gradient", fontsize=10)
axes[1].set_ylabel("||d loss / d embedding||")
for ax in axes:
    ax.set_xticks(range(len(tokens)))
    ax.set_xticklabels(tokens, rotation=90)
    ax.set_xlabel("input token")
    ax.grid(alpha=0.3)
fig.suptitle(
    "One gradient, two summaries (loss = sum of the last hidden state)",
    fontsize=11,
)
plt.show()
