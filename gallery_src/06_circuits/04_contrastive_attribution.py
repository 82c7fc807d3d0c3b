"""
# Contrastive attribution: why " Mary" and not " John"?

Attributing " Mary" alone credits every token that makes a name likely; attributing " Mary" against " John" credits the names.

An attribution answers a question, and the target decides which one. "Why ' Mary'?" is mostly "why a name here?":
after "gave a drink to", many tokens make *some* name likely. The question we care about is usually contrastive:
"why ' Mary' *rather than* ' John'?" Yin & Neubig (2022, "Interpreting Language Models with Contrastive
Explanations", [arXiv:2202.10419](https://arxiv.org/abs/2202.10419)) attribute the difference of the two logits
instead of one. This page builds on the decoder section's next-token attribution page (*Which input tokens drive
the next-token prediction?*): gradient × input on the input embeddings, for the target " Mary" alone and for
" Mary" against the foil " John", a cross-check with input erasure in both forms, and a look at where the two
methods disagree and why.
"""

# gallery_thumbnail_number = 2
# gallery_thumbnail_panel = 1

# %%
# ## Load the model and the prompt
#
# As on the next-token attribution page, we feed the input embeddings ourselves (`inputs_embeds=`) so that we can
# take gradients with respect to them, and freeze the weights. The model puts 0.92 of its probability on " Mary".
# Its log-probability is therefore nearly saturated (its gradient is small), which is one reason to work with
# logits here.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(MODEL_NAME)
model.eval()
model.requires_grad_(False)


def label(token_id):
    """Readable token text: a leading space becomes '␣'."""
    return tokenizer.decode([token_id]).replace(" ", "␣")


prompt = "When Mary and John went to the store, John gave a drink to"
input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
tokens = [label(i) for i in input_ids[0].tolist()]
n = len(tokens)
target, foil = (
    tokenizer(name, add_special_tokens=False)["input_ids"][0]
    for name in (" Mary", " John")
)
# positions 1, 3 and 9
names = [p for p, t in enumerate(input_ids[0].tolist()) if t in (target, foil)]

embed = model.get_input_embeddings()
x = embed(input_ids).detach()  # (1, positions, hidden)
with torch.no_grad():
    logits = model(inputs_embeds=x, logits_to_keep=1).logits[0, -1]
probs = logits.softmax(-1)
print("tokens:", " ".join(tokens))
print(
    f"p({label(target)}) = {probs[target]:.2f}, p({label(foil)}) = "
    f"{probs[foil]:.3f}; "
    f"logits {logits[target]:.2f} and {logits[foil]:.2f}"
)
assert logits.argmax() == target and 0.85 < probs[target] < 0.97, probs[target]

# %%
# ## Gradient × input, with and without the foil
#
# One forward pass, then two backward passes through the same graph: the gradient of logit(" Mary") and the
# gradient of logit(" John") with respect to the embeddings. Gradient × input is each gradient dotted with the
# embedding, one number per token. Because the gradient is linear in the target, the contrastive attribution of
# logit(" Mary") − logit(" John") is simply the difference of the two (the `assert` checks it against a third
# backward pass).

x_grad = x.clone().requires_grad_(True)
out = model(inputs_embeds=x_grad, logits_to_keep=1).logits[0, -1]
grad_target = torch.autograd.grad(out[target], x_grad, retain_graph=True)[0][0]
grad_foil = torch.autograd.grad(out[foil], x_grad, retain_graph=True)[0][0]
grad_contrast = torch.autograd.grad(out[target] - out[foil], x_grad)[0][0]
assert torch.allclose(grad_contrast, grad_target - grad_foil, atol=1e-4)

gxi_target = (grad_target * x[0]).sum(-1).numpy()
gxi_foil = (grad_foil * x[0]).sum(-1).numpy()
gxi_contrast = (grad_contrast * x[0]).sum(-1).numpy()
for p in range(n):
    print(
        f"{tokens[p]:>7s}  Mary {gxi_target[p]:+.2f}  John {gxi_foil[p]:+.2f} "
        f" Mary - John {gxi_contrast[p]:+.2f}"
    )

# %%
# ## The contrast moves the credit to the names
#
# Left: gradient × input for the two logits separately. On most tokens the " Mary" and " John" bars are close:
# "gave a drink to" and the rest make *a name* likely, whichever name it is. Right: their difference, the
# contrastive attribution. What the two targets share cancels, and the names are left: the three name tokens
# carry about 80 % of the total absolute attribution for the contrast, against about a quarter for " Mary" alone.
#
# Note the sign at " Mary": the contrastive gradient × input says the " Mary" token pushes *towards* " John". The
# erasure check below disagrees strongly; keep that in mind before reading signs.

