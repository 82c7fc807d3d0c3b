"""
# Saliency done right: gradient norm, gradient × input, integrated gradients

Compare gradient norm, gradient × input and integrated gradients on a sentence-similarity score, token by token.

The three methods, shown next to the flat averaged gradient of "How to Visualize Model Internals and Attention in Hugging Face Transformers" by Cornellius Yudha Wijaya (the original tutorial this gallery grew from), attribute the cosine similarity of two sentence embeddings to the tokens of one sentence. all-MiniLM-L6-v2 is trained so that this cosine similarity measures how close two sentences are in meaning. The question asked here is: which tokens of the first sentence make it similar to the second? The page also checks that integrated gradients has converged, by testing its completeness property.
"""

# gallery_thumbnail_number = 2
# gallery_thumbnail_panel = 4

# %%
# ## Load the model and define the target
#
# A sentence embedding is the average of the last layer's token vectors
# (mean pooling, using the attention mask), which is how all-MiniLM-L6-v2
# produces its embeddings. The target `f` is the cosine similarity between the
# embedding of sentence A and the fixed embedding of sentence B.
#
# To take gradients with respect to the input, `f` takes the *word embeddings*
# of sentence A as its argument; the model adds position and token-type
# embeddings itself. It accepts a batch of word-embedding tensors, which makes
# integrated gradients fast.

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

sentence_a = "The quick brown fox jumps over the lazy dog."
sentence_b = "A fast dark-colored fox leaps over a sleepy dog."

inputs_a = tokenizer(sentence_a, return_tensors="pt")
inputs_b = tokenizer(sentence_b, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs_a["input_ids"][0])


def mean_pool(last_hidden_state, attention_mask):
    mask = attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)
    return (last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)


with torch.no_grad():
    embedding_b = mean_pool(
        model(**inputs_b).last_hidden_state, inputs_b["attention_mask"]
    )


def f(word_embeddings):
    """Cosine similarity between sentence A (given as word embeddings, batched)
    and sentence B."""
    batch = word_embeddings.shape[0]
    mask = inputs_a["attention_mask"].expand(batch, -1)
    out = model(
        inputs_embeds=word_embeddings,
        attention_mask=mask,
        token_type_ids=inputs_a["token_type_ids"].expand(batch, -1),
    )
    embedding_a = mean_pool(out.last_hidden_state, mask)
    return torch.nn.functional.cosine_similarity(
        embedding_a, embedding_b, dim=-1
    )


# Only gradients with respect to the input are needed. Freezing the parameters
# spares the backward pass the work of computing gradients for every weight.
model.requires_grad_(False)

# (1, tokens, hidden)
x = model.embeddings.word_embeddings(inputs_a["input_ids"]).detach()
with torch.no_grad():
    print(f"cosine similarity of A and B: {f(x).item():.3f}")
print("sentence A tokens:", tokens)
print(
    "sentence B tokens:",
    tokenizer.convert_ids_to_tokens(inputs_b["input_ids"][0]),
)

# %%
# ## Plain gradient: its norm, and the original tutorial's average
#
# One backward pass gives `df/dx`, one vector per token.
#
# * **Gradient norm** `||df/dx_t||`: how sensitive the similarity is to a small
#   change of token `t`'s embedding. Unsigned.
# * **The original tutorial's average** `mean(df/dx_t)`: zero up to rounding,
#   because of the embedding LayerNorm (previous page). Shown only for
#   comparison.
# * **Gradient × input** `sum_d x_td * df/dx_td`: a first-order estimate of how
#   the similarity would change if the token's embedding were scaled to zero.
#   Signed: positive tokens raise the similarity.

x_grad = x.clone().requires_grad_(True)
f(x_grad).sum().backward()
gradient = x_grad.grad[0]

gradient_norm = gradient.norm(dim=-1).numpy()
mean_gradient = gradient.mean(dim=-1).numpy()
gradient_x_input = (gradient * x[0]).sum(dim=-1).numpy()

# %%
# ## Integrated gradients
#
# Integrated gradients (Sundararajan et al., 2017) average the gradient along
# a straight path from a **baseline** input `x'` to the real input `x`, and
# multiply by the difference: `IG_t = sum_d (x - x')_td * mean over alpha of
# df/dx_td (x' + alpha (x - x'))`.
#
# The baseline here is the same sentence with every word replaced by
# `[PAD]`: `[CLS] [PAD] ... [PAD] [SEP]`, with the same length, positions and
# attention mask. `[CLS]` and `[SEP]` are kept, so their attribution is
# exactly zero, and the attributions of the words share out the difference
# `f(x) - f(x')` between the real sentence and an "empty" one. A different
# baseline (all-zero embeddings, a `[MASK]` sentence, an average of random
# sentences) asks a different question and gives different numbers.
#
# The integral is approximated by the midpoint rule with `steps` points, all
# run as one batch.

