"""
# Induction heads and previous-token heads

On a random token sequence shown twice, a few heads copy what came next last time; zeroing them brings much of the loss back.

An *induction head* completes patterns of the form `[A][B] … [A] → [B]`: at the second `[A]` it attends to the
token that followed the first `[A]` and copies it. It relies on a *previous-token head* in an earlier layer, which
writes "the token before me was `[A]`" into each position (Elhage et al., 2021, "A Mathematical Framework for
Transformer Circuits"; Olsson et al., 2022, "In-context Learning and Induction Heads",
[arXiv:2209.11895](https://arxiv.org/abs/2209.11895)). Random tokens make the test clean: the first copy is
unpredictable, so everything the model gets right in the second copy must come from looking back at the first.
The page scores every head for both behaviours (two layer × head maps), shows the attention pattern of the best
head of each kind, and then intervenes: it removes the top heads and measures the loss again.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Load the model and make repeated random sequences
#
# We draw `batch` sequences of `half` random token ids (seeded, from the non-special part of the vocabulary) and
# concatenate each with itself. In front goes one fixed token, `<|endoftext|>` (SmolLM2's document separator):
# position 0 is the attention sink of this model (see the decoder section), and without the prefix the first
# random token would sit there and could not be matched later. So position `j` (1..`half`) holds the first copy
# and position `half + j` the same token again. Eager attention returns the attention weights.

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
print(f"{n_layers} layers x {n_heads} query heads, head size {head_dim}")

batch, half = 3, 25
generator = torch.Generator().manual_seed(0)
first_copy = torch.randint(
    1000, model.config.vocab_size, (batch, half), generator=generator
)
prefix = torch.full(
    (batch, 1), tokenizer.convert_tokens_to_ids("<|endoftext|>")
)
# (batch, 1 + 2 * half)
input_ids = torch.cat([prefix, first_copy, first_copy], dim=1)
n = input_ids.shape[1]
print("sequence 0 starts:", repr(tokenizer.decode(input_ids[0, :8])), "...")

with torch.no_grad():
    outputs = model(input_ids, output_attentions=True)
attn = torch.stack(outputs.attentions)  # (layers, batch, heads, query, key)

# %%
# ## Score every head
#
# * **Induction score**: for each query in the second copy (position `half + j`, `j ≥ 1`), the attention weight on
#   key `j + 1`, the token that followed the earlier occurrence of the current token. Averaged over queries and
#   sequences. A perfect induction head scores 1.
# * **Previous-token score**: the attention weight from each position `i ≥ 2` to `i - 1`, averaged (we skip
#   `i = 1`, whose previous token is the sink).
#
# Both maps have layers across and query heads down; the best head of each is marked by a box. Layer 18, head 6
# puts about 0.92 of its attention on the token to copy, and layer 16, head 0 puts about 0.9 on the previous
# token. Induction heads are rare and clustered: the others that score above 0.5 sit in layers 17, 18 and 23.
# Previous-token heads are spread out, from layer 1 to layer 22. Note the order of the two best: the
# previous-token head sits *below* the induction head, as the two-step mechanism requires (the induction head's
# keys must already carry "the token before me").

queries = torch.arange(half + 1, 2 * half)
# (layers, heads)
induction_score = (
    attn[:, :, :, queries, queries - half + 1].mean((1, 3)).numpy()
)
positions = torch.arange(2, n)
previous_score = attn[:, :, :, positions, positions - 1].mean((1, 3)).numpy()

induction_head = np.unravel_index(
    induction_score.argmax(), induction_score.shape
)
previous_head = np.unravel_index(previous_score.argmax(), previous_score.shape)
print(
    f"best induction head: L{induction_head[0]}H{induction_head[1]}, score "
    f"{induction_score.max():.2f}"
)
print(
    f"best previous-token head: L{previous_head[0]}H{previous_head[1]}, score "
    f"{previous_score.max():.2f}"
)
assert induction_head == (18, 6) and 0.85 < induction_score.max() < 0.98, (
    induction_head,
    induction_score.max(),
)
assert previous_head == (16, 0) and 0.85 < previous_score.max() < 0.97, (
    previous_head,
    previous_score.max(),
)
# the previous-token head comes first
assert previous_head[0] < induction_head[0]
for name, score in [
    ("induction", induction_score),
    ("previous-token", previous_score),
]:
    print(
        f"heads with {name} score > 0.5:",
        ", ".join(f"L{l}H{h}" for l, h in zip(*np.nonzero(score > 0.5))),
    )
induction_layers = set(np.nonzero(induction_score > 0.5)[0])
previous_layers = set(np.nonzero(previous_score > 0.5)[0])
assert (
    induction_layers == {17, 18, 23}
    and min(previous_layers) == 1
    and max(previous_layers) == 22
)

fig, axes = plt.subplots(2, 1, figsize=(6.8, 4.6), constrained_layout=True)
for ax, score, (layer, head), title in [
    (axes[0], induction_score, induction_head, "Induction score"),
    (axes[1], previous_score, previous_head, "Previous-token score"),
]:
    image = ax.imshow(score.T, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.add_patch(
        plt.Rectangle(
            (layer - 0.5, head - 0.5),
            1,
            1,
            fill=False,
            edgecolor="tab:red",
            lw=2,
        )
    )
    ax.set_title(
        f"{title}: best L{layer}H{head} = {score[layer, head]:.2f}",
        fontsize=10,
    )
    ax.set_xticks(range(0, n_layers, 2))
    ax.set_yticks(range(n_heads))
    ax.tick_params(labelsize=8)
    ax.set_xlabel("layer", fontsize=9)
    ax.set_ylabel("query head", fontsize=9)
    fig.colorbar(image, ax=ax, label="mean attention weight", pad=0.01)
plt.show()

# %%
# ## What the two heads look at
#
# The attention patterns of the two marked heads on the first sequence (query positions down, keys across; the
# upper triangle is masked). The previous-token head is a line just below the diagonal. The induction head has
# nothing to copy in the first copy and parks most of its attention on position 0 (the bright first column). In
# the second copy (below the dashed line) it forms a stripe `half - 1` positions to the left of the diagonal: each
# query looks at the token *after* its earlier twin.

future = np.triu(np.ones((n, n), dtype=bool), k=1)
cmap = plt.get_cmap("viridis").copy()
cmap.set_bad("lightgrey")
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.5), constrained_layout=True)
for ax, (layer, head), kind in [
    (axes[0], previous_head, "previous-token"),
    (axes[1], induction_head, "induction"),
]:
    pattern = attn[layer, 0, head].numpy()
    image = ax.imshow(
        np.ma.masked_where(future, pattern), cmap=cmap, vmin=0, vmax=1
    )
    ax.axhline(half + 0.5, color="tab:red", lw=0.8, ls="--")
    ax.set_title(f"L{layer}H{head} ({kind})", fontsize=10)
    ax.set_xticks([0, half + 1, n - 1])
    ax.set_yticks([0, half + 1, n - 1])
    ax.tick_params(labelsize=8)
    ax.set_xlabel("key position", fontsize=9)
    ax.set_ylabel("query position", fontsize=9)
fig.colorbar(image, ax=axes, label="attention weight", shrink=0.8)
plt.show()

stripe = pattern[queries.numpy(), queries.numpy() - half + 1].mean()
parked = pattern[1 : half + 1, 0].mean()
print(
    f"L{induction_head[0]}H{induction_head[1]} on sequence 0: mean weight on "
    f"the stripe {stripe:.2f}, "
    f"on position 0 from the first copy {parked:.2f}"
)
assert parked > 0.5, parked

# %%
# ## The loss drops on the repeat
#
# The cross-entropy of predicting each next token, averaged over the batch. In the first copy the model has
# nothing to go on and the loss is about 15 nats, worse than a uniform guess over the vocabulary (ln 49152 ≈ 10.8):
# the model confidently expects real text. From the second token of the repeat on, it drops to about 2: the model
# has learned *in context* to copy. (The first token of the second copy is not predictable either: nothing says
# the sequence is about to repeat.)


def loss_per_position(logits):
    """Cross-entropy of predicting token i + 1 at position i, averaged over the
    batch: shape (n - 1,)."""
    log_probs = logits[:, :-1].log_softmax(-1)
    return (
        -log_probs.gather(-1, input_ids[:, 1:, None])[..., 0].mean(0).numpy()
    )


def copy_halves(loss):
    """Mean loss on the first copy (predicting tokens 2..half) and on the
    repeat (tokens half + 2 .. 2 * half)."""
    return loss[1:half].mean(), loss[half + 1 :].mean()


loss = loss_per_position(outputs.logits)
first_loss, repeat_loss = copy_halves(loss)
print(f"mean loss: first copy {first_loss:.1f}, repeat {repeat_loss:.1f} nats")
assert 13.5 < first_loss < 16 and 1.3 < repeat_loss < 2.7, (
    first_loss,
    repeat_loss,
)

# %%
# ## Intervene: remove the heads and measure again
#
# Scores only show what a head attends to. To test what it *does*, we zero its output: a forward pre-hook on each
# layer's `o_proj` (the attention output projection) sets the head's `head_dim` slice of its input to zero, so
# the head contributes nothing to the residual stream. (Transformers 5 removed the old `head_mask` argument; hooks
# do the same job.) Four runs:
#
# * no ablation;
# * the 5 heads with the highest induction scores: the loss on the repeat climbs from about 2 to about 8, more than
#   half of the way back to the first copy's level;
# * 5 heads drawn at random (seeded), as a control: almost no change;
# * the 3 heads with the highest previous-token scores: the induction heads lose their input, and the repeat loss
#   rises to about 10, while the first copy barely changes.


def run_without(heads):
    """Loss per position with the given (layer, head) pairs zeroed at the input
    of o_proj."""
    hooks = []
    for layer in range(n_layers):
        zeroed = [head for (l, head) in heads if l == layer]
        if not zeroed:
            continue

        def zero_heads(module, args, zeroed=zeroed):
            x = args[0].clone()  # (batch, positions, heads * head_dim)
            for head in zeroed:
                x[..., head * head_dim : (head + 1) * head_dim] = 0
            return (x,)

        hooks.append(
            model.model.layers[
                layer
            ].self_attn.o_proj.register_forward_pre_hook(zero_heads)
        )
    try:
        with torch.no_grad():
            return loss_per_position(model(input_ids).logits)
    finally:
        for hook in hooks:
            hook.remove()


def top_heads(score, k):
    return [
        tuple(int(v) for v in np.unravel_index(i, score.shape))
        for i in np.argsort(score, axis=None)[::-1][:k]
    ]


random_heads = [
    divmod(int(i), n_heads)
    for i in torch.randperm(n_layers * n_heads, generator=generator)[:5]
]
runs = {
    "no ablation": loss,
    "5 top induction heads zeroed": run_without(top_heads(induction_score, 5)),
    "5 random heads zeroed": run_without(random_heads),
    "3 top previous-token heads zeroed": run_without(
        top_heads(previous_score, 3)
    ),
}
print("top induction heads:", top_heads(induction_score, 5))
print("random heads:", random_heads)
print("top previous-token heads:", top_heads(previous_score, 3))
halves = {name: copy_halves(curve) for name, curve in runs.items()}
for name, (first, repeat) in halves.items():
    print(f"{name:34s} first copy {first:5.1f}   repeat {repeat:5.1f}")
assert 6.5 < halves["5 top induction heads zeroed"][1] < 10, halves
assert abs(halves["5 random heads zeroed"][1] - repeat_loss) < 1, halves
assert 8 < halves["3 top previous-token heads zeroed"][1] < 11.5, halves
# the first copy is unchanged
assert all(abs(first - first_loss) < 0.5 for first, _ in halves.values()), (
    halves
)

fig, ax = plt.subplots(figsize=(6.8, 3.4), constrained_layout=True)
for (name, curve), style in zip(runs.items(), ["-", "-", "--", "-"]):
    ax.plot(np.arange(1, n), curve, style, lw=1.4, label=name)
ax.axvline(half + 1, color="grey", ls=":", lw=1)
ax.text(half + 1.5, 18.7, "repeat starts", fontsize=8, color="grey", va="top")
ax.axhline(np.log(model.config.vocab_size), color="grey", lw=0.8)
ax.text(
    1,
    np.log(model.config.vocab_size) - 1.2,
    "uniform guess (ln vocab)",
    fontsize=8,
    color="grey",
)
ax.set_xlabel("position of the predicted token", fontsize=9)
ax.set_ylabel("loss (nats)", fontsize=9)
ax.tick_params(labelsize=8)
ax.set_ylim(0, 19.5)
ax.set_title("Next-token loss, mean over the batch", fontsize=10)
ax.legend(fontsize=8, loc="lower left")
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **Attention is not the output.** A high induction score says where a head looks, not that its output copies
#   the token. The ablation is the causal test; the pattern alone could be a head that looks at the right place
#   and writes something unrelated.
# * **Zero-ablation is off-distribution.** A head whose output is never zero in training is set to zero here; some
#   of the damage can come from that shock rather than from the missing function. *Mean-ablation* (replace the
#   output by its average over a reference set) is the gentler alternative.
# * **Redundancy hides heads.** Several heads share the job here, so zeroing one at a time understates each one's
#   role, and the others can partly take over. That is why we zero five at once; the choice of five is arbitrary.
# * **Random tokens are a clean, artificial test.** On natural text, induction heads do many fuzzier things
#   (Olsson et al. describe copying of near-matches and translation); these scores only measure the exact-repeat
#   behaviour. Position 0 is an attention sink in this model (see the decoder section): a score below 1 can mean
#   attention parked there rather than attention on a wrong token.
