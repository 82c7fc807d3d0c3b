"""
# Sliding-window attention: local and global layers in Gemma 3

On a prompt longer than the window, five layers in six cannot see past the
last 512 tokens; the sixth sees everything, and uses it.

Full self-attention costs memory and time that grow with the square of the
prompt length, and a key/value cache that grows with it. *Sliding-window
attention* (also called *local attention*) lets each token attend only to the
last `W` tokens. Longformer (Beltagy et al., 2020, "Longformer: The
Long-Document Transformer",
[arXiv:2004.05150](https://arxiv.org/abs/2004.05150)) mixed such windows
with a few *global* positions. Gemma 3 (Gemma Team, 2025,
"Gemma 3 Technical Report",
[arXiv:2503.19786](https://arxiv.org/abs/2503.19786)) mixes whole layers
instead: five local layers with a short window, then one global layer, so only
one layer in six needs a cache as long as the context. This page reads the
window and the layer pattern from the config, runs a prompt of about 550
tokens, and shows the band-shaped masks of the local layers and what the
global layers do with the view they alone have.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 2

# %%
# ## Load the model and read the layer pattern
#
# The config says which kind each layer is (`layer_types`) and how wide the
# window is (`sliding_window`). Gemma 3 270M has 18 layers: five
# `sliding_attention` layers, then one `full_attention` layer, three times
# over, with a window of 512 tokens. Eager attention returns the attention
# weights; the default (sdpa) does not.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get("GALLERY_GEMMA_MODEL", "google/gemma-3-270m")
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# float32: the weights are stored in bf16, but most CPUs compute faster in
# float32
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager", dtype=torch.float32
)
model.eval()

config = model.config
window = config.sliding_window
kinds = config.layer_types
global_layers = [i for i, kind in enumerate(kinds) if kind == "full_attention"]
print(f"{config.num_hidden_layers} layers, window {window} tokens")
print("global (full) attention layers:", global_layers)
assert window == 512 and config.num_hidden_layers == 18
assert global_layers == [5, 11, 17]  # one in six, the sixth of each group

# %%
# ## A prompt longer than the window
#
# A plain story of short sentences, about 550 tokens long, so that the last
# few dozen tokens have more than 512 tokens behind them. The tokenizer puts
# `<bos>` at position 0.

animals = ["fox", "owl", "cat", "hen", "bee", "elk"]
places = ["river", "barn", "hill", "market", "forest", "bridge"]
text = " ".join(
    f"On day {i} the {animals[i % 6]} went to the {places[i * 5 % 6]}."
    for i in range(1, 48)
)
inputs = tokenizer(text, return_tensors="pt")
n_tokens = inputs["input_ids"].shape[1]
print(
    f"{n_tokens} tokens; the first is "
    f"{tokenizer.decode(inputs['input_ids'][0, :1])}"
)
assert window < n_tokens and abs(n_tokens - 550) <= 10  # "about 550"

with torch.no_grad():
    # logits_to_keep=1: skip the 262,144-way unembedding for all but the
    # last position; this page needs only the attention weights
    outputs = model(**inputs, output_attentions=True, logits_to_keep=1)
attention = torch.stack([a[0].float() for a in outputs.attentions])
print(
    "attention weights:", tuple(attention.shape), "(layers, heads, query, key)"
)

# %%
# ## The masks the model builds
#
# Each panel is one head's attention weights: row = the token that attends
# (query), column = the token it reads (key), colour = weight on a log scale.
# The white area above the diagonal is the causal mask. In a local layer a
# second boundary cuts the lower-left corner: a query at position `i` sees keys
# `i - 511` to `i` only, 512 keys counting itself. The global layer next to it
# has no such edge: its weights spread thinly over every earlier token, back to
# position 0. The edge cuts only the rows past position 511 here; a longer
# prompt would show more of it (and cost more to run).

distance = torch.arange(n_tokens)[:, None] - torch.arange(n_tokens)[None, :]
longest = [int(distance[a.amax(0) > 0].max()) for a in attention]
print("farthest key any head reads, per layer:", longest)
for layer, kind in enumerate(kinds):
    expected = window - 1 if kind == "sliding_attention" else n_tokens - 1
    assert longest[layer] == expected, (layer, longest[layer])

fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6), constrained_layout=True)
for ax, layer in zip(axes, [4, 5]):
    weights = attention[layer, 0].numpy()
    shown = np.where(weights > 0, np.log10(np.maximum(weights, 1e-6)), np.nan)
    image = ax.imshow(shown, cmap="magma", vmin=-6, vmax=0)
    ax.set_title(f"layer {layer} ({kinds[layer].split('_')[0]}), head 0")
    ax.set_xlabel("key position (read)")
    ax.set_ylabel("query position (reading)")
fig.colorbar(image, ax=axes, label="log10 attention weight", shrink=0.8)
plt.show()

# %%
# ## What the global layers read beyond the window
#
# For the queries past position 512 (the only ones whose window cuts anything
# off), the share of their attention that lands more than 511 tokens back,
# averaged over heads and queries. In every local layer it is exactly zero: the
# mask sets those weights to 0. The global layers 5, 11 and 17 put about a
# quarter, a half and three quarters of their attention there (28 %, 47 % and
# 74 %), and most of it on a single token: `<bos>`, the attention sink (see
# the attention-sink page of the decoder section, and page 3 of this one). A
# local layer cannot reach `<bos>` from position 550, so its heads must park
# their spare attention elsewhere inside the window.

late = attention[:, :, window:, :]  # queries whose window is cut
far_mask = (distance[window:] >= window).float()
far_share = (late * far_mask).sum(-1).mean((1, 2)).numpy()
bos_share = late[..., 0].mean((1, 2)).numpy()
for layer in global_layers:
    print(
        f"layer {layer:2d}: {far_share[layer]:.0%} of attention beyond the "
        f"window, {bos_share[layer]:.0%} on <bos>"
    )
local = [i for i in range(len(kinds)) if i not in global_layers]
assert (far_share[local] == 0).all()
measured = far_share[global_layers]
assert np.allclose(measured, [0.28, 0.47, 0.74], atol=0.03), measured
assert (bos_share[global_layers] > far_share[global_layers] / 2).all()

fig, ax = plt.subplots(figsize=(6.8, 3.2), constrained_layout=True)
layers = np.arange(len(kinds))
colours = plt.get_cmap("viridis")([0.25, 0.75])
ax.bar(layers, bos_share, color=colours[0], label="on <bos>")
ax.bar(
    layers,
    far_share - bos_share,
    bottom=bos_share,
    color=colours[1],
    label="on other tokens more than 511 back",
)
ax.set_xticks(
    layers, [f"{i}\n{'G' if i in global_layers else 'L'}" for i in layers]
)
ax.set_xlabel("layer (L = local, sliding window; G = global)")
ax.set_ylabel("share of attention\nbeyond the window")
ax.set_ylim(0, 1)
ax.set_title("Attention beyond the window, per layer")
ax.legend(fontsize=9, loc="upper left")
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **Information still travels further than the window.** A local layer at
#   position 550 cannot read position 0, but it reads position 100, which read
#   position 0 in an earlier layer. Stacked windows reach `layers × window`
#   tokens back (Longformer's argument); the global layers give a direct path.
# * **The window is the model's, not the page's.** `sliding_window` and
#   `layer_types` come from the config; another Gemma 3 size has other values.
#   With a prompt shorter than 512 tokens the local and global masks are the
#   same, and the difference is invisible.
# * **Other attention implementations.** The sdpa and flash kernels apply the
#   same masks but do not return the weights; eager attention is needed here,
#   and it materialises every 556 × 556 map, which is what makes long prompts
#   slow on a laptop.
# * **Quantized weights.** These weights went through 4-bit Q4_K_M
#   quantization (see the models page); the masks are exact, the shares are
#   measurements and will differ a little with the hub's bf16 weights.
