"""
# Causal attention and attention sinks

In this decoder, most attention heads put most of their weight on the very first token of the prompt, whatever that token is.

This page draws causal attention maps (each token can only look back), measures per layer and per head how much
attention lands on position 0, checks that it is the *position* and not the word that attracts it, and shows why
this "attention sink" (Xiao et al., 2023, "Efficient Streaming Language Models with Attention Sinks") does little
harm: the first token's value vectors are small.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 2

# %%
# ## Load the model
#
# We use eager attention because only the eager implementation returns attention weights. The head counts are read
# from the config, so the page stays correct if you swap in another Llama-style model.

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
n_kv_heads = model.config.num_key_value_heads
print(
    f"{n_layers} layers, {n_heads} query heads and {n_kv_heads} key/value "
    "heads per layer"
)


def label(token_id):
    """Readable token text: a leading space becomes '␣', a newline becomes
    '\\n'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


# %%
# ## Run a prompt and collect the attention weights
#
# `outputs.attentions` holds one tensor per layer, shaped (batch, query heads, query position, key position).
# Even with grouped-query attention there is one map per *query* head. Note that this tokenizer adds no
# beginning-of-sequence token: position 0 is simply the first word.

prompt = (
    "The capital of France is Paris, and the capital of Germany is Berlin."
)
inputs = tokenizer(prompt, return_tensors="pt")
ids = inputs["input_ids"][0].tolist()
tokens = [label(i) for i in ids]
n = len(tokens)

with torch.no_grad():
    outputs = model(
        **inputs, output_attentions=True, output_hidden_states=True
    )

print("tokens:", " ".join(tokens))
print(
    "attention tensors:",
    len(outputs.attentions),
    "x",
    tuple(outputs.attentions[0].shape),
)
# (layers, heads, query, key)
attn = torch.stack(outputs.attentions)[:, 0].numpy()

# %%
# ## Two causal attention maps
#
# Row *i* is the query at position *i*; it can only attend to columns 0..*i*, so everything above the diagonal is
# masked (left blank). Each row sums to 1. We pick two heads from the data: the head that most often looks exactly one
# token back (a *previous-token head*), and the head that puts the most weight on position 0. The second map is the
# typical picture in this model: a bright first column and little else (more than 0.95 of every row, on average).

# (layers, heads)
prev_score = np.stack(
    [attn[:, :, i, i - 1] for i in range(1, n)], axis=-1
).mean(-1)
# (layers, heads): mean over query positions >= 1
sink_score = attn[:, :, 1:, 0].mean(-1)

picks = {
    "previous-token head": np.unravel_index(
        prev_score.argmax(), prev_score.shape
    ),
    "strongest sink head": np.unravel_index(
        sink_score.argmax(), sink_score.shape
    ),
}
future = np.triu(np.ones((n, n), dtype=bool), k=1)
cmap = plt.get_cmap("viridis").copy()
# masked cells: transparent, so they take the page's background
cmap.set_bad((0, 0, 0, 0))

fig, axes = plt.subplots(
    1, 2, figsize=(6.8, 4.3), constrained_layout=True, sharey=True
)
for ax, (kind, (layer, head)) in zip(axes, picks.items()):
    image = ax.imshow(
        np.ma.masked_where(future, attn[layer, head]),
        cmap=cmap,
        vmin=0,
        vmax=1,
    )
    ax.set_title(f"{kind}:\nlayer {layer}, head {head}", fontsize=10)
    ax.set_xticks(range(n), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(n), tokens, fontsize=8)
    ax.set_xlabel("key position (attended to)", fontsize=9)
    print(
        f"{kind}: layer {layer}, head {head}: "
        f"previous-token score {prev_score[layer, head]:.2f}, attention to "
        f"position 0 {sink_score[layer, head]:.2f}"
    )
axes[0].set_ylabel("query position (attending)", fontsize=9)
fig.colorbar(image, ax=axes, label="attention weight", shrink=0.8)
plt.show()
# the strongest sink head: a bright first column
assert sink_score.max() > 0.95, sink_score.max()

# %%
# ## How much attention goes to the first token, layer by layer
#
# For each layer we average the attention that queries at positions 1..n-1 give to position 0, over all query
# heads. We leave out query 0: under the causal mask it can only attend to itself, so its weight on position 0 is
# always exactly 1 and says nothing. The dashed line is what a head that spreads its attention *uniformly* over the
# visible tokens would give (the mean of 1/(i+1) over the same queries). In most layers the real value is far above
# it (more than twice as high in most layers). The exceptions are the first two layers and a dip near the middle of
# the network; we come back to them below.

# the first query has nothing else to look at
assert np.allclose(attn[:, :, 0, 0], 1.0)
per_layer = sink_score.mean(1)
uniform = np.mean([1 / (i + 1) for i in range(1, n)])