others = [p for p in range(n) if p not in names]
similarity = np.corrcoef(gxi_target[others], gxi_foil[others])[0, 1]
name_share = {
    kind: np.abs(scores[names]).sum() / np.abs(scores).sum()
    for kind, scores in [("target", gxi_target), ("contrast", gxi_contrast)]
}
print(
    f"correlation of the Mary and John attributions on the {len(others)} "
    f"other tokens: {similarity:.2f}"
)
print(
    f"share of |attribution| on the names: {name_share['target']:.2f} for "
    "Mary alone, "
    f"{name_share['contrast']:.2f} for Mary - John"
)
assert similarity > 0.8, similarity
assert (
    0.7 < name_share["contrast"] < 0.9 and 0.15 < name_share["target"] < 0.35
), name_share
# the sign at ␣Mary (see the erasure check)
assert gxi_contrast[names[0]] < -2, gxi_contrast[names[0]]

positions = np.arange(n)
fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.6), sharey=True, constrained_layout=True
)
left.bar(
    positions - 0.2, gxi_target, 0.4, color="tab:blue", label="logit(␣Mary)"
)
left.bar(
    positions + 0.2, gxi_foil, 0.4, color="tab:orange", label="logit(␣John)"
)
left.set_title("One target at a time", fontsize=10)
left.set_ylabel("gradient × input (logits)", fontsize=9)
left.legend(fontsize=8, loc="lower left")
right.bar(positions, gxi_contrast, 0.6, color="tab:green")
right.set_title("Contrast: logit(␣Mary) − logit(␣John)", fontsize=10)
for ax in (left, right):
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(positions, tokens, rotation=90)
    ax.tick_params(labelsize=8)
plt.show()

# %%
# ## Cross-check: erase one token at a time
#
# Yin & Neubig also define *contrastive input erasure*: remove a token and see how far the target falls, or
# here how far the difference falls. As on the next-token attribution page we replace one embedding at a time by
# the padding token's embedding, all thirteen variants in one batch, and skip position 0 (the attention sink).
#
# Erasure tells the same story more sharply. For logit(" Mary") alone, many tokens matter a lot: erasing " a" or
# " drink" *raises* it by about 3 to 4, and erasing " Mary" lowers it by about 9. For the difference, those
# filler words drop to near zero, and the names dominate. The second " John" is the clearest case: erasing it
# leaves the " Mary" logit where it was but costs almost 4 logits of the difference. The repeated name is what
# rules " John" out, which only a contrastive question can show.
# Erasing the last token ("␣to") changes the question itself, so its bars mean little.

pad_id = (
    tokenizer.pad_token_id
    if tokenizer.pad_token_id is not None
    else tokenizer.eos_token_id
)
erased = x.expand(n - 1, -1, -1).clone()  # one row per erased position 1..n-1
assert erased.shape[0] == 13
for row, p in enumerate(range(1, n)):
    erased[row, p] = embed.weight[pad_id]
with torch.no_grad():
    erased_logits = model(inputs_embeds=erased, logits_to_keep=1).logits[:, -1]
drop_target = np.concatenate(
    [[np.nan], (logits[target] - erased_logits[:, target]).numpy()]
)
contrast = (logits[target] - logits[foil]).item()
drop_contrast = np.concatenate(
    [
        [np.nan],
        (
            contrast - (erased_logits[:, target] - erased_logits[:, foil])
        ).numpy(),
    ]
)
for p in range(1, n):
    print(
        f"erase {tokens[p]:>7s}: logit(Mary) falls {drop_target[p]:+.2f}, "
        f"Mary - John falls {drop_contrast[p]:+.2f}"
    )

io, s1, s2 = names
fillers = [tokens.index(t) for t in ("␣a", "␣drink")]
assert 8 < drop_target[io] < 10 and 7 < drop_contrast[io] < 9, (
    drop_target[io],
    drop_contrast[io],
)
assert all(
    -4.5 < drop_target[p] < -2.5 and abs(drop_contrast[p]) < 0.5
    for p in fillers
), fillers
assert abs(drop_target[s2]) < 0.3 and 3.5 < drop_contrast[s2] < 4.5, (
    drop_target[s2],
    drop_contrast[s2],
)
middle = list(range(1, n - 1))  # leave out the sink and the last token
erasure_share = {
    kind: np.abs(drops[names]).sum() / np.abs(drops[middle]).sum()
    for kind, drops in [("target", drop_target), ("contrast", drop_contrast)]
}
print(
    f"share of |erasure effect| on the names: {erasure_share['target']:.2f} "
    "for Mary alone, "
    f"{erasure_share['contrast']:.2f} for Mary - John"
)
assert (
    erasure_share["contrast"] > 0.6
    and erasure_share["contrast"] > erasure_share["target"] + 0.2
), erasure_share

