"""
# The residual stream grows: norms across the decoder's layers

Follow the length of every token's residual-stream vector through SmolLM2's 30 layers, and see why each layer normalizes what it reads.

Every decoder layer *adds* its attention and MLP outputs to the residual stream, and nothing ever shrinks it: the
vectors get longer from layer to layer. This page measures that growth with forward hooks on the layers, compares
each layer's update with the stream it is added to, and shows the pitfall in `output_hidden_states`: its last entry
has already been through the final norm.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Hook every layer
#
# A Llama-style decoder layer computes `h = x + attn(norm1(x))`, then `out = h + mlp(norm2(h))` (a *pre-norm*
# layer: each sublayer reads a normalized copy of the stream, and writes its output back unnormalized). We record
# three things per layer with forward hooks: the layer's output (the residual stream after it), and the outputs of
# its attention and its MLP (the two updates it adds). The input is one paragraph of 64 tokens, so there is no padding.

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
n_layers = model.config.num_hidden_layers

text = (
    "The library opened at nine. By ten the reading room was full: students "
    "with laptops, an old man with a "
    "newspaper, two children looking for books about dinosaurs. The "
    "librarian, who had worked there for thirty "
    "years, knew most of them by name, and she knew which of them would ask "
    "for help before noon."
)
inputs = tokenizer(text, return_tensors="pt")
n_tokens = inputs["input_ids"].shape[1]

layer_out, attn_out, mlp_out = {}, {}, {}
hooks = []
for i, layer in enumerate(model.model.layers):
    hooks.append(
        layer.register_forward_hook(
            lambda module, args, output, i=i: layer_out.__setitem__(i, output)
        )
    )
    hooks.append(
        layer.self_attn.register_forward_hook(
            # (attention output, weights)
            lambda module, args, output, i=i: attn_out.__setitem__(
                i, output[0]
            )
        )
    )
    hooks.append(
        layer.mlp.register_forward_hook(
            lambda module, args, output, i=i: mlp_out.__setitem__(i, output)
        )
    )
with torch.no_grad():
    outputs = model(**inputs, output_hidden_states=True)
for hook in hooks:
    hook.remove()
print(
    f"{n_tokens} tokens, {n_layers} layers, hidden size "
    f"{model.config.hidden_size}"
)
assert n_tokens == 64, n_tokens

# %%
# ## The pitfall in `hidden_states`
#
# `outputs.hidden_states` has `n_layers + 1` entries. Entry 0 is the embedding output, and entry `i + 1` is the
# output of layer `i`, except the last: entry `n_layers` is the last layer's output *after the final RMSNorm*
# (`model.model.norm`). The checks below show it. For any measurement of the stream itself (norms, the direct logit
# attribution of other pages, patching), hook the layers instead of using the last `hidden_states` entry.

hidden = outputs.hidden_states
for i in range(n_layers - 1):
    # entry i + 1 is the output of layer i ...
    assert torch.allclose(hidden[i + 1], layer_out[i]), i
last = layer_out[n_layers - 1]
# ... but not for the last layer:
assert not torch.allclose(hidden[n_layers], last, atol=1e-2)
# it is already normalized
assert torch.allclose(hidden[n_layers], model.model.norm(last), atol=1e-4)
print("hidden_states[-1] == norm(output of the last layer): True")

# %%
# ## How long is each token's vector?
#
# The left panel shows the L2 norm of the residual stream at every stage: the embeddings, then after each layer,
# then after the final norm. Position 0 (the first token) gets its own line; the other positions are summarized by
# their median and the range from their 10th to their 90th percentile.
#
# With the default model:
#
# * The typical token's vector grows **more than 300-fold**, from a norm of about 2.7 in the embeddings to about
#   900 after the last layer, most steeply in the last third of the network.
# * **Layer 0's MLP writes a vector about 15 times longer than the embedding it is added to**: after one layer,
#   the embedding is a small part of the stream. (Some interpretability work treats embedding plus first MLP as
#   the "real" embedding for this reason.)
# * **Position 0 takes off twice**: after layer 2 its norm is about nine times that of the other tokens, and after
#   layer 11 more than a hundred times. This is the attention sink of the decoder section, and the huge activation
#   at position 0 of layer 11's MLP on the neuron page.
# * The **final norm** brings everything back to a common scale (median about 42) before the unembedding.

# the stream before layer 0, ..., after the last
resid = [hidden[0]] + [layer_out[i] for i in range(n_layers)]
# (n_layers + 1, tokens)
norms = torch.stack([x[0].norm(dim=-1) for x in resid]).numpy()
final_norms = hidden[n_layers][0].norm(dim=-1).numpy()
rest = norms[:, 1:]
median = np.median(rest, axis=1)
low, high = np.percentile(rest, [10, 90], axis=1)
growth = median[-1] / median[0]
first_mlp = np.median(mlp_out[0][0, 1:].norm(dim=-1).numpy() / norms[0, 1:])
print(
    f"median norm: embeddings {median[0]:.1f}, after the last layer "
    f"{median[-1]:.0f} ({growth:.0f} times), "
    f"after the final norm {np.median(final_norms[1:]):.0f}"
)
print(
    f"layer 0's MLP output / the embedding it is added to: {first_mlp:.1f} "
    "(median over tokens)"
)
print(
    "position 0 / median of the others: after layer 2 "
    f"{norms[3, 0] / median[3]:.1f}, "
    f"after layer 11 {norms[12, 0] / median[12]:.0f}"
)
# > 300-fold, 2.7 to 900
assert (
    300 < growth < 400 and 2.4 < median[0] < 3 and 800 < median[-1] < 1000
), median
third = 2 * n_layers // 3
# most steeply in the last third
assert median[-1] - median[third] > median[third] - median[0], median
assert 10 < first_mlp < 20, first_mlp  # about 15 times
# 9; > 100
assert (
    7.5 < norms[3, 0] / median[3] < 10.5 and norms[12, 0] / median[12] > 100
), norms[:, 0]
# about 42
assert 38 < np.median(final_norms[1:]) < 46, np.median(final_norms[1:])

# %%
# ## How big is each layer's update, relative to the stream?
#
# The right panel divides the norm of each layer's attention output and MLP output by the norm of the stream that
# layer reads (median over positions 1 onwards). In the middle of the network each sublayer changes the stream by a
# modest fraction of its length; the last layer's MLP writes an update most of the stream's own size, as if it
# rewrote the stream for the unembedding.
#
# This is why every sublayer normalizes its input: the stream's scale changes 300-fold along the way, and without
# the norm a layer's weights would have to work at every scale. It also means that a sublayer must write longer
# outputs in later layers to change the stream's direction by the same angle, and the MLP outputs do grow.

positions = slice(1, None)
# what layer i reads
stream_in = [x[0, positions].norm(dim=-1) for x in resid[:-1]]
relative_attn = np.array(
    [
        np.median(
            (attn_out[i][0, positions].norm(dim=-1) / stream_in[i]).numpy()
        )
        for i in range(n_layers)
    ]
)
relative_mlp = np.array(
    [
        np.median(
            (mlp_out[i][0, positions].norm(dim=-1) / stream_in[i]).numpy()
        )
        for i in range(n_layers)
    ]
)
mlp_size = np.array(
    [
        np.median(mlp_out[i][0, positions].norm(dim=-1).numpy())
        for i in range(n_layers)
    ]
)
middle = slice(n_layers // 3, 2 * n_layers // 3)
print(
    "median relative update, layers 10-19: attention "
    f"{np.median(relative_attn[middle]):.2f}, MLP "
    f"{np.median(relative_mlp[middle]):.2f}; "
    f"last layer's MLP {relative_mlp[-1]:.2f}"
)
print(
    f"MLP output norm: layer 1 {mlp_size[1]:.0f}, layer {n_layers - 1} "
    f"{mlp_size[-1]:.0f}"
)
# a modest fraction
assert (
    np.median(relative_attn[middle]) < 0.3
    and np.median(relative_mlp[middle]) < 0.3
)
# most of the stream's size
assert 0.5 < relative_mlp[-1] < 1.0, relative_mlp[-1]
assert mlp_size[-1] > 10 * mlp_size[1], mlp_size  # the MLP outputs grow

stages = np.arange(n_layers + 1)
fig, (ax_norm, ax_update) = plt.subplots(
    1, 2, figsize=(6.8, 4.0), layout="constrained"
)
ax_norm.fill_between(
    stages,
    low,
    high,
    color="tab:blue",
    alpha=0.25,
    label="positions 1+ (10th-90th pct.)",
)
ax_norm.plot(stages, median, color="tab:blue", label="positions 1+ (median)")
ax_norm.plot(stages, norms[:, 0], color="tab:red", label="position 0")
ax_norm.plot(
    [n_layers + 1.5],
    [np.median(final_norms[1:])],
    "o",
    color="tab:green",
    label="positions 1+ after the final norm (median)",
)
ax_norm.set_yscale("log")
ax_norm.set_xticks(
    [0, 11, 21, n_layers], ["emb.", "10", "20", str(n_layers - 1)]
)
ax_norm.set_xlabel("stream after layer (emb. = embeddings)")
ax_norm.set_ylabel("L2 norm (log scale)")
ax_norm.set_title("Norm of the residual stream", fontsize=10)
ax_update.plot(
    np.arange(n_layers),
    relative_attn,
    "o-",
    markersize=3,
    color="tab:purple",
    label="attention output",
)
ax_update.plot(
    np.arange(n_layers),
    relative_mlp,
    "s-",
    markersize=3,
    color="tab:orange",
    label="MLP output",
)
ax_update.set_yscale("log")
ax_update.set_xticks([0, 10, 20, n_layers - 1])
ax_update.set_xlabel("layer")
ax_update.set_ylabel("update norm / norm of stream read")
ax_update.set_title("Size of each layer's updates", fontsize=10)
for ax in (ax_norm, ax_update):
    ax.grid(True, alpha=0.3)
handles = [
    h for ax in (ax_norm, ax_update) for h in ax.get_legend_handles_labels()[0]
]
fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8)
plt.show()

# %%
# ## Caveats
#
# * **One paragraph, one model.** The numbers describe this text and SmolLM2-135M; the growth rate, the position-0
#   jumps and the layers where they happen differ between models. The shape (steady growth in a pre-norm
#   decoder, a few positions with huge norms) is common: Sun et al. (2024), "Massive Activations in Large Language
#   Models", find such huge activations at the first token and at delimiters across many models.
# * **A norm is a summary.** A few very large dimensions can dominate it; a vector can keep its length and change
#   its meaning. The hidden-states section looks at directions (cosine similarity, PCA) as well.
# * **Relative update size is not importance.** A small update can matter a lot if it points in a direction the
#   next layers read; ablation and patching (the circuits section) measure effects instead of sizes.
# * Xiong et al. (2020), "On Layer Normalization in the Transformer Architecture", explain why the pre-norm
#   arrangement used here trains more stably than the original post-norm one, at the price of this growth.
