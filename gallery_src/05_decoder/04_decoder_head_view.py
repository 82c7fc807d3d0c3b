"""
# Grouped-query attention in an interactive head view

An interactive bertviz head view of the decoder's attention, where several query heads share one key/value head.

This grouped-query layout is explained first: we work out which query heads share a key/value head and check it against the model's own attention weights.
Then we open bertviz's head view for a few selected layers: pick a layer, hover over a token to see where it looks,
and click the coloured squares to switch heads on and off.
"""

# %%
# ## Load the model and read the head layout
#
# In grouped-query attention (GQA) each layer has `num_attention_heads` query heads but only `num_key_value_heads`
# key and value heads. Each key/value head serves a group of `num_attention_heads // num_key_value_heads` consecutive
# query heads. You can see the saving in the projection sizes: the key and value projections are that many times
# smaller than the query projection, and so is the KV cache during generation.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from bertviz import head_view
from matplotlib.patches import FancyBboxPatch, Rectangle
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
group_size = n_heads // n_kv_heads
attention_0 = model.model.layers[0].self_attn
print(
    f"{n_layers} layers, {n_heads} query heads, {n_kv_heads} key/value heads: "
    f"groups of {group_size}"
)
print(
    f"q_proj: {attention_0.q_proj.in_features} -> "
    f"{attention_0.q_proj.out_features}, "
    f"k_proj: -> {attention_0.k_proj.out_features}, v_proj: -> "
    f"{attention_0.v_proj.out_features} "
    f"(head_dim {attention_0.head_dim})"
)
for kv in range(n_kv_heads):
    print(
        f"  key/value head {kv} serves query heads "
        f"{list(range(kv * group_size, (kv + 1) * group_size))}"
    )
assert (
    attention_0.q_proj.out_features
    == group_size * attention_0.k_proj.out_features
    == group_size * attention_0.v_proj.out_features
)


