"""
# A decoder layer by hand: RMSNorm, rotary, grouped-query attention, SwiGLU

Recompute one layer of SmolLM2 from its weights, step by step, and check that it gives the model's own output to the last decimal.

A transformer layer is a short program: normalize, attend, add; normalize, transform each position, add. This page
writes that program out in plain torch for one Llama-style layer (SmolLM2 uses the Llama architecture): RMSNorm,
the query, key and value projections, rotary position embeddings, grouped-query attention with a causal mask, the
output projection and the residual connection, then a second RMSNorm, the SwiGLU MLP and the second residual. The
table after the code lists the shape of every intermediate tensor, and an `assert` checks that the result equals the
output of `model.model.layers[LAYER]` captured with a forward hook.
"""

# %%
# ## Load the model and capture one layer's input and output
#
# A forward hook on the layer records what goes in (the residual stream) and what comes out. We also keep the rotary
# `cos` and `sin` tables that the model computes once and hands to every layer.

import math
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager"
)
model.eval()
config = model.config

LAYER = 3
layer = model.model.layers[LAYER]
captured = {}


def keep(module, args, kwargs, output):
    captured["input"] = args[0] if args else kwargs["hidden_states"]
    captured["cos_sin"] = kwargs["position_embeddings"]
    captured["output"] = output[0] if isinstance(output, tuple) else output


handle = layer.register_forward_hook(keep, with_kwargs=True)
inputs = tokenizer("The capital of France is", return_tensors="pt")
with torch.no_grad():
    model(**inputs)
handle.remove()

x = captured["input"]  # (batch, positions, hidden)
cos, sin = captured["cos_sin"]  # (batch, positions, head_dim)
n_heads = config.num_attention_heads
n_kv_heads = config.num_key_value_heads
head_dim = config.hidden_size // n_heads
print(
    f"layer {LAYER} of {config.num_hidden_layers}: hidden size "
    f"{config.hidden_size}, {n_heads} query heads, {n_kv_heads} key/value "
    f"heads of size {head_dim}, MLP size {config.intermediate_size}"
)

# %%
# ## The attention half
#
# **RMSNorm** (Zhang & Sennrich, 2019) divides each position's vector by its root mean square and multiplies by a
# learned gain; unlike LayerNorm it subtracts no mean and adds no bias. **Rotary embeddings** (Su et al., 2021,
# RoFormer) rotate pairs of query and key coordinates by an angle proportional to the position, so that the dot
# product of a query and a key depends on their distance. **Grouped-query attention** (Ainslie et al., 2023) lets
# several query heads share one key/value head: here 9 query heads share 3 key/value heads, so each key/value head
# is repeated 3 times before the dot products. The causal mask hides the future.

shapes = [("input x", tuple(x.shape))]


def rms_norm(v, norm):
    variance = v.pow(2).mean(-1, keepdim=True)
    return v * torch.rsqrt(variance + norm.variance_epsilon) * norm.weight


def rotate_half(v):
    first, second = v.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


attn = layer.self_attn
batch, positions, _ = x.shape
with torch.no_grad():
    h = rms_norm(x, layer.input_layernorm)
    shapes.append(("RMSNorm(x)", tuple(h.shape)))

    def heads(projection, count):
        v = projection(h).view(batch, positions, count, head_dim)
        return v.transpose(1, 2)  # (batch, heads, positions, head_dim)

    q = heads(attn.q_proj, n_heads)
    k = heads(attn.k_proj, n_kv_heads)
    v = heads(attn.v_proj, n_kv_heads)
    shapes += [("queries q", tuple(q.shape)), ("keys k", tuple(k.shape))]
    shapes.append(("values v", tuple(v.shape)))

    q = q * cos[:, None] + rotate_half(q) * sin[:, None]
    k = k * cos[:, None] + rotate_half(k) * sin[:, None]
    shapes.append(("rotary cos, sin", tuple(cos.shape)))

    group = n_heads // n_kv_heads
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    shapes.append((f"k, v repeated {group}x", tuple(k.shape)))

    scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim)
    future = torch.triu(torch.ones(positions, positions, dtype=torch.bool), 1)
    scores = scores.masked_fill(future, float("-inf"))
    weights = scores.softmax(-1)
    shapes.append(("attention weights", tuple(weights.shape)))

    mixed = (weights @ v).transpose(1, 2).reshape(batch, positions, -1)
    shapes.append(("heads concatenated", tuple(mixed.shape)))
    after_attention = x + attn.o_proj(mixed)
    shapes.append(("x + o_proj(...)", tuple(after_attention.shape)))