fig, ax = plt.subplots(figsize=(6.8, 3.4), constrained_layout=True)
ax.bar(
    positions - 0.2,
    drop_target,
    0.4,
    color="tab:blue",
    label="logit(␣Mary) alone",
)
ax.bar(
    positions + 0.2,
    drop_contrast,
    0.4,
    color="tab:green",
    label="logit(␣Mary) − logit(␣John)",
)
ax.axhline(0, color="black", lw=0.6)
ax.set_xticks(positions, tokens, rotation=90)
ax.tick_params(labelsize=8)
ax.set_ylabel("fall when the token is erased", fontsize=9)
ax.set_title("Input erasure (position 0 not erased)", fontsize=10)
ax.legend(fontsize=8, loc="upper center")
plt.show()

# %%
# ## When the two methods disagree
#
# Both methods agree that the contrast concentrates on the names. They disagree on the sign at " Mary": erasure
# says the token is worth about 8 logits of the difference *for* " Mary"; gradient × input says about 4 *against*
# it. At the second " John" the signs agree (both say it helps " Mary"), but not the sizes.
#
# What gradient × input measures makes the reason plain. By the chain rule, gradient · embedding is the derivative
# of the target when that one embedding is scaled by a factor α, taken at α = 1: it says what happens if the
# " Mary" embedding gets slightly *longer*. Read as an attribution, it extrapolates that slope in a straight line
# down to α = 0 (no embedding at all). The figure scales the " Mary" embedding from 0 to 1 for real (one batched
# pass) and draws the tangent whose slope is the gradient × input. Near α = 1 the curve does slope down a little,
# so the derivative is right about what it measures. But the curve is far from straight: the difference climbs
# from about −2 to about +6 between α = 0.3 and α = 0.7 and then levels off. The straight line, extrapolated to
# α = 0, predicts about +10 where the model gives about −2. (A finite difference at α = 1 confirms that the
# tangent's slope is the gradient × input.)

alphas = torch.tensor(
    [*np.linspace(0, 1, 11), 0.99, 1.01], dtype=torch.float32
)
scaled = x.expand(len(alphas), -1, -1).clone()
scaled[:, io] = alphas[:, None] * x[0, io]
with torch.no_grad():
    scaled_logits = model(inputs_embeds=scaled, logits_to_keep=1).logits[:, -1]
curve = (scaled_logits[:, target] - scaled_logits[:, foil]).numpy()
slope = (curve[-1] - curve[-2]) / 0.02  # central difference at alpha = 1
print(
    f"slope at alpha = 1: {slope:+.2f} by finite difference, "
    f"{gxi_contrast[io]:+.2f} by gradient × input"
)
print(
    f"Mary - John with the ␣Mary embedding at alpha = 0: {curve[0]:+.2f}; at "
    f"alpha = 1: {contrast:+.2f}; "
    f"the tangent predicts {contrast - gxi_contrast[io]:+.2f} at alpha = 0"
)
assert abs(slope - gxi_contrast[io]) < 0.1 * abs(gxi_contrast[io]), (
    slope,
    gxi_contrast[io],
)
assert (
    drop_contrast[io] > 0 > gxi_contrast[io]
    and drop_contrast[s2] > 0
    and gxi_contrast[s2] > 0
)
# the real value and the tangent at 0
assert -3 < curve[0] < -1 and 8.5 < contrast - gxi_contrast[io] < 11.5
# the climb between 0.3 and 0.7, then a plateau
assert curve[3] < 0 and curve[7] > 5.5 and curve[8] > curve[10]

fig, ax = plt.subplots(figsize=(5.2, 3.4), constrained_layout=True)
ax.plot(
    alphas[:11].numpy(), curve[:11], "o-", color="tab:green", label="measured"
)
ax.plot(
    [0, 1],
    [contrast - gxi_contrast[io], contrast],
    "--",
    color="tab:purple",
    label="tangent at α = 1 (gradient × input)",
)
ax.set_xlabel("scale α of the ␣Mary embedding", fontsize=9)
ax.set_ylabel("logit(␣Mary) − logit(␣John)", fontsize=9)
ax.tick_params(labelsize=8)
ax.set_title("A straight line from α = 1 misses", fontsize=10)
ax.legend(fontsize=8)
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **The foil is part of the question.** Another foil (" the", " her", another name) gives another explanation.
#   Pick the alternative the reader actually wonders about; Yin & Neubig's foils are the model's own runner-up or
#   a minimally different word.
# * **Gradient × input is local.** It linearises the model around the input; for big, discrete changes such as
#   removing a word its numbers, even their signs, can be wrong, as at " Mary" here. Integrated gradients (see the
#   next-token attribution page) fixes completeness for one path and one baseline, at the price of many passes.
# * **Erasure depends on what replaces the token.** The padding embedding is one choice; a different filler word
#   or a zero vector changes the numbers. Erasing a token also changes the length of meaningful text and can make
#   the prompt ungrammatical, which a model may react to in its own right.
# * **Logits, not probabilities.** A difference of logits is the log of the probability ratio of the two
#   answers, unaffected by the rest of the vocabulary. The log-probability of " Mary" alone would mix in all
#   other candidates and, at 0.92, is close to saturation.
