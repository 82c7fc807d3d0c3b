"""
# Direct logit attribution: which layers and heads write the answer

Split the logit difference " Mary" − " John" into the parts each layer, MLP and attention head writes, and check they add up.

The residual stream at the last position is a sum: the token embedding plus what every attention block and every
MLP adds to it. The logits are a linear map of that sum, apart from the final RMSNorm. If we freeze the norm's
scale at its value in the real run, each component's share of a logit, its *direct logit attribution* (DLA),
is a dot product, and the shares add up exactly to the logit. The idea goes back to the residual-stream view of
Elhage et al., 2021 ("A Mathematical Framework for Transformer Circuits") and is a standard first step in circuit
analyses such as Wang et al., 2022 ([arXiv:2211.00593](https://arxiv.org/abs/2211.00593)). The page attributes
the logit difference on "When Mary and John went to the store, John gave a drink to" per layer, then per head,
and shows a trap in how transformers returns hidden states.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Collect every component's output with hooks
#
# Forward hooks record, at the last position, the output of each layer's attention block (`self_attn`), of each
# MLP (`mlp`), and of each whole decoder layer. A forward *pre*-hook on `o_proj` records its input: the heads'
# outputs side by side, `head_dim` numbers per head, before the output projection mixes them. Eager attention
# returns the attention weights, which we use at the end.

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
n_layers = model.config.num_hidden_layers
n_heads = model.config.num_attention_heads
head_dim = model.config.hidden_size // n_heads


def label(token_id):
    """Readable token text: a leading space becomes '␣'."""
    return tokenizer.decode([token_id]).replace(" ", "␣")


prompt = "When Mary and John went to the store, John gave a drink to"
input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
tokens = [label(i) for i in input_ids[0].tolist()]
mary, john = (
    tokenizer(name, add_special_tokens=False)["input_ids"][0]
    for name in (" Mary", " John")
)

recorded = {}


def record(key):
    def hook(module, args, output):
        # self_attn returns (output, weights)
        output = output[0] if isinstance(output, tuple) else output
        recorded[key] = output[0, -1].detach()

    return hook


hooks = []
for i, layer in enumerate(model.model.layers):
    hooks.append(layer.self_attn.register_forward_hook(record(("attn", i))))
    hooks.append(layer.mlp.register_forward_hook(record(("mlp", i))))
    hooks.append(layer.register_forward_hook(record(("layer", i))))
    hooks.append(
        layer.self_attn.o_proj.register_forward_pre_hook(
            lambda module, args, i=i: recorded.__setitem__(
                ("heads", i), args[0][0, -1].detach()
            )
        )
    )
with torch.no_grad():
    outputs = model(
        input_ids, output_hidden_states=True, output_attentions=True
    )
for hook in hooks:
    hook.remove()

logits = outputs.logits[0, -1]
logit_diff = (logits[mary] - logits[john]).item()
print(f"logit(' Mary') - logit(' John') = {logit_diff:.2f}")
assert 5 < logit_diff < 7.5, logit_diff

# %%
# ## The pitfall: the last hidden state is already normalised
#
# `output_hidden_states=True` returns `num_hidden_layers + 1` tensors. Entry 0 is the embeddings and entry `l` the
# output of layer `l - 1`, *except the last one*: transformers applies the final norm before returning it. So the
# last entry is not the residual stream, and differences of consecutive entries do not give the last layer's
# contribution. The checks below show it: the entries match our hooks up to layer 28, and the last one matches the
# final norm applied to layer 29's output. We use the hooks from here on.

hidden = [h[0, -1] for h in outputs.hidden_states]
# the real residual stream after the last layer
final_resid = recorded[("layer", n_layers - 1)]
print(f"{len(hidden)} hidden states for {n_layers} layers")
assert all(
    torch.allclose(hidden[l + 1], recorded[("layer", l)])
    for l in range(n_layers - 1)
)
# already normalised
assert torch.allclose(hidden[-1], model.model.norm(final_resid), atol=1e-5)
print(
    "size of the residual stream after the last layer: "
    f"{final_resid.norm():.0f}; "
    f"size of the last hidden state: {hidden[-1].norm():.0f}"
)

# %%
# ## Freeze the final norm and build the logit-difference direction
#
# Llama's final RMSNorm computes `weight * x / rms(x)`, with `rms(x) = sqrt(mean(x²) + eps)`. The logit of a token
# is the normalised vector dotted with its row of the unembedding matrix. With `rms(x)` frozen at its value for
# the real final residual, the logit difference is linear in `x`:
#
# logit(Mary) − logit(John) = x · d, with d = weight ⊙ (u_Mary − u_John) / rms(x).
#
# Every component's contribution is then its output dotted with `d`. And because the residual stream is exactly
# the embedding plus all attention and MLP outputs, the contributions must add up to the logit difference. The
# `assert` checks that, to a thousandth of a logit.

norm = model.model.norm
rms = torch.sqrt(final_resid.pow(2).mean() + norm.variance_epsilon)
unembed = model.get_output_embeddings().weight
direction = norm.weight * (unembed[mary] - unembed[john]) / rms

with torch.no_grad():
    embedding_part = (hidden[0] @ direction).item()
    attn_part = np.array(
        [(recorded[("attn", l)] @ direction).item() for l in range(n_layers)]
    )
    mlp_part = np.array(
        [(recorded[("mlp", l)] @ direction).item() for l in range(n_layers)]
    )
total = embedding_part + attn_part.sum() + mlp_part.sum()
print(
    f"embeddings {embedding_part:+.2f} + attention {attn_part.sum():+.2f} + "
    f"MLPs {mlp_part.sum():+.2f} "
    f"= {total:.3f}; the model's logit difference: {logit_diff:.3f}"
)
# exact, up to float rounding
assert abs(total - logit_diff) < 1e-3, (total, logit_diff)

# %%
# The trap from above, in numbers: taking the last layer's contribution as the difference of the last two
# hidden states mixes a normalised vector with a raw one and gets even the sign wrong.

with torch.no_grad():
    naive_last = ((hidden[-1] - hidden[-2]) @ direction).item()
true_last = attn_part[-1] + mlp_part[-1]
print(
    f"layer {n_layers - 1}'s contribution: {true_last:+.2f} from the hooks, "
    f"{naive_last:+.2f} from "
    "hidden_states[-1] - hidden_states[-2]"
)
assert true_last > 1.5 and naive_last < -1.5, (true_last, naive_last)

# %%
# ## Per layer
#
# Top: what each attention block (blue) and MLP (orange) adds to the logit difference; the embeddings (grey, at
# the left) add almost nothing. Bottom: the running total after each layer. For 23 layers every contribution is
# small (under half a logit), and together they drift slightly towards " John", to about −3.5. Then **layer 23's
# attention writes about 5 logits** in one step, the same layer where activation patching (the previous page)
# saw the names move to the last position. Layer 24's attention takes back about 1, and the last four MLPs add
# about 5 more between them. (The running total is a bookkeeping device: with the final norm frozen at its end
# value, the partial sums are not what the model would predict if it stopped early.)

top_layer = int(np.argmax(attn_part))
print(
    f"largest attention contribution: layer {top_layer}, "
    f"{attn_part[top_layer]:+.2f}; "
    f"layer {top_layer + 1}: {attn_part[top_layer + 1]:+.2f}; last four MLPs: "
    f"{mlp_part[-4:].sum():+.2f}"
)
assert top_layer == 23 and 4 < attn_part[top_layer] < 6, attn_part
assert -1.6 < attn_part[top_layer + 1] < -0.8, attn_part[top_layer + 1]
assert 4 < mlp_part[-4:].sum() < 6, mlp_part
# the total after each layer
running = embedding_part + np.cumsum(attn_part + mlp_part)
before = np.concatenate([attn_part[:top_layer], mlp_part[:top_layer]])
print(
    f"before layer {top_layer}: largest single contribution "
    f"{np.abs(before).max():.2f}, "
    f"running total {running[top_layer - 1]:+.2f}"
)
assert (
    np.abs(before).max() < 0.5
    and -4.5 < running[top_layer - 1] < -2.5
    and abs(embedding_part) < 0.2
)

fig, (top, bottom) = plt.subplots(
    2, 1, figsize=(6.8, 5), constrained_layout=True
)
layers = np.arange(n_layers)
top.bar(-1, embedding_part, 0.8, color="grey", label="embeddings")
top.bar(layers - 0.2, attn_part, 0.4, color="tab:blue", label="attention")
top.bar(layers + 0.2, mlp_part, 0.4, color="tab:orange", label="MLP")
top.axhline(0, color="black", lw=0.6)
top.set_ylabel("logits", fontsize=9)
top.set_title(
    "Direct contribution to logit(␣Mary) − logit(␣John)", fontsize=10
)
top.legend(fontsize=8, loc="upper left")
bottom.plot(
    np.arange(-1, n_layers),
    np.concatenate([[embedding_part], running]),
    ".-",
    color="tab:green",
)
bottom.axhline(logit_diff, color="grey", ls="--", lw=0.8)
bottom.text(
    -1,
    logit_diff - 0.9,
    f"the model's logit difference, {logit_diff:.2f}",
    fontsize=8,
    color="grey",
)
bottom.set_ylabel("running total (logits)", fontsize=9)
bottom.set_xlabel("layer", fontsize=9)
ticks = [-1, *range(2, n_layers, 2)]
bottom.set_xticks(ticks, ["emb", *map(str, ticks[1:])])
# same ticks, labels only on the bottom panel
top.set_xticks(ticks, [""] * len(ticks))
for ax in (top, bottom):
    ax.set_xlim(-2, n_layers)
    ax.tick_params(labelsize=8)
plt.show()

# %%
# ## Per head
#
# An attention block's output is `o_proj` applied to the heads' outputs side by side, and `o_proj` has no bias.
# So head `h`'s share is its `head_dim` slice times the matching columns of the `o_proj` weight, and the shares of
# a layer's heads add up to the block's output. The map has layers across and heads down, blue for heads that
# push towards " Mary", red for heads that push towards " John".

with torch.no_grad():
    head_part = np.zeros((n_layers, n_heads))
    for l in range(n_layers):
        # (hidden, heads * head_dim)
        weight = model.model.layers[l].self_attn.o_proj.weight
        z = recorded[("heads", l)]
        for h in range(n_heads):
            cols = slice(h * head_dim, (h + 1) * head_dim)
            head_part[l, h] = (weight[:, cols] @ z[cols] @ direction).item()
# the heads add up to each attention block
assert np.allclose(head_part.sum(1), attn_part, atol=1e-4)

limit = np.abs(head_part).max()
fig, ax = plt.subplots(figsize=(6.8, 2.9), constrained_layout=True)
image = ax.imshow(
    head_part.T, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto"
)
ax.set_xticks(range(0, n_layers, 2))
ax.set_yticks(range(n_heads))
ax.tick_params(labelsize=8)
ax.set_xlabel("layer", fontsize=9)
ax.set_ylabel("query head", fontsize=9)
ax.set_title("Direct logit attribution per head (logits)", fontsize=10)
fig.colorbar(image, ax=ax, label="toward ␣Mary (+) / ␣John (−)", pad=0.01)
plt.show()

# %%
# ## What the strongest heads read
#
# For the eight heads with the largest contributions (either sign): left, their contribution split into how much
# they raise the " Mary" logit and how much they lower the " John" logit (the two bars add up to the head's
# total); right, where the head looks from the last position. Three kinds of head appear that Wang et al. also
# found in GPT-2 small, and one more:
#
# * **Name movers** (L23H0, L23H1, L23H7): they attend to " Mary" and raise its logit: they copy the indirect
#   object to the output.
# * A **suppression head**, L23H3, the strongest of all: it attends to the *second* " John" and lowers the
#   " John" logit. It removes the repeated name instead of promoting the other.
# * A **negative name mover**, L24H4: it also attends to " Mary" but *lowers* its logit, hedging the prediction.
#   In Wang et al.'s circuit such heads make the model less overconfident.
# * Two heads of the **last layer**, L29H1 and L29H0, look at the last token itself and push in opposite
#   directions. They move no name from elsewhere; like an MLP, they work on what is already at that position.

order = np.argsort(np.abs(head_part), axis=None)[::-1][:8]
strongest = [
    tuple(int(v) for v in np.unravel_index(k, head_part.shape)) for k in order
]
# (layers, heads, key position): from the last token
attention = torch.stack(outputs.attentions)[:, 0, :, -1]
io_position, s2_position = (
    tokens.index("␣Mary"),
    len(tokens) - 1 - tokens[::-1].index("␣John"),
)
to_mary, to_john = [], []
with torch.no_grad():
    for l, h in strongest:
        cols = slice(h * head_dim, (h + 1) * head_dim)
        written = (
            model.model.layers[l].self_attn.o_proj.weight[:, cols]
            @ recorded[("heads", l)][cols]
        )
        to_mary.append((written @ (norm.weight * unembed[mary] / rms)).item())
        to_john.append(-(written @ (norm.weight * unembed[john] / rms)).item())
        looks_at = attention[l, h].argmax().item()
        print(
            f"L{l}H{h}: total {head_part[l, h]:+.2f} = Mary logit "
            f"{to_mary[-1]:+.2f} + (−John logit) "
            f"{to_john[-1]:+.2f}; looks most at position {looks_at} "
            f"({tokens[looks_at]}, "
            f"{attention[l, h, looks_at]:.2f})"
        )

kinds = {
    (23, 0): "mover",
    (23, 1): "mover",
    (23, 7): "mover",
    (23, 3): "suppress",
    (24, 4): "negative",
    (29, 1): "self",
    (29, 0): "self",
}
assert strongest[0] == (23, 3) and set(kinds) <= set(strongest), strongest
for (l, h), kind in kinds.items():
    target = {"suppress": s2_position, "self": len(tokens) - 1}.get(
        kind, io_position
    )
    assert (
        attention[l, h].argmax() == target and attention[l, h, target] > 0.4
    ), (l, h)
i = strongest.index((23, 3))
# mostly lowers John
assert to_john[i] > 2 and abs(to_mary[i]) < to_john[i] / 4
for l, h in [(23, 0), (23, 1), (23, 7)]:
    i = strongest.index((l, h))
    # mostly raises Mary
    assert to_mary[i] > 2 * abs(to_john[i]) and head_part[l, h] > 0.4
i = strongest.index((24, 4))
assert to_mary[i] < -1 and head_part[24, 4] < -0.8  # lowers Mary
assert head_part[29, 1] > 1 and head_part[29, 0] < -0.7  # opposite directions

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.6), width_ratios=[1, 1.7], constrained_layout=True
)
rows = np.arange(len(strongest))
names = [f"L{l}H{h}" for l, h in strongest]
left.barh(
    rows - 0.2, to_mary, 0.4, color="tab:blue", label="raises ␣Mary logit"
)
left.barh(
    rows + 0.2, to_john, 0.4, color="tab:red", label="lowers ␣John logit"
)
left.axvline(0, color="black", lw=0.6)
left.set_yticks(rows, names)
left.invert_yaxis()
left.set_xlabel("logits", fontsize=9)
left.set_title("Contribution, split", fontsize=10)
image = right.imshow(
    attention[[l for l, _ in strongest], [h for _, h in strongest]].numpy(),
    cmap="viridis",
    vmin=0,
    vmax=1,
    aspect="auto",
)
right.set_yticks(rows, names)
right.set_xticks(range(len(tokens)), tokens, rotation=90)
right.set_title("Attention from the last token", fontsize=10)
fig.colorbar(image, ax=right, label="attention weight", pad=0.02)
fig.legend(fontsize=8, loc="outside lower left", ncol=2)
for ax in (left, right):
    ax.tick_params(labelsize=8)
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **The frozen norm scale is an assumption.** The attribution is exact for *this* run, with `rms(x)` held at
#   its real value. Removing a component would change `rms(x)` and rescale every other contribution, so a head's
#   DLA is not what you would lose by removing it.
# * **Direct only.** DLA counts what a component writes straight into the final residual. A head that changes
#   what *later* layers do (for example by moving a name that a later head reads) gets no credit for that
#   indirect effect; activation patching and ablation measure total effects.
# * **Differences, not single logits.** Softmax ignores anything added to all logits alike, so one logit on its
#   own is not meaningful; a difference between two candidate answers is. The split into "raises Mary" and
#   "lowers John" above is a reading aid, not two separate measurements.
# * **One prompt.** The heads and numbers are for one sentence; the IOI studies average over many name pairs
#   and templates before naming a head's role.
