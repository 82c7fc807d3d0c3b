"""
# Learned positions against rotary positions

How MiniLM's learned position vectors and the decoder's rotary embeddings (RoPE) encode where a token sits, and what it does to attention.

Attention itself has no idea of order: permute the tokens and every head computes the same weights, permuted.
Position has to be added. BERT-style models *learn* one vector per position and add it to the token embedding
at the input. Llama-style decoders instead *rotate* each query and key inside every attention layer by an angle
proportional to the token's position (Su et al., 2021, "RoFormer: Enhanced Transformer with Rotary Position
Embedding", [arXiv:2104.09864](https://arxiv.org/abs/2104.09864)). The first figure looks at MiniLM's 512 learned
vectors; the others take RoPE apart, from its frequencies to the attention the decoder actually pays by distance.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## MiniLM's learned position embeddings
#
# `model.embeddings.position_embeddings.weight` holds one learned vector per position, 512 in all. Nothing in the
# training asks neighbouring positions to be similar; whatever structure they have, the model found useful.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

torch.manual_seed(0)

BERT_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
bert = AutoModel.from_pretrained(BERT_NAME)
# (max positions, hidden)
positions = bert.embeddings.position_embeddings.weight.detach()
norms = positions.norm(dim=-1)
print(f"{positions.shape[0]} position vectors of size {positions.shape[1]}")
print(
    f"norm of position 0: {norms[0]:.2f}; median norm of the others: "
    f"{norms[1:].median():.2f}"
)
assert 3.5 < norms[0] / norms[1:].median() < 6.5, norms[0] / norms[1:].median()

# %%
# Three views of the same vectors:
#
# * **Top left:** the cosine similarity between every pair of the first 128 positions. The bright diagonal band
#   says that nearby positions have similar vectors. Position 0, which always holds `[CLS]`, is unlike the rest
#   (and its vector is about five times longer than the others).
# * **Top right:** every position projected on the first two principal components of the 511 vectors after
#   position 0, coloured by position; the line joins positions 1 to 13. The points lie on a ring, and each
#   position steps about 60° further around it, so the ring closes about every 6 positions. Along these two
#   directions the model has learned a sine and a cosine, much like the fixed encoding of the original
#   Transformer (Vaswani et al., 2017).
# * **Bottom:** cosine similarity averaged over all pairs at the same offset. It falls from about 0.85 for
#   neighbours, but not smoothly: it rises again at an offset of about 6, then about 12, and so on, as the ring
#   comes round. Wang & Chen (2020, "What Do Position Embeddings Learn?") found periodic patterns like this in
#   BERT's and GPT-2's learned positions.

unit = torch.nn.functional.normalize(positions, dim=-1)
cosine = (unit @ unit.T).numpy()
offsets = np.arange(1, 129)
# position 0 left out
by_offset = np.array([np.diagonal(cosine[1:, 1:], d).mean() for d in offsets])
rest = positions[1:] - positions[1:].mean(0)
_, singular, components = torch.linalg.svd(rest, full_matrices=False)
projected = (rest @ components[:2].T).numpy()
explained = (singular[:2] ** 2 / (singular**2).sum()).numpy()

# the highest point between offsets 4 and 9
first_peak = offsets[3 + np.argmax(by_offset[3:9])]
print(
    f"mean cosine at offset 1: {by_offset[0]:.2f}, offset 3: "
    f"{by_offset[2]:.2f}, "
    f"offset {first_peak}: {by_offset[first_peak - 1]:.2f}, offset 64: "
    f"{by_offset[63]:.2f}"
)
radius = np.hypot(projected[:, 0], projected[:, 1])
step = np.degrees(
    np.abs(
        np.angle(
            np.exp(1j * np.diff(np.arctan2(projected[:, 1], projected[:, 0])))
        )
    )
)
print(
    "variance explained by the first two principal components: "
    f"{explained[0]:.0%}, {explained[1]:.0%}"
)
print(
    f"ring: radius varies by {radius.std() / radius.mean():.0%}; median step "
    "between neighbours "
    f"{np.median(step):.0f} degrees, a period of {360 / np.median(step):.1f} "
    "positions"
)
assert radius.std() / radius.mean() < 0.25 and 50 < np.median(step) < 72, (
    radius,
    step,
)
assert 0.75 < by_offset[0] < 0.95, by_offset[0]
assert (
    5 <= first_peak <= 7 and by_offset[first_peak - 1] > by_offset[2] + 0.1
), by_offset[:10]
assert 11 <= offsets[9 + np.argmax(by_offset[9:14])] <= 13

fig = plt.figure(figsize=(6.8, 6.0), constrained_layout=True)
grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1])
ax = fig.add_subplot(grid[0, 0])
image = ax.imshow(cosine[:128, :128], cmap="RdBu_r", vmin=-1, vmax=1)
ax.set_xlabel("position")
ax.set_ylabel("position")
ax.set_title("Cosine similarity, positions 0-127", fontsize=10)
fig.colorbar(image, ax=ax, shrink=0.8, label="cosine")
ax = fig.add_subplot(grid[0, 1])
points = ax.scatter(
    projected[:, 0],
    projected[:, 1],
    c=np.arange(1, len(positions)),
    cmap="viridis",
    s=6,
)
ax.plot(projected[:13, 0], projected[:13, 1], color="grey", lw=0.8)
ax.set_xlabel(f"PC 1 ({explained[0]:.0%} of variance)")
ax.set_ylabel(f"PC 2 ({explained[1]:.0%})")
ax.set_title("Positions 1-511, first two PCs", fontsize=10)
fig.colorbar(points, ax=ax, shrink=0.8, label="position")
ax = fig.add_subplot(grid[1, :])
ax.plot(offsets, by_offset, ".-", ms=3)
ax.axhline(0, color="grey", lw=0.8)
ax.set_xlabel("offset between positions")
ax.set_ylabel("mean cosine")
ax.set_title("Similarity by offset (positions 1-511)", fontsize=10)
plt.show()

# %%
# ## Rotary embeddings: one rotation per pair of dimensions
#
# RoPE splits each query and key vector of a head (`head_dim` numbers) into `head_dim / 2` pairs and rotates pair
# *i* by the angle *position × θᵢ*, with θᵢ = base^(−2i / head_dim). The base is the config's `rope_theta`. Nothing
# is added to the token embeddings; the values are not rotated, only queries and keys.
#
# Below we build the rotation from the config and check it against the model's own rotary module. In the
# Hugging Face layout the two halves of the vector form the pairs: dimension *i* goes with *i + head_dim / 2*.

DECODER_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(DECODER_NAME)
# eager: attention weights
model = AutoModelForCausalLM.from_pretrained(
    DECODER_NAME, attn_implementation="eager"
)
model.eval()
config = model.config
head_dim, n_heads, n_kv_heads = (
    config.head_dim,
    config.num_attention_heads,
    config.num_key_value_heads,
)
base = config.rope_parameters["rope_theta"]
# (head_dim / 2,)
theta = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
print(
    f"rope_theta = {base:g}, head_dim = {head_dim}: {len(theta)} rotation "
    "frequencies"
)


def rotate(x, position):
    """Rotate vectors x (..., head_dim) to `position`, as the model does to
    queries and keys."""
    angle = position * theta
    cos, sin = (
        torch.cat([angle.cos(), angle.cos()]),
        torch.cat([angle.sin(), angle.sin()]),
    )
    half = x.shape[-1] // 2
    rotated_half = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated_half * sin


# The model's own cos/sin tables for positions 0..9 must match ours.
model_cos, model_sin = model.model.rotary_emb(
    torch.zeros(1, 10, head_dim), torch.arange(10)[None]
)
probe = torch.randn(head_dim)
ours = torch.stack([rotate(probe, p) for p in range(10)])
theirs = (
    probe * model_cos[0]
    + torch.cat([-probe[head_dim // 2 :], probe[: head_dim // 2]])
    * model_sin[0]
)
assert torch.allclose(ours, theirs, atol=1e-5)

# %%
# **Left:** the wavelength of each pair, 2π / θᵢ tokens: how far apart two tokens must be for that pair to turn
# a full circle. The first pair turns every 6.3 tokens; the last one takes over 400,000 tokens. Fast pairs can
# tell neighbours apart; slow pairs change little across a whole document. With this config, 12 of the 32 pairs
# turn less than once over the 8,192-token context the model was trained for.
#
# **Right:** the score q·k / √head_dim of a fixed pair of vectors, once the query is placed Δ tokens after the key.
# Because both are rotated, the score depends only on Δ, not on where the pair sits. With q = k = all ones,
# every pair contributes cos(Δ θᵢ): the score starts at √head_dim and, on average, falls off as the pairs drift out
# of phase. This is RoFormer's "long-term decay". It is only a tendency for vectors that agree in every pair; for
# real queries and keys, the next figure shows, the score can rise and fall with distance in any pattern.

wavelength = (2 * np.pi / theta).numpy()
context = config.max_position_embeddings
slow = int((wavelength > context).sum())
print(
    f"wavelengths from {wavelength[0]:.1f} to {wavelength[-1]:,.0f} tokens; "
    f"{slow} of {len(theta)} pairs turn less than once in {context:,} tokens"
)
assert (
    abs(wavelength[0] - 2 * np.pi) < 1e-3
    and 4e5 < wavelength[-1] < 5e5
    and slow == 12
), (wavelength, slow)

ones = torch.ones(head_dim)
deltas = np.unique(
    np.round(np.logspace(0, np.log10(context), 300)).astype(int)
)
decay = np.array([(rotate(ones, d) @ ones).item() for d in deltas]) / np.sqrt(
    head_dim
)
near, far = (
    (rotate(ones, 7) @ rotate(ones, 3)).item(),
    (rotate(ones, 107) @ rotate(ones, 103)).item(),
)
assert abs(near - far) < 1e-3  # only the offset matters
print(
    f"q = k = ones: score {np.sqrt(head_dim):.1f} at distance 0, "
    f"{decay[deltas == 1024][0]:.1f} at 1024"
)
assert 2 < decay[deltas == 1024][0] < 4

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.0), constrained_layout=True
)
left.semilogy(wavelength, "o", ms=3)
left.axhline(
    context, ls="--", color="grey", lw=1, label=f"context: {context:,} tokens"
)
left.set_xlabel("dimension pair i")
left.set_ylabel("wavelength 2π/θᵢ (tokens)")
left.legend(fontsize=8, loc="upper left")
left.set_title("One frequency per pair", fontsize=10)
right.semilogx(deltas, decay, lw=1)
right.axhline(0, color="grey", lw=0.8)
right.set_xlabel("distance Δ (tokens)")
right.set_ylabel("q·k / √head_dim")
right.set_title("q = k = ones, placed Δ apart", fontsize=10)
plt.show()

# %%
# ## A real query and key, moved apart
#
# Queries and keys are learned, and a head can put its preferred distance into them. We take the decoder's
# strongest *previous-token head* (the head that puts the most attention one token back on the text below), grab
# the query it computes for one token and the key it computes for the token before, *before* rotation (forward
# hooks on `q_proj` and `k_proj`), and score the pair at every distance from 0 to 64. The score peaks at
# distance 1, exactly the offset the head looks for. At larger distances the score swings up and down, driven by
# the fast-turning pairs, but stays far below its peak. The content of the two vectors, rotated against each
# other, is what encodes "one token back".

text = (
    "The old lighthouse stood at the end of a narrow path of stones. Every "
    "evening the keeper climbed the "
    "ninety steps, trimmed the wick and wound the clockwork that turned the "
    "great lens. Ships far out at sea "
    "saw the beam sweep across the water once every ten seconds, and they "
    "knew where the rocks were. In the "
    "morning he wrote the weather in a thick book: wind, rain, fog, and the "
    "names of the boats that passed."
)
input_ids = tokenizer(text, return_tensors="pt")["input_ids"]
n = input_ids.shape[1]
queries, keys = {}, {}
hooks = []
for i, layer in enumerate(model.model.layers):
    hooks.append(
        layer.self_attn.q_proj.register_forward_hook(
            lambda m, a, out, i=i: queries.__setitem__(i, out[0])
        )
    )
    hooks.append(
        layer.self_attn.k_proj.register_forward_hook(
            lambda m, a, out, i=i: keys.__setitem__(i, out[0])
        )
    )
with torch.no_grad():
    # (L, H, q, k)
    attentions = torch.stack(
        model(input_ids, output_attentions=True).attentions
    )[:, 0].numpy()
for hook in hooks:
    hook.remove()
n_layers = attentions.shape[0]
print(
    f"{n} tokens, {n_layers} layers, {n_heads} query heads sharing "
    f"{n_kv_heads} key heads"
)

# (layers, heads)
previous = np.stack(
    [attentions[:, :, i, i - 1] for i in range(1, n)], axis=-1
).mean(-1)
layer, head = np.unravel_index(previous.argmax(), previous.shape)
# grouped-query attention: the key head this query head reads
kv_head = head // (n_heads // n_kv_heads)
t = n // 2
q = queries[layer][t].view(n_heads, head_dim)[head]
k = keys[layer][t - 1].view(n_kv_heads, head_dim)[kv_head]
distances = np.arange(65)
with torch.no_grad():
    scores = np.array(
        [(rotate(q, t) @ rotate(k, t - d)).item() for d in distances]
    ) / np.sqrt(head_dim)
print(
    f"previous-token head: layer {layer}, head {head} (mean attention one "
    f"token back: {previous[layer, head]:.2f})"
)
print(
    f"score of its query at token {t} and the key of token {t - 1}: best at "
    f"distance {scores.argmax()}"
)
assert previous[layer, head] > 0.5 and scores.argmax() == 1, (
    previous[layer, head],
    scores[:5],
)
assert scores[3:].max() < scores[1] - 3, scores
# our rotation reproduces the model's real score at the real distance
with torch.no_grad():
    real_logit = rotate(q, t) @ rotate(k, t - 1) / np.sqrt(head_dim)
    assert abs(real_logit.item() - scores[1]) < 1e-4

fig, ax = plt.subplots(figsize=(6.8, 2.6), constrained_layout=True)
ax.plot(distances, scores, ".-")
ax.axvline(1, ls=":", color="grey")
ax.set_xlabel("distance between the query's and the key's positions (tokens)")
ax.set_ylabel("q·k / √head_dim")
ax.set_title(
    f"Layer {layer}, head {head}: one query and one key, placed at every "
    "distance",
    fontsize=10,
)
plt.show()

# %%
# ## The attention the decoder actually pays, by distance
#
# For every layer, the attention from a query to the key *d* tokens back, averaged over heads and over the
# queries of the text. Position 0 is left out: it is the attention sink (see the decoder section), which takes
# most of the weight in most layers whatever its distance. What is left is strongly local: in every layer the
# most recent tokens (distance 0 to 3) get the most attention.
#
# Over all layers, the current token and the three before it (distance 0 to 3) receive more than a third of the
# attention that does not go to the sink.

max_distance = 48
by_distance = np.zeros((n_layers, max_distance + 1))
for d in range(max_distance + 1):
    # keys other than position 0
    rows = [
        attentions[:, :, i, i - d] for i in range(max(d, 1), n) if i - d >= 1
    ]
    by_distance[:, d] = np.mean(rows, axis=0).mean(1)

# per query, the attention left after the sink
non_sink = 1 - attentions[:, :, 1:, 0]
local = np.zeros_like(non_sink)
for i in range(1, n):
    local[:, :, i - 1] = attentions[:, :, i, max(1, i - 3) : i + 1].sum(-1)
local_share = local.sum() / non_sink.sum()
print(f"share of the non-sink attention on distances 0-3: {local_share:.0%}")
assert 0.33 < local_share < 0.8, local_share
assert (by_distance.argmax(1) <= 3).all(), by_distance.argmax(1)

fig, ax = plt.subplots(figsize=(6.8, 3.8), constrained_layout=True)
image = ax.imshow(by_distance, aspect="auto", cmap="magma", norm="log")
ax.set_xlabel("distance from the query (tokens)")
ax.set_ylabel("layer")
ax.set_title(
    "Mean attention to the key d tokens back (position 0 left out)",
    fontsize=10,
)
fig.colorbar(image, ax=ax, label="attention weight (log scale)")
plt.show()

# %%
# ## Caveats
#
# * **Learned positions stop at 512.** MiniLM has no vector for position 512 and cannot read longer inputs;
#   RoPE has no table and can be evaluated at any position, but a model only works well on distances it saw in
#   training. Scaling tricks (position interpolation, YaRN) stretch the frequencies; they show up in
#   `config.rope_parameters` as a `rope_type` other than `"default"`.
# * **The decay is not a law.** The falling curve for q = k = ones is an average tendency; real heads learn
#   queries and keys that prefer any distance they need, or none, as the previous-token head shows.
# * **Attention by distance mixes content and position.** Neighbouring tokens are often relevant for content
#   reasons too; to isolate position, compare with shuffled or repeated text.
# * **One text.** The attention figures come from one paragraph of about 90 tokens; longer inputs spread the
#   weights thinner.