special_ids = torch.tensor(tokenizer.all_special_ids)
keep = torch.isin(inputs_a["input_ids"], special_ids)  # [CLS] and [SEP]
baseline_ids = torch.where(keep, inputs_a["input_ids"], tokenizer.pad_token_id)
x_baseline = model.embeddings.word_embeddings(baseline_ids).detach()
print("baseline tokens:", tokenizer.convert_ids_to_tokens(baseline_ids[0]))


def integrated_gradients(steps):
    alphas = (torch.arange(steps, dtype=x.dtype) + 0.5) / steps  # midpoints
    # (steps, tokens, hidden)
    path = x_baseline + alphas[:, None, None] * (x - x_baseline)
    path.requires_grad_(True)
    f(path).sum().backward()
    average_gradient = path.grad.mean(dim=0)
    return ((x - x_baseline)[0] * average_gradient).sum(dim=-1)


with torch.no_grad():
    f_x = f(x).item()
    f_baseline = f(x_baseline).item()
print(
    f"f(x) = {f_x:.4f}, f(baseline) = {f_baseline:.4f}, difference = "
    f"{f_x - f_baseline:.4f}"
)

# %%
# ## Has integrated gradients converged?
#
# IG has a *completeness* property: the exact attributions add up to
# `f(x) - f(x')`. The gap between the two measures the error of the numerical
# integration, so it is a built-in convergence check. Pick the number of steps
# where the gap is small compared with the attributions themselves. With the
# default model, 16 steps already bring the gap below 0.1% of
# `f(x) - f(x')`; the attributions below use the last, largest count.

step_counts = [2, 4, 8, 16, 32]
gaps = []
print(
    f"{'steps':>5}  {'sum of attributions':>19}  {'gap':>8}  "
    f"{'gap relative to f(x) - f(baseline)':>34}"
)
for steps in step_counts:
    attributions = integrated_gradients(steps)
    gap = abs(attributions.sum().item() - (f_x - f_baseline))
    gaps.append(gap)
    print(
        f"{steps:>5}  {attributions.sum().item():19.4f}  {gap:8.1e}  "
        f"{gap / abs(f_x - f_baseline):34.1e}"
    )
ig = attributions.detach().numpy()  # the last, most accurate run
# below 0.1% at 16 steps
assert gaps[step_counts.index(16)] < 1e-3 * abs(f_x - f_baseline), gaps

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.loglog(step_counts, gaps, marker="o")
ax.set_xticks(step_counts)
ax.set_xticklabels([str(s) for s in step_counts])
ax.minorticks_off()
ax.set_xlabel("integration steps")
ax.set_ylabel("|sum(IG) - (f(x) - f(x'))|")
ax.set_title("Completeness gap of integrated gradients")
ax.grid(True, which="major", alpha=0.3)
plt.tight_layout()
plt.show()

# %%
# ## The four views side by side
#
# Signed methods are drawn in blue (raises the similarity) and red (lowers
# it). Each panel has its own vertical scale, except the original
# tutorial's average, which is drawn on the scale of the gradient norm. With
# the default all-MiniLM-L6-v2 (the numbers are printed below the figure):
#
# * the original tutorial's average is flat at zero, whatever the target;
# * integrated gradients gives the clearest answer: "fox" contributes most,
#   then "jumps" and "dog", whose counterparts ("fox", "leaps", "dog") are in
#   sentence B. Its attributions add up to `f(x) - f(x')`;
# * the gradient norm ranks "lazy" and "brown" highest. It measures
#   *sensitivity* (how fast the similarity would change if those embeddings
#   moved), not *contribution*, and the two need not agree;
# * gradient × input is more than ten times smaller than the others and
#   mostly negative, with "fox" the most negative token. As a linear,
#   first-order estimate it misses almost all of the effect: the printed sums
#   below compare it with the change that integrated gradients accounts for.
#   This is the saturation problem that motivated integrated gradients;
# * `[CLS]` and `[SEP]` get zero from integrated gradients by construction
#   (they equal the baseline), while the gradient methods still give them
#   weight.
#
# Disagreement between methods is normal: they answer different questions
# (sensitivity to a tiny change, a linear estimate of removal, the share of a
# path from the baseline).

