"""
# Activation patching and attribution patching

Copy one activation from a clean run into a corrupted run and see how much of the right answer comes back.

*Activation patching* (also called causal tracing or interchange intervention) asks which internal activations
carry the information a prediction needs (Meng et al., 2022, "Locating and Editing Factual Associations in GPT",
[arXiv:2202.05262](https://arxiv.org/abs/2202.05262); Wang et al., 2022, "Interpretability in the Wild: a Circuit
for Indirect Object Identification in GPT-2 small", [arXiv:2211.00593](https://arxiv.org/abs/2211.00593)). We run
the model on a *clean* prompt and on a *corrupted* one that asks for a different answer, then rerun the corrupted
prompt with one activation, the residual stream at one layer and one position, replaced by its clean value. If
the clean answer comes back, that activation carries what distinguishes the two prompts. The first figure shows
the restored share for each layer and position, measured (top) and estimated by *attribution patching*
(Nanda, 2023, "Attribution Patching: Activation Patching At Industrial Scale"), a gradient approximation that
needs one backward pass instead of one forward pass per cell. The second figure shows how well the two agree.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## A clean and a corrupted prompt
#
# The task is indirect-object identification: "When Mary and John went to the store, John gave a drink to" should
# continue with " Mary", the name that is not repeated. The corrupted prompt swaps the two names everywhere, so its
# answer is " John". Swapping keeps every other token identical and both names are single tokens, so the two
# prompts have the same length and positions line up one to one, which patching needs.
#
# The metric is the **logit difference** logit(" Mary") − logit(" John") at the last position, normalised so that
# 0 is the corrupted run and 1 the clean run (Heimersheim & Nanda, 2024, "How to use and interpret activation
# patching", [arXiv:2404.15255](https://arxiv.org/abs/2404.15255), explain why a logit difference is a better
# metric than a probability). The model gets both prompts right, by about 6 logits each way.

import copy
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
# gradients are only needed for activations, never for the weights
model.requires_grad_(False)
n_layers = model.config.num_hidden_layers


def label(token_id):
    """Readable token text: a leading space becomes '␣'."""
    return tokenizer.decode([token_id]).replace(" ", "␣")


clean_ids = tokenizer(
    "When Mary and John went to the store, John gave a drink to",
    return_tensors="pt",
)["input_ids"]
corrupt_ids = tokenizer(
    "When John and Mary went to the store, Mary gave a drink to",
    return_tensors="pt",
)["input_ids"]
mary, john = (
    tokenizer(name, add_special_tokens=False)["input_ids"]
    for name in (" Mary", " John")
)
# single tokens, aligned positions
assert len(mary) == len(john) == 1 and clean_ids.shape == corrupt_ids.shape
mary, john = mary[0], john[0]
tokens = [label(i) for i in clean_ids[0].tolist()]
n = len(tokens)
print("clean:  ", " ".join(tokens))
print("corrupt:", " ".join(label(i) for i in corrupt_ids[0].tolist()))


def logit_diff(logits):
    """logit(' Mary') - logit(' John') at the last position, one value per
    batch row."""
    return logits[:, -1, mary] - logits[:, -1, john]


# %%
# ## Record the clean residual stream
#
# A forward hook on each decoder layer stores its output: the residual stream after that layer, at every position.
# (`output_hidden_states=True` would give the same tensors for all layers but the last, whose entry is already
# through the final norm; hooks avoid that trap.)

clean_resid = {}
hooks = [
    layer.register_forward_hook(
        lambda module, args, output, i=i: clean_resid.__setitem__(
            i, output[0].detach()
        )
    )
    for i, layer in enumerate(model.model.layers)
]
with torch.no_grad():
    clean_ld = logit_diff(model(clean_ids).logits).item()
for hook in hooks:
    hook.remove()
# (layers, positions, hidden)
clean_resid = torch.stack([clean_resid[i] for i in range(n_layers)])
with torch.no_grad():
    # keep the key/value cache: patching reuses it
    corrupt_run = model(corrupt_ids, use_cache=True)
corrupt_ld = logit_diff(corrupt_run.logits).item()
print(
    f"logit difference Mary - John: clean {clean_ld:.2f}, corrupted "
    f"{corrupt_ld:.2f}"
)
assert 5 < clean_ld < 7.5 and -7.5 < corrupt_ld < -5, (clean_ld, corrupt_ld)


def normalise(ld):
    return (ld - corrupt_ld) / (clean_ld - corrupt_ld)


# %%
# ## Patching, batched over layers
#
# For one position `p` we patch every layer at once: a batch of `n_layers` copies of the corrupted prompt, and a
# hook on layer `l` that overwrites row `l` at position `p` with the clean value. One forward pass gives a whole
# column of the grid.
#
# A second saving comes from causality. Patching position `p` cannot change anything at positions before `p`: they
# never attend to it. So we take the key/value cache of the corrupted run, cut it back to positions `0..p-1`, copy
# it for each row of the batch, and feed only the positions from `p` on. The patched position is then the first
# one fed (index 0 inside the hook). A check against a plain, unbatched patched run follows.
#
# Cost: even with both savings a column costs `n_layers` forward passes over the remaining positions, so we patch
# the positions that matter rather than all of them (this page has a budget of a few seconds): the first "Mary"
# and the second "John", whose tokens differ between the prompts, and the last position, where the answer is read
# out. The first "John" (position 3) differs too, but its column alone would add more than half again to the
# patching time; it and the positions that hold the same token in both prompts are left to the attribution-patching
# estimate below, which finds them all small.

io_position, s1_position, s2_position = [
    p for p in range(n) if clean_ids[0, p] != corrupt_ids[0, p]
]
patched_positions = [io_position, s2_position, n - 1]
print(
    "patched positions:",
    ", ".join(f"{p} ({tokens[p]})" for p in patched_positions),
)


def patch_column(p):
    """Normalised logit difference after patching the clean residual at
    position p, one value per layer."""
    cache = copy.deepcopy(corrupt_run.cache)
    # a negative argument removes that many positions from the end: keep 0..p-1
    cache.crop(p - n)
    # one copy of the prefix per batch row
    cache.batch_repeat_interleave(n_layers)

    def overwrite(module, args, output, layer):
        output = output.clone()
        # row `layer`, first fed position = position p
        output[layer, 0] = clean_resid[layer, p]
        return output

    hooks = [
        block.register_forward_hook(
            lambda module, args, output, layer=layer: overwrite(
                module, args, output, layer
            )
        )
        for layer, block in enumerate(model.model.layers)
    ]
    try:
        with torch.no_grad():
            logits = model(
                corrupt_ids[:, p:].expand(n_layers, -1),
                cache=cache,
                use_cache=True,
                logits_to_keep=1,
            ).logits
    finally:
        for hook in hooks:
            hook.remove()
    return normalise(logit_diff(logits)).numpy()


# rows: positions, columns: layers; NaN = not patched
patched = np.full((n, n_layers), np.nan)
for p in patched_positions:
    patched[p] = patch_column(p)


def patch_one(layer, p):
    """The same patch for one cell, the plain way: the whole corrupted prompt,
    one row, no cache."""

    def overwrite(module, args, output):
        output = output.clone()
        output[0, p] = clean_resid[layer, p]
        return output

    hook = model.model.layers[layer].register_forward_hook(overwrite)
    with torch.no_grad():
        ld = logit_diff(model(corrupt_ids).logits).item()
    hook.remove()
    return normalise(ld)


# batching and the cache change nothing
assert abs(patch_one(15, s2_position) - patched[s2_position, 15]) < 1e-3

# %%
# ## Attribution patching: one backward pass for the whole grid
#
# Attribution patching replaces each patch by its first-order Taylor estimate around the corrupted run:
#
# effect(l, p) ≈ (clean activation − corrupted activation) · ∂ metric / ∂ activation,
#
# with the gradient taken once, in the corrupted run. One forward and one backward pass give an estimate for every
# layer and every position. Hooks keep each layer's output and ask autograd to keep its gradient
# (`retain_grad`). The weights are frozen, so we feed the input embeddings with `requires_grad` to get a graph.

corrupt_resid = {}


def keep(module, args, output, i):
    output.retain_grad()
    corrupt_resid[i] = output


hooks = [
    layer.register_forward_hook(
        lambda module, args, output, i=i: keep(module, args, output, i)
    )
    for i, layer in enumerate(model.model.layers)
]
embeddings = (
    model.get_input_embeddings()(corrupt_ids).detach().requires_grad_(True)
)
logit_diff(
    model(inputs_embeds=embeddings, logits_to_keep=1).logits
).sum().backward()
for hook in hooks:
    hook.remove()
# (layers, positions, hidden)
gradient = torch.stack([corrupt_resid[i].grad[0] for i in range(n_layers)])
difference = clean_resid - torch.stack(
    [corrupt_resid[i][0].detach() for i in range(n_layers)]
)
# (positions, layers)
estimate = (
    (difference * gradient).sum(-1) / (clean_ld - corrupt_ld)
).T.numpy()

# %%
# ## The grid: where the answer lives, layer by layer
#
# Rows are positions, columns are the layer whose output is patched; blue means the clean answer comes back.
# Grey rows were not patched for real. Read the top panel from left to right:
#
# * In the early and middle layers the information sits **at the names**. Patching the first name restores about
#   three quarters of the clean answer, and patching the second "John" restores more than 80 % up to layer 16.
# * Around **layer 23** it moves: the name positions stop mattering and the last position takes over, jumping from
#   almost nothing after layer 22 to most of the answer after layer 23. Attention in layer 23 carries the names to
#   the position where the answer is read out. After the last layer, patching the last position restores
#   everything by construction (the logits are computed from it alone).
#
# The estimate (bottom) covers every position. It finds the same layer-23 hand-over, and small values everywhere
# except at the three rows patched for real, including the first "John" (position 3), which was not patched. But
# its values at the name positions are too small in the early layers; the next figure looks at that.

print("restored share, by patched position and layer:")
for p in patched_positions:
    print(
        f"{tokens[p]:>6s} ({p:2d}):", " ".join(f"{v:5.2f}" for v in patched[p])
    )
# the layer where patching the last position jumps
handover = int(np.argmax(np.diff(patched[n - 1]))) + 1
print(f"the last position takes over at layer {handover}")
assert (
    handover == 23
    and patched[n - 1, handover - 1] < 0.1
    and patched[n - 1, handover] > 0.75
), patched[n - 1]
assert (
    0.6 < patched[io_position, :handover].mean() < 0.85
    and patched[io_position, handover:].max() < 0.2
)
assert (patched[s2_position, :17] > 0.8).all() and patched[
    s2_position, handover:
].max() < 0.2
# the last layer's output at the last position gives the clean logits
assert abs(patched[n - 1, -1] - 1) < 1e-4
unpatched = [p for p in range(n) if p not in patched_positions]
# the other rows: small
assert np.abs(estimate[unpatched]).max() < 0.1, np.abs(
    estimate[unpatched]
).max()
# the estimate finds the same hand-over layer
assert np.argmax(np.diff(estimate[n - 1])) + 1 == handover

grey = plt.get_cmap("RdBu").copy()
grey.set_bad("lightgrey")
fig, axes = plt.subplots(2, 1, figsize=(6.8, 6.4), constrained_layout=True)
for ax, grid, title in [
    (axes[0], patched, "Activation patching (measured)"),
    (axes[1], estimate, "Attribution patching (gradient estimate)"),
]:
    image = ax.imshow(
        np.ma.masked_invalid(grid), cmap=grey, vmin=-1, vmax=1, aspect="auto"
    )
    ax.set_yticks(range(n), [f"{t} {p}" for p, t in enumerate(tokens)])
    ax.set_xticks(range(0, n_layers, 2))
    ax.tick_params(labelsize=8)
    ax.set_xlabel("layer whose output is patched", fontsize=9)
    ax.set_title(title, fontsize=10)
axes[0].text(
    n_layers / 2,
    (s1_position + s2_position) / 2,
    "not patched for real (grey rows)",
    ha="center",
    va="center",
    fontsize=9,
    color="black",
)
fig.colorbar(
    image,
    ax=axes,
    label="share of the clean logit difference restored",
    shrink=0.6,
)
plt.show()

# %%
# ## How well does the estimate agree?
#
# Each dot is one (layer, position) cell that was patched for real. The correlation over these cells is about 0.65.
# The misses have a pattern: the estimate is a straight-line extrapolation from the corrupted run, and swapping a
# name is not a small change. At the name positions the estimate stays well below the measured effect in every
# layer up to the hand-over: it sees the first step of a big move and misses where the move ends. Around the
# hand-over it even predicts a negative effect at the first name, where the measured one is zero. Where the effect
# grows gradually (the last position after the hand-over) it is close.

measured_cells = patched[patched_positions].ravel()
estimated_cells = estimate[patched_positions].ravel()
correlation = np.corrcoef(measured_cells, estimated_cells)[0, 1]
print(
    "correlation between measured and estimated effects over "
    f"{measured_cells.size} cells: {correlation:.2f}"
)
assert 0.55 < correlation < 0.75, correlation
# too small, every layer
assert (
    estimate[io_position, :handover] < patched[io_position, :handover] - 0.3
).all()
assert (
    estimate[s2_position, :handover] < patched[s2_position, :handover] - 0.2
).all()
assert (
    estimate[io_position, handover] < -0.1 < patched[io_position, handover]
), estimate[io_position, handover]
assert (
    np.abs(
        estimate[n - 1, handover + 1 :] - patched[n - 1, handover + 1 :]
    ).max()
    < 0.1
)

fig, ax = plt.subplots(figsize=(4.6, 4), constrained_layout=True)
for p, color in zip(patched_positions, ["tab:blue", "tab:orange", "tab:red"]):
    ax.scatter(
        patched[p],
        estimate[p],
        s=16,
        color=color,
        label=f"{tokens[p]} (position {p})",
    )
ax.plot(
    [-0.3, 1.05],
    [-0.3, 1.05],
    color="grey",
    lw=0.8,
    ls="--",
    label="estimate = measured",
)
ax.set_xlabel("measured (activation patching)", fontsize=9)
ax.set_ylabel("estimated (attribution patching)", fontsize=9)
ax.tick_params(labelsize=8)
ax.set_title(f"One dot per layer; r = {correlation:.2f}", fontsize=10)
ax.legend(fontsize=8, loc="upper left")
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **The answer depends on the corruption.** Swapping the names asks "what carries *which* name is the answer".
#   Another corruption (three different names, or random tokens) asks another question and lights up other cells.
# * **Clean into corrupted is not corrupted into clean.** We *restore* (denoise): a cell that brings the answer
#   back is sufficient, given the rest of the corrupted run. Patching the other way (noising) finds what is
#   *necessary*; with redundant components the two disagree (Heimersheim & Nanda, 2024).
# * **The metric shapes the picture.** The logit difference is linear in the final residual up to the final norm;
#   probabilities saturate and hide effects. Values outside 0..1 are possible and mean "more than the clean run".
# * **Residual-stream patching at a position moves everything at once.** It says *where* the information is, not
#   which head or neuron put it there; patching head outputs or MLP outputs is the next step.
# * **Attribution patching is linear.** It is exact only for small changes; big ones (a whole name) can be
#   under- or over-estimated, as here, and saturated attention can hide an effect completely. Use it to choose
#   which cells to patch for real, then check those.
# * **One prompt pair.** The IOI studies average over many name pairs and templates; a single pair can show
#   quirks of those two names.
