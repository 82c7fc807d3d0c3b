"""
# Which input tokens drive the next-token prediction?

Attribute the prediction " Paris" after "The capital of France is" to the prompt's tokens, with gradients and integrated gradients.

We differentiate one number (the logit or the log-probability of " Paris" at the last position) with respect to
the input embeddings, and turn the result into one score per token. The page shows the plain gradient, gradient ×
input, and integrated gradients with a completeness check, and how much the answer depends on two choices you have
to make: the baseline and the target.
"""

# gallery_thumbnail_number = 3
# gallery_thumbnail_panel = 2

# %%
# ## Load the model
#
# We freeze the weights (`requires_grad_(False)`): we only need gradients with respect to the input, and skipping the
# weight gradients makes each backward pass cheaper.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager: attention weights
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager"
)
model.eval()
model.requires_grad_(False)
print(
    f"{model.config.num_hidden_layers} layers, hidden size "
    f"{model.config.hidden_size}"
)


def label(token_id):
    """Readable token text: a leading space becomes '␣', a newline becomes
    '\\n'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


# %%
# ## The prediction to explain
#
# We look up the input embeddings ourselves (`model.get_input_embeddings()`) and feed them with `inputs_embeds=`,
# so that we can take gradients with respect to them and replace them with a baseline later. The target is the
# **logit** of the model's top prediction at the last position; we also define the log-probability for later.
# `logits_to_keep=1` makes the model compute logits for the last position only, which saves time in the many
# forward passes below.

prompt = "The capital of France is"
input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
tokens = [label(i) for i in input_ids[0].tolist()]
embed = model.get_input_embeddings()
x = embed(input_ids).detach()  # (1, positions, hidden)

with torch.no_grad():
    logits = model(inputs_embeds=x).logits[0, -1]
target = logits.argmax().item()
probs = logits.softmax(-1)
print("tokens:", " ".join(tokens))
print(
    "top predictions:",
    ", ".join(
        f"{label(i)} {probs[i]:.2f}" for i in probs.topk(5).indices.tolist()
    ),
)


def target_logit(embeddings):
    return model(inputs_embeds=embeddings, logits_to_keep=1).logits[
        :, -1, target
    ]


def target_logprob(embeddings):
    return (
        model(inputs_embeds=embeddings, logits_to_keep=1)
        .logits[:, -1]
        .log_softmax(-1)[:, target]
    )


def bars(ax, scores, title, ylabel):
    colors = ["tab:blue" if s >= 0 else "tab:red" for s in scores]
    ax.bar(range(len(scores)), scores, color=colors)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(tokens)), tokens)
    ax.set_xlabel("input token")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


# %%
# ## Gradient and gradient × input
#
# One backward pass gives the gradient of the target with respect to every embedding vector. Two ways to turn a
# vector per token into one number:
#
# * **gradient norm** (left): how sensitive the target is to *any* small change of that token's embedding;
#   always positive, no direction.
# * **gradient × input** (right): the gradient dotted with the embedding itself, a first-order estimate of how much
#   the embedding pushes the target up (blue) or down (red).
#
# The first token has the largest gradient norm: position 0 is the attention sink (see the first page of this
# section), and small changes to it ripple through every later position. Gradient × input is a local,
# linear reading; it does not add up to anything in particular.

x_grad = x.clone().requires_grad_(True)
target_logit(x_grad).sum().backward()
grad = x_grad.grad[0]
grad_norm = grad.norm(dim=-1).numpy()
grad_x_input = (grad * x[0]).sum(-1).numpy()

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.6), constrained_layout=True
)
bars(left, grad_norm, "Gradient L2 norm", "‖∂ logit / ∂ embedding‖")
bars(
    right,
    grad_x_input,
    "Gradient × input",
    "∂ logit / ∂ embedding · embedding",
)
fig.suptitle(
    f"Target: logit of {label(target)!r} at the last position", fontsize=11
)
plt.show()
# the first token has the largest gradient norm
assert grad_norm.argmax() == 0, grad_norm

# %%
# ## Choosing a baseline for integrated gradients
#
# Integrated gradients (Sundararajan et al., 2017) averages the gradient along a straight path from a *baseline*
# input x′ to the real input x and multiplies by (x − x′). Its scores add up to F(x) − F(x′) (*completeness*), but
# only if the path is sampled finely enough. The baseline matters a lot here. The figure follows the target logit
# along two paths:
#
# * **all-zero embeddings** (a common default): the logit jumps from 0 to about 15 between α = 0 and the first
#   point after it (α = 0.025), and then wanders. Llama-style blocks start with RMSNorm, which divides each vector by
#   its own size, so the layers see nearly the same input for every α above a tiny threshold. Almost all of the
#   change (more than 80 % of it) happens in that sliver near α = 0, which a Riemann sum with a few dozen steps
#   cannot resolve.
# * **the padding token's embedding at every position**: the path is erratic; the logit jumps by more than 10
#   between neighbouring points, and no step count gives a trustworthy sum.
# * **our baseline: keep position 0, replace every other token by the padding token's embedding.** Position 0 is the
#   attention sink, and the output is very sensitive to it (note its large gradient above), so we leave it in place.
#   The price: the first token gets an attribution of exactly 0 by construction. Along this path the logit changes
#   smoothly: by less than 3 between neighbouring points.

pad_id = (
    tokenizer.pad_token_id
    if tokenizer.pad_token_id is not None
    else tokenizer.eos_token_id
)
baselines = {
    "all zeros": torch.zeros_like(x),
    f"{label(pad_id)} everywhere": embed.weight[pad_id].detach().expand_as(x),
    f"keep position 0, others = {label(pad_id)}": torch.cat(
        [x[:, :1], embed.weight[pad_id].detach().expand_as(x[:, 1:])], dim=1
    ),
}
alphas = torch.linspace(0, 1, 41)
along = {}  # the target at each α, per baseline
fig, ax = plt.subplots(figsize=(6.8, 3.8), constrained_layout=True)
with torch.no_grad():
    for name, baseline in baselines.items():
        path = baseline + alphas[:, None, None] * (x - baseline)
        along[name] = target_logit(path).numpy()
        ax.plot(alphas.numpy(), along[name], ".-", label=f"baseline: {name}")
ax.set_xlabel("α (0 = baseline, 1 = real input)")
ax.set_ylabel(f"logit of {label(target)!r}")
ax.set_title(
    "The target along the straight path from baseline to input", fontsize=11
)
ax.legend(fontsize=9)
plt.show()

zeros, everywhere, kept = along.values()
print(
    f"all zeros: {zeros[0]:.2f} at α = 0, {zeros[1]:.2f} at α = "
    f"{alphas[1]:.3f}, {zeros[-1]:.2f} at α = 1"
)
# from 0 to about 15 in the first step
assert abs(zeros[0]) < 0.5 and 12 < zeros[1] < 18
assert zeros[1] - zeros[0] > 0.8 * (zeros[-1] - zeros[0])  # most of the change
assert np.abs(np.diff(everywhere)).max() > 10  # erratic
assert np.abs(np.diff(kept)).max() < 3  # smooth

# %%
# ## Integrated gradients and the completeness check
#
# We use the midpoint Riemann rule: `steps` points α = (k + ½) / steps, batched 32 at a time. For each number of
# steps we compare the sum of the scores with F(x) − F(x′). The gap should shrink as the steps grow; if it does not,
# the scores are not to be trusted.


def integrated_gradients(target_fn, x, baseline, steps, batch=32):
    alphas = (torch.arange(steps) + 0.5) / steps
    total = torch.zeros_like(x[0])
    for chunk in alphas.split(batch):
        path = (
            baseline + chunk[:, None, None] * (x - baseline)
        ).requires_grad_(True)
        target_fn(path).sum().backward()
        total += path.grad.sum(0)
    return ((x - baseline)[0] * total / steps).sum(-1)  # one score per token


baseline = baselines[f"keep position 0, others = {label(pad_id)}"]
with torch.no_grad():
    difference = (target_logit(x) - target_logit(baseline)).item()
print(f"F(x) - F(baseline) = {difference:.3f}")

step_counts = [4, 8, 16, 32]
gaps = []
for steps in step_counts:
    ig = integrated_gradients(target_logit, x, baseline, steps)
    gaps.append(ig.sum().item() - difference)
    print(
        f"{steps:3d} steps: scores "
        f"{np.array2string(ig.numpy(), precision=2)}, "
        f"sum {ig.sum().item():7.3f}, gap {gaps[-1]:+.3f}"
    )
ig_logit = ig.numpy()  # the result with the most steps
# converged
assert abs(gaps[-1]) == min(abs(g) for g in gaps) and abs(
    gaps[-1]
) < 0.01 * abs(difference)

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.6), constrained_layout=True
)
left.loglog(step_counts, np.abs(gaps), "o-")
left.minorticks_off()
left.set_xticks(step_counts, [str(s) for s in step_counts])
left.set_xlabel("Riemann steps")
left.set_ylabel("|sum of scores − (F(x) − F(baseline))|")
left.set_title("Completeness gap")
bars(
    right,
    ig_logit,
    f"Integrated gradients,\n{step_counts[-1]} steps",
    "attribution (logit units)",
)
plt.show()

# %%
# ## The target changes the story
#
# The logit of " Paris" is not the same question as "how likely is ' Paris'". A token can raise the logits of *all*
# capital cities at once; that raises " Paris"'s logit without making it more likely than " Berlin". The
# log-probability subtracts the competition (the log-sum-exp over the vocabulary). Below, the same integrated
# gradients (32 steps, same baseline) for both targets, each scaled to a total absolute attribution of 1. With the
# logit, the last token "␣is" gets the largest share and "␣France" the smallest (leaving out the first token, held
# at 0). With the log-probability, "␣capital" and "␣of" dominate, "␣is" drops back, and the share of "␣France"
# roughly triples.

ig_logprob = integrated_gradients(
    target_logprob, x, baseline, step_counts[-1]
).numpy()
with torch.no_grad():
    difference_lp = (target_logprob(x) - target_logprob(baseline)).item()
print(
    f"log-prob: sum of scores {ig_logprob.sum():.3f} vs F(x) - F(baseline) "
    f"{difference_lp:.3f}"
)
share_logit = ig_logit / np.abs(ig_logit).sum()
share_logprob = ig_logprob / np.abs(ig_logprob).sum()
for token, a, b in zip(tokens, share_logit, share_logprob):
    print(
        f"{token:>10s}  share with the logit {a:5.2f}   with the "
        f"log-probability {b:5.2f}"
    )
france, is_ = tokens.index("␣France"), tokens.index("␣is")
assert (
    share_logit.argmax() == is_
    and np.abs(share_logit[1:]).argmin() + 1 == france
)
assert {tokens[i] for i in np.argsort(share_logprob)[-2:]} == {
    "␣capital",
    "␣of",
}
assert share_logprob[is_] < share_logit[is_]
assert 2 < share_logprob[france] / share_logit[france] < 4.5  # roughly triples

fig, ax = plt.subplots(figsize=(6.8, 3.8), constrained_layout=True)
width = 0.4
positions = np.arange(len(tokens))
ax.bar(
    positions - width / 2,
    ig_logit / np.abs(ig_logit).sum(),
    width,
    label="target: logit",
)
ax.bar(
    positions + width / 2,
    ig_logprob / np.abs(ig_logprob).sum(),
    width,
    label="target: log-probability",
)
ax.axhline(0, color="black", lw=0.8)
ax.set_xticks(positions, tokens)
ax.set_xlabel("input token")
ax.set_ylabel("share of total |attribution|")
ax.set_title(
    f"Integrated gradients for {label(target)!r}: logit vs log-probability",
    fontsize=11,
)
ax.legend()
plt.show()

# %%
# ## A cross-check: remove one token at a time
#
# Occlusion is cruder but easy to trust: replace one token's embedding by the same baseline (the padding token) and
# see how far the target falls. Removing "␣France" barely changes the *logit* of " Paris" (by less than 1) but costs
# a lot of *log-probability* (more than 5): other tokens take over. This is the same lesson as above, from a method with no gradients.
# Removing "␣is" wrecks everything: the last position is where the prediction is read out, so occluding it changes
# the question itself, not just the evidence.

drops = {}
with torch.no_grad():
    full_logits = model(inputs_embeds=x).logits[0, -1]
    print(
        f"{'removed':>10s}  {'logit drop':>10s}  {'log-prob drop':>13s}  new "
        "top prediction"
    )
    for j in range(1, len(tokens)):
        occluded = x.clone()
        occluded[0, j] = embed.weight[pad_id]
        new_logits = model(inputs_embeds=occluded).logits[0, -1]
        logit_drop = (full_logits[target] - new_logits[target]).item()
        logprob_drop = (
            full_logits.log_softmax(-1)[target]
            - new_logits.log_softmax(-1)[target]
        ).item()
        drops[tokens[j]] = (
            logit_drop,
            logprob_drop,
            new_logits.argmax().item(),
        )
        print(
            f"{tokens[j]:>10s}  {logit_drop:10.2f}  {logprob_drop:13.2f}  "
            f"{label(new_logits.argmax().item())}"
        )

assert abs(drops["␣France"][0]) < 1 and drops["␣France"][1] > 5
# wrecks everything
assert (
    drops["␣is"][0] > 10 and drops["␣is"][1] > 10 and drops["␣is"][2] != target
)

# %%
# ## Caveats
#
# * **Every score is relative to a baseline.** Integrated gradients explains F(x) − F(x′), not F(x). A different
#   baseline (zeros, padding, a neutral sentence) gives different numbers, and the zero and all-padding baselines
#   give paths that a Riemann sum cannot follow here. The first token is held fixed, so its 0 says nothing about its importance.
# * **The target is a choice.** Logit and log-probability answer different questions and rank the tokens
#   differently; so would a logit *difference* against a competitor such as " Berlin".
# * **Check completeness.** If the gap does not shrink as the steps grow, add steps or change the baseline before
#   reading the bars.
# * **Embeddings, not words.** Scores are for the token embeddings at the input. They say nothing about *where*
#   inside the network the information flows; attention maps and the logit lens look at that from other angles.