fig, ax = plt.subplots(figsize=(6.8, 3.9), constrained_layout=True)
ax.fill_between(
    range(n_layers),
    sink_score.min(1),
    sink_score.max(1),
    alpha=0.25,
    label="range over heads",
)
ax.plot(range(n_layers), per_layer, "o-", label="mean over heads")
ax.axhline(
    uniform, ls="--", color="grey", label=f"uniform attention ({uniform:.2f})"
)
ax.set_xlabel("layer")
ax.set_ylabel("attention to position 0")
ax.set_title(
    f"Attention paid to the first token ({n} tokens, queries 1..{n - 1})"
)
ax.set_ylim(0, 1)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
plt.show()
print(
    "mean attention to position 0 per layer:\n",
    np.array2string(per_layer, precision=2),
)

# layers not far above uniform
low = set(np.flatnonzero(per_layer < 2 * uniform).tolist())
middle_third = set(range(n_layers // 3, 2 * n_layers // 3))
print("layers less than twice the uniform value:", sorted(low))
# the first two layers, and a dip in the middle
assert {0, 1} <= low and low - {0, 1} <= middle_third, low
# in most layers the value is more than twice the uniform one
assert len(low) <= n_layers / 5, low

# %%
# ## Every head of every layer
#
# The same number per head: rows are query heads, columns are layers. Most cells are bright: on this prompt about
# two heads in three give position 0 more than half of their attention. The dark cells are heads whose attention goes
# elsewhere; in the first two layers and in the dip, nearly every head is dark.

fig, ax = plt.subplots(figsize=(6.8, 3.2), constrained_layout=True)
image = ax.imshow(sink_score.T, cmap="magma", vmin=0, vmax=1, aspect="auto")
ax.set_xticks(range(n_layers))
ax.set_yticks(range(n_heads))
ax.tick_params(labelsize=8)
ax.set_xlabel("layer")
ax.set_ylabel("query head")
ax.set_title(
    "Mean attention to position 0, per head (queries 1..n-1)", fontsize=11
)
fig.colorbar(image, ax=ax, label="attention to position 0")
plt.show()
print(
    "heads giving position 0 more than half of their attention: "
    f"{(sink_score > 0.5).mean():.0%}"
)
assert 0.55 < (sink_score > 0.5).mean() < 0.8  # about two heads in three
weak = np.flatnonzero(per_layer < 1 / 3)  # the first two layers and the dip
dark_heads = (sink_score[weak] <= 0.5).sum(axis=1)
print("dark heads in the layers", weak.tolist(), ":", dark_heads.tolist())
assert (dark_heads >= n_heads - 1).all()  # nearly every head

# %%
# ## Is it the word or the position?
#
# The first token here is "The". To tell the word apart from the position, we repeat a sentence on a new line so
# that the very same token "The" (same id, no leading space) appears at position 0 *and* later on. For the queries
# after the second "The" (which can see both copies) we compare the attention each copy receives. If the word
# mattered, the two curves would be close. They are not: the second "The" gets almost nothing (less than 0.15 in every
# layer, and on average less than a fifth of what the first one gets), so the sink is a property of being first.

repeat_prompt = "The cat sat on the mat.\nThe cat sat on the mat."
repeat_ids = tokenizer(repeat_prompt, return_tensors="pt")["input_ids"]
# position of the second copy of the first token
second = repeat_ids[0].tolist().index(repeat_ids[0, 0].item(), 1)
with torch.no_grad():
    repeat_attn = torch.stack(
        model(repeat_ids, output_attentions=True).attentions
    )[:, 0].numpy()

to_first = repeat_attn[:, :, second + 1 :, 0].mean((1, 2))
to_second = repeat_attn[:, :, second + 1 :, second].mean((1, 2))
print("tokens:", " ".join(label(i) for i in repeat_ids[0].tolist()))
print(
    f"same token {label(repeat_ids[0, 0].item())!r} at positions 0 and "
    f"{second}"
)

fig, ax = plt.subplots(figsize=(6.8, 3.4), constrained_layout=True)
ax.plot(
    to_first, "o-", label=f"{label(repeat_ids[0, 0].item())!r} at position 0"
)
ax.plot(
    to_second,
    "s-",
    label=f"{label(repeat_ids[0, second].item())!r} at position {second}",
)
ax.set_xlabel("layer")
ax.set_ylabel("mean attention received")
ax.set_title(
    "Same token, two positions (queries "
    f"{second + 1}..{repeat_ids.shape[1] - 1})"
)
ax.set_ylim(0, 1)
ax.legend()
plt.show()
assert (to_second < 0.15).all() and to_first.mean() > 5 * to_second.mean(), (
    to_first,
    to_second,
)

# %%
# ## Why a sink is cheap: huge residual, small values
#
# Softmax forces every head to hand out a total weight of 1, even when it has nothing useful to read. Xiao et al.
# argue that models learn to park this surplus on the first token, which every later token can see. Two
# measurements show how this model makes the parking nearly free:
#
# * **Left:** the norm of the residual stream entering each layer. From the first few layers on, position 0 carries
#   a vector far larger than the other positions' (more than four times their median; the "massive activations" of
#   Sun et al., 2024, "Massive Activations in Large Language Models"). It stays large until the last layers.
# * **Right:** the norm of the first token's *value* vectors, divided by the median over the other positions. Where
#   the sink is strong, this ratio is small, so the head adds little to the output even though most of its weight
#   goes to position 0.
#
# The sink is weak in the first two or three layers, before the first token's residual has grown, and in two middle
# layers where it briefly shrinks back towards the size of the others. In those layers its value vectors are not
# small either: there, attention to position 0 would really move information, and the heads mostly look elsewhere.

values = {}
hooks = [
    layer.self_attn.v_proj.register_forward_hook(
        lambda module, args, out, i=i: values.__setitem__(i, out[0])
    )
    for i, layer in enumerate(model.model.layers)
]
with torch.no_grad():
    model(**inputs)
for hook in hooks:
    hook.remove()
# (layers, positions)
value_norm = (
    torch.stack([values[i] for i in range(n_layers)]).norm(dim=-1).numpy()
)
value_ratio = value_norm[:, 0] / np.median(value_norm[:, 1:], axis=1)

# hidden_states[i] is the input of layer i (hidden_states[0] = embeddings); the
# last entry is already normalized.
# (layers, positions)
residual_norm = (
    torch.stack(outputs.hidden_states[:n_layers])[:, 0].norm(dim=-1).numpy()
)

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 4.4), constrained_layout=True
)
left.semilogy(residual_norm[:, 0], "o-", label="position 0")
left.semilogy(
    np.median(residual_norm[:, 1:], axis=1),
    "s-",
    label="median of other positions",
)
left.set_xlabel("layer (input to it)")
left.set_ylabel("residual-stream L2 norm (log scale)")
left.set_title("Residual stream size", fontsize=11)
left.legend(
    loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=1, fontsize=9
)
right.plot(per_layer, "o-", label="attention to position 0")
right.plot(value_ratio, "s-", label="value norm: position 0 / median")
right.axhline(1, ls=":", color="grey")
right.set_xlabel("layer")
right.set_ylabel("ratio / attention weight")
right.set_title("Strong sink where values are small", fontsize=11)
right.legend(
    loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=1, fontsize=9
)
plt.show()