methods = [
    (
        "Averaged gradient (the original tutorial's summary)",
        mean_gradient,
        False,
        "mean(df/dx)",
    ),
    ("Gradient L2 norm", gradient_norm, False, "||df/dx||"),
    ("Gradient × input", gradient_x_input, True, "x · df/dx"),
    (
        f"Integrated gradients ({step_counts[-1]} steps, [PAD] baseline)",
        ig,
        True,
        "IG",
    ),
]
positions = np.arange(len(tokens))
fig, axes = plt.subplots(
    len(methods), 1, figsize=(6.8, 7.6), sharex=True, layout="constrained"
)
for ax, (title, values, signed, label) in zip(axes, methods):
    colors = (
        np.where(values >= 0, "tab:blue", "tab:red") if signed else "tab:gray"
    )
    ax.bar(positions, values, color=colors)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(label)
    ax.grid(axis="y", alpha=0.3)
# same scale as the norm below
axes[0].set_ylim(-1.05 * gradient_norm.max(), 1.05 * gradient_norm.max())
axes[-1].set_xticks(positions)
axes[-1].set_xticklabels(tokens, rotation=45, ha="right")
axes[-1].set_xlabel("token of sentence A")
fig.suptitle(
    "Which tokens of A make it similar to B?\nf = cos(embedding(A), "
    "embedding(B))",
    fontsize=11,
)
plt.show()

print(
    f"{'token':>7}  {'mean grad':>9}  {'grad norm':>9}  {'grad x in':>9}  "
    f"{'IG':>8}"
)
for row in zip(tokens, mean_gradient, gradient_norm, gradient_x_input, ig):
    print(
        f"{row[0]:>7}  {row[1]:9.1e}  {row[2]:9.4f}  {row[3]:9.4f}  "
        f"{row[4]:8.4f}"
    )
print(f"\nsum of gradient x input:        {gradient_x_input.sum():8.4f}")
print(f"sum of integrated gradients:    {ig.sum():8.4f}")
print(f"f(x) - f(baseline), to explain: {f_x - f_baseline:8.4f}")


def ranked(values, k):
    """The k tokens with the largest values, largest first."""
    return [tokens[i] for i in np.argsort(values)[::-1][:k]]


assert np.abs(mean_gradient).max() < 1e-6 * gradient_norm.max()  # flat at zero
assert ranked(ig, 3) == ["fox", "jumps", "dog"], ranked(ig, 3)
# completeness
assert abs(ig.sum() - (f_x - f_baseline)) < 1e-3 * abs(f_x - f_baseline)
assert set(ranked(gradient_norm, 2)) == {"lazy", "brown"}, ranked(
    gradient_norm, 2
)
# ten times smaller
assert 10 * np.abs(gradient_x_input).max() < min(
    np.abs(ig).max(), gradient_norm.max()
)
assert (gradient_x_input < 0).sum() > len(tokens) / 2  # mostly negative
assert tokens[gradient_x_input.argmin()] == "fox"
# misses almost all of the change
assert abs(gradient_x_input.sum()) < 0.1 * abs(f_x - f_baseline)
special = [0, len(tokens) - 1]  # [CLS] and [SEP]
assert (ig[special] == 0).all() and (gradient_norm[special] > 0).all()

# %%
# ## Caveats
#
# * **The baseline is a choice.** Integrated gradients explains the difference
#   between the input and the baseline. Replacing words by `[PAD]` is a
#   reasonable "empty sentence" here, but the model never saw `[PAD]` tokens
#   that were not masked out during training, so the baseline is itself an
#   unusual input.
# * **Attributions are per token, over the whole embedding vector.** Summing
#   over the hidden dimension hides which directions matter.
# * **Gradient methods see the model locally.** Gradient norm and
#   gradient × input use the gradient at the input only, and can miss effects
#   that saturate. This is what integrated gradients was designed to fix.
# * **The target matters.** Attributions for "similarity to sentence B" say
#   nothing about the embedding in general. For the original tutorial's
#   target, the sum of the last hidden state, see the previous page.

# %%
# ## Integrated gradients in formulas
#
# For token $t$ with embedding $x_t$ (hidden dimensions $d$), baseline $x'$ and the score $f$,
#
# $$
# \begin{aligned}
# \mathrm{IG}_t &= \sum_d \left(x_{td} - x'_{td}\right)
#   \int_0^1 \frac{\partial f}{\partial x_{td}}\bigl(x' + \alpha\,(x - x')\bigr)\, d\alpha \\
# &\approx \sum_d \left(x_{td} - x'_{td}\right) \frac{1}{m} \sum_{i=1}^{m}
#   \frac{\partial f}{\partial x_{td}}\Bigl(x' + \tfrac{i - 1/2}{m}\,(x - x')\Bigr),
# \end{aligned}
# $$
#
# the midpoint rule with $m$ points (`steps` above). Completeness,
# $\sum_t \mathrm{IG}_t = f(x) - f(x')$, holds exactly for the integral, and for the sum up to
# the gap measured above.