# %%
# ## The MLP half: SwiGLU
#
# The MLP is a gated linear unit with the SiLU ("swish") activation, SwiGLU (Shazeer, 2020, "GLU Variants Improve
# Transformer"): two projections up to the MLP size, one passed through SiLU and used as a gate on the other, then
# one projection down. Each position is transformed on its own; this is where most of a layer's parameters are.

with torch.no_grad():
    h2 = rms_norm(after_attention, layer.post_attention_layernorm)
    gate = torch.nn.functional.silu(layer.mlp.gate_proj(h2))
    up = layer.mlp.up_proj(h2)
    shapes += [
        ("SiLU(gate_proj)", tuple(gate.shape)),
        ("up_proj", tuple(up.shape)),
    ]
    by_hand = after_attention + layer.mlp.down_proj(gate * up)
    shapes.append(("output", tuple(by_hand.shape)))

print(f"{'step':<22} shape")
for name, shape in shapes:
    print(f"{name:<22} {shape}")

# %%
# ## The check
#
# The hand-written layer and the model's layer run the same float32 arithmetic in nearly the same order, so they
# agree to within rounding: the largest difference is below 1e-4 on values whose size is printed below. The MLP
# holds three quarters of the layer's parameters, which the count confirms.

difference = (by_hand - captured["output"]).abs().max().item()
scale = captured["output"].abs().max().item()
print(
    f"largest |by hand - model|: {difference:.2e} "
    f"(largest |value|: {scale:.1f})"
)
assert difference < 1e-4, difference

mlp_params = sum(p.numel() for p in layer.mlp.parameters())
attn_params = sum(p.numel() for p in attn.parameters())
share = mlp_params / (mlp_params + attn_params)
print(f"parameters: attention {attn_params:,}, MLP {mlp_params:,}")
print(f"the MLP's share: {share:.2f}")
assert abs(share - 3 / 4) < 0.02, share
assert group == 3 and n_heads == 9 and n_kv_heads == 3

# %%
# ## What each half writes into the residual stream
#
# Left: the size of each position's vector as it enters the layer, and of what the attention half and the MLP half
# add to it. The first position is an attention sink in this model: its vector is far larger than the others' (more
# than five times the median, on the log scale here), and the layer barely changes it. Right: the attention weights
# of one query head as computed by hand, with the causal mask's empty upper triangle.

tokens = [
    tokenizer.decode([i]).replace(" ", "␣") for i in inputs["input_ids"][0]
]
sizes = {
    "input x": x[0].norm(dim=-1),
    "attention adds": (after_attention - x)[0].norm(dim=-1),
    "MLP adds": (by_hand - after_attention)[0].norm(dim=-1),
}
first, rest = sizes["input x"][0].item(), sizes["input x"][1:]
print(
    f"input norm at position 0: {first:.0f}; others: {rest.round().tolist()}"
)
assert first > 5 * rest.median().item(), (first, rest)
change = sizes["attention adds"][0] + sizes["MLP adds"][0]
assert change < 0.02 * first, change  # the layer barely changes the sink

fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.8), constrained_layout=True)
positions = np.arange(len(tokens))
for offset, (name, values) in zip((-0.27, 0, 0.27), sizes.items()):
    axes[0].bar(positions + offset, values.numpy(), width=0.27, label=name)
axes[0].set_yscale("log")
axes[0].set_xticks(positions, tokens, fontsize=8)
axes[0].set_xlabel("position (token)")
axes[0].set_ylabel("vector norm (log scale)")
axes[0].legend(fontsize=7)
head = 0
masked = np.ma.masked_where(future.numpy(), weights[0, head].numpy())
image = axes[1].imshow(masked, cmap="viridis", vmin=0, vmax=1)
axes[1].set_xticks(positions, tokens, fontsize=8, rotation=45)
axes[1].set_yticks(positions, tokens, fontsize=8)
axes[1].set_xlabel("key (attended to)")
axes[1].set_ylabel("query")
axes[1].set_title(f"Head {head}, computed by hand", fontsize=9)
fig.colorbar(image, ax=axes[1], label="attention weight", shrink=0.9)
plt.show()


# %%
# ## Assumptions and failure modes
#
# - The recipe is Llama's. Other families differ in the details that make an exact match fail: Gemma scales the
#   embeddings and adds 1 to its RMSNorm gains, GPT-2 uses LayerNorm, learned positions and GELU, Mistral and Gemma 3
#   use a sliding window in some layers.
# - Rotary embeddings here are the default kind; models with scaled rotary frequencies (`rope_scaling` in the
#   config) compute different `cos` and `sin` tables, which is why the page takes them from the model.
# - The match is to rounding only in float32 with eager attention. In bfloat16, or with a fused attention kernel,
#   the order of additions changes and the difference grows well past 1e-4, without anything being wrong.