print("layers where less than a third of the attention goes to position 0:")
for layer in np.flatnonzero(per_layer < 1 / 3):
    print(
        f"  layer {layer}: attention to position 0 {per_layer[layer]:.2f}, "
        f"value-norm ratio {value_ratio[layer]:.2f}, "
        f"residual norm at position 0 {residual_norm[layer, 0]:.0f} (others: "
        "median "
        f"{np.median(residual_norm[layer, 1:]):.0f})"
    )

size_ratio = residual_norm[:, 0] / np.median(residual_norm[:, 1:], axis=1)
# position 0 back to a normal size
shrunk = [layer for layer in range(3, n_layers) if size_ratio[layer] < 2]
# two middle layers
assert 1 <= len(shrunk) <= 3 and set(shrunk) <= middle_third, shrunk
grown = [layer for layer in range(3, n_layers) if layer not in shrunk]
# elsewhere, from layer 3 on: far larger than the others
assert (size_ratio[grown] > 4).all(), size_ratio
# weak sink in those layers ...
assert (per_layer[:2] < 0.25).all() and (per_layer[shrunk] < 0.4).all()
# ... where values are not small
assert (value_ratio[:2] > 0.7).all() and (value_ratio[shrunk] > 0.7).all()
correlation = np.corrcoef(per_layer, value_ratio)[0, 1]
print(
    "correlation between attention to position 0 and the value-norm ratio, "
    f"over layers: {correlation:.2f}"
)
assert correlation < -0.6  # strong sink where values are small

# %%
# ## What this means, and caveats
#
# * **Streaming generation.** A sliding-window KV cache that evicts the first tokens removes the sink, and Xiao et
#   al. found that perplexity then blows up. Keeping the keys and values of the first few tokens (StreamingLLM)
#   restores it.
# * **Attention weight is not importance.** A head can put 80 % of its weight on position 0 and still get most of
#   its output from the other 20 %, because the sink's value vectors are small. Keep that in mind when reading
#   attention maps, including the interactive head view in this section.
# * **The first query is trivial.** Query 0 can only attend to itself (weight 1.0), so it is excluded from every
#   average here. Averages also depend on prompt length: with more tokens, uniform attention gives each one less.
# * **One prompt.** The numbers above come from one or two short sentences. The pattern (strong sink in most
#   layers, a dip in two middle layers) held on the other prompts we tried, but the exact values change.