def label(token_id):
    """Readable token text: a leading space becomes '␣', a newline becomes
    '\\n'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


# %%
# ## The layout as a picture
#
# Query head *h* uses key/value head *h* // group size: transformers' `repeat_kv` copies each key/value head
# `group_size` times in a row before the attention product. The query heads are drawn in the colours bertviz gives
# them below, so you can find each group in the head view.

# the same palette as bertviz (d3 category10)
head_colors = [plt.get_cmap("tab10")(h % 10) for h in range(n_heads)]
fig, ax = plt.subplots(figsize=(6.8, 2.4), constrained_layout=True)
q_x = np.arange(n_heads)
# centre each key/value head under its group
kv_x = (np.arange(n_kv_heads) + 0.5) * group_size - 0.5
for h in range(n_heads):
    ax.plot(
        [q_x[h], kv_x[h // group_size]],
        [1, 0],
        color=head_colors[h],
        lw=2,
        zorder=1,
    )
    ax.add_patch(
        FancyBboxPatch(
            (q_x[h] - 0.35, 0.9),
            0.7,
            0.3,
            boxstyle="round,pad=0.02",
            color=head_colors[h],
        )
    )
    ax.text(
        q_x[h],
        1.05,
        f"Q{h}",
        ha="center",
        va="center",
        color="white",
        fontsize=9,
        weight="bold",
    )
for kv in range(n_kv_heads):
    ax.add_patch(
        FancyBboxPatch(
            (kv_x[kv] - 0.9, -0.2),
            1.8,
            0.3,
            boxstyle="round,pad=0.02",
            color="#333333",
        )
    )
    ax.text(
        kv_x[kv],
        -0.05,
        f"K/V {kv}",
        ha="center",
        va="center",
        color="white",
        fontsize=9,
        weight="bold",
    )
ax.text(-0.9, 1.05, "query heads", ha="right", va="center")
ax.text(-0.9, -0.05, "key/value heads", ha="right", va="center")
ax.set_xlim(-3.2, n_heads - 0.4)
ax.set_ylim(-0.35, 1.35)
ax.axis("off")
ax.set_title(
    f"Grouped-query attention: {n_heads} query heads share\n{n_kv_heads} "
    "key/value heads (in every layer)",
    fontsize=11,
)
plt.show()

# %%
# ## Check the mapping against the model
#
# Trust, but verify. We capture the input of one attention module with a forward pre-hook, recompute the queries
# and keys ourselves (projection, then rotary position embedding), and rebuild every query head's attention map
# twice: once with key/value head *h* // group size, once with a wrong guess (*h* mod `num_key_value_heads`). Only
# the first matches the weights the model returns.
#
# The import of `apply_rotary_pos_emb` is Llama-specific; other architectures have their own.

from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

prompt = "The cat sat on the mat because it was tired."
inputs = tokenizer(prompt, return_tensors="pt")
tokens = [label(i) for i in inputs["input_ids"][0].tolist()]
n = len(tokens)

check_layer = n_layers // 2
module = model.model.layers[check_layer].self_attn
captured = {}


def grab_inputs(mod, args, kwargs):
    captured["hidden"] = (
        kwargs["hidden_states"] if "hidden_states" in kwargs else args[0]
    )
    captured["cos_sin"] = kwargs["position_embeddings"]


handle = module.register_forward_pre_hook(grab_inputs, with_kwargs=True)
with torch.no_grad():
    outputs = model(**inputs, output_attentions=True)
handle.remove()

with torch.no_grad():
    hidden = captured["hidden"]
    q = (
        module.q_proj(hidden)
        .view(1, n, n_heads, module.head_dim)
        .transpose(1, 2)
    )
    k = (
        module.k_proj(hidden)
        .view(1, n, n_kv_heads, module.head_dim)
        .transpose(1, 2)
    )
    q, k = apply_rotary_pos_emb(q, k, *captured["cos_sin"])
    future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)

    def rebuilt(query_head, kv_head):
        scores = q[0, query_head] @ k[0, kv_head].T * module.scaling
        return scores.masked_fill(future, float("-inf")).softmax(-1)

    returned = outputs.attentions[check_layer][0]
    errors = {}
    for name, mapping in [
        ("h // group_size", lambda h: h // group_size),
        ("h % num_kv_heads", lambda h: h % n_kv_heads),
    ]:
        errors[name] = max(
            (rebuilt(h, mapping(h)) - returned[h]).abs().max().item()
            for h in range(n_heads)
        )
        print(
            f"layer {check_layer}, mapping {name:17s}: largest difference "
            f"from the model's weights {errors[name]:.1e}"
        )
# only the first matches
assert errors["h // group_size"] < 1e-4 and errors["h % num_kv_heads"] > 0.1

# %%
# ## Do heads that share keys attend alike?
#
# Heads in a group see the same keys but ask different questions (their own queries), so they need not look alike.
# To measure it we compare every pair of query heads by the overlap of their attention rows (1 minus the total
# variation distance, averaged over query positions 1..n-1 and over all layers): 1 means identical maps. The boxes
# mark the groups; the blank diagonal (a head compared with itself) is left out. On this prompt most of the brightest
# cells sit inside the boxes, but the difference is small: heads in the same group are only slightly more alike than
# heads in different groups (by less than 0.1, printed below). Sharing keys does not make a group behave like a
# single head.

attn = torch.stack(outputs.attentions)[:, 0]  # (layers, heads, query, key)
rows = attn[:, :, 1:, :]
# (layers, heads, heads)
distance = 0.5 * (rows[:, :, None] - rows[:, None, :]).abs().sum(-1).mean(-1)
overlap = (1 - distance).mean(0).numpy()
group = np.arange(n_heads) // group_size
same = (group[:, None] == group[None, :]) & ~np.eye(n_heads, dtype=bool)
within, between = (
    overlap[same].mean(),
    overlap[group[:, None] != group[None, :]].mean(),
)
print(
    f"mean overlap within a group: {within:.2f}, between groups: {between:.2f}"
)
# only slightly more alike
assert 0 < within - between < 0.1, (within, between)
pairs = np.triu_indices(n_heads, 1)  # each pair of different heads once
# as many pairs as there are inside the boxes
brightest = np.argsort(overlap[pairs])[::-1][: same.sum() // 2]
# most of the brightest cells sit inside the boxes
assert same[pairs][brightest].mean() > 0.5

# a head always matches itself
off_diagonal = np.ma.masked_where(np.eye(n_heads, dtype=bool), overlap)
cmap = plt.get_cmap("viridis").copy()
# the masked diagonal: transparent, so it takes the page's background
cmap.set_bad((0, 0, 0, 0))
fig, ax = plt.subplots(figsize=(5.5, 4.6), constrained_layout=True)
image = ax.imshow(off_diagonal, cmap=cmap)
for kv in range(n_kv_heads):
    start = kv * group_size - 0.5
    ax.add_patch(
        Rectangle(
            (start, start),
            group_size,
            group_size,
            fill=False,
            edgecolor="white",
            lw=2,
        )
    )
ax.set_xticks(range(n_heads), [f"Q{h}" for h in range(n_heads)])
ax.set_yticks(range(n_heads), [f"Q{h}" for h in range(n_heads)])
ax.set_xlabel("query head")
ax.set_ylabel("query head")
ax.set_title(
    "Attention overlap between query heads\n(mean over layers; boxes = shared "
    "key/value head)"
)
fig.colorbar(image, ax=ax, label="1 − total variation distance")
plt.show()

# %%
# ## Choose a few layers for the head view
#
# All layers × all heads × n² weights would make a heavy page and a crowded drop-down, so we pass `include_layers`.
# The layers are picked from the data, each for a reason:
#
# * the **first** layer, where attention is still spread out (its rows have the highest entropy of all layers);
# * the layer holding the strongest **previous-token head** (each token looks one step back);
# * the layer where **"␣it" looks most at "␣cat"**, a candidate for resolving the pronoun;
# * the **last** layer.
#
# The weights are rounded to 3 decimals, which keeps the embedded data small without changing the picture.

# (layers, heads)
previous = torch.stack([attn[:, :, i, i - 1] for i in range(1, n)], -1).mean(
    -1
)
prev_layer, prev_head = divmod(previous.argmax().item(), n_heads)
it_pos, cat_pos = tokens.index("␣it"), tokens.index("␣cat")
coref_layer, coref_head = divmod(
    attn[:, :, it_pos, cat_pos].argmax().item(), n_heads
)
layers_shown = sorted({0, prev_layer, coref_layer, n_layers - 1})

print(
    f"previous-token head: layer {prev_layer}, head {prev_head} (mean weight "
    "on the previous token "
    f"{previous[prev_layer, prev_head]:.2f}, key/value head "
    f"{prev_head // group_size})"
)
print(
    f"'␣it' -> '␣cat': layer {coref_layer}, head {coref_head} (weight "
    f"{attn[coref_layer, coref_head, it_pos, cat_pos]:.2f}, key/value head "
    f"{coref_head // group_size})"
)
print("layers shown:", layers_shown)
# per layer
row_entropy = (
    -(attn[:, :, 1:] * attn[:, :, 1:].clamp_min(1e-12).log())
    .sum(-1)
    .mean((1, 2))
)
assert row_entropy.argmax() == 0, row_entropy

# %%
# ## The head view
#
# Left column: the token that attends (the query); right column: the tokens it attends to. Each colour is one
# **query** head: bertviz draws one map per query head and knows nothing about the groups, so the heads of a group
# (see the picture above) appear as separate colours. Hover over a token on the left to see only its lines; double
# click a coloured square to show that head alone. Expect many lines to end on the first token "The" (about half of
# the attention in the layers after the first): that is the attention sink of the first page of this section. Because of the causal mask, no line ever points to a later
# token.

# queries 1..n-1, every head of the layers after the first
sink = attn[layers_shown[1:], :, 1:, 0].mean()
print(
    f"share of attention on the first token in layers {layers_shown[1:]}: "
    f"{sink:.2f}"
)
assert 0.4 < sink < 0.7, sink
shown = [
    layer_attention.double().round(decimals=3)
    for layer_attention in outputs.attentions
]
head_view(shown, tokens, include_layers=layers_shown)

# %%
# ## One key/value group at a time
#
# The same view for the layer with the pronoun head, with only that head's group switched on at first. These heads
# read the same keys and values; compare where their lines go. Click the other squares to bring the other groups
# back.

group_heads = [
    int(h) for h in np.flatnonzero(group == coref_head // group_size)
]
print(
    f"layer {coref_layer}: query heads {group_heads} share key/value head "
    f"{coref_head // group_size}"
)
head_view(
    shown,
    tokens,
    include_layers=[coref_layer],
    layer=coref_layer,
    heads=group_heads,
)

# %%
# ## Caveats
#
# * **Weights are not contributions.** A thick line means a large softmax weight, not a large effect: the output
#   also depends on the value vectors, and the first token's are small (see the attention-sink page).
# * **One map per query head, not per key/value head.** With GQA the model stores fewer keys and values, but every
#   query head still has its own attention pattern; that is what `output_attentions` returns and what bertviz draws.
# * **A handful of layers.** The layers shown were picked for this prompt; with another prompt, other layers may be
#   more interesting. Change `layers_shown` to explore, and keep it short for long prompts.
# * **Offline viewing.** bertviz loads require.js, d3 and jQuery from a CDN. In a notebook without internet the view
#   stays empty.
