"""
# A sparse autoencoder on the residual stream

Train a small sparse autoencoder on SmolLM2's residual stream in the build, measure it the honest way (the model's own loss with the reconstruction put back), and read the contexts that excite a few of its latents.

A sparse autoencoder (SAE) rewrites each activation vector as a sparse, non-negative combination of learned
directions ("latents"), in the hope that each latent means one thing (Bricken et al., 2023, "Towards
Monosemanticity"; Cunningham et al., 2023, "Sparse Autoencoders Find Highly Interpretable Features in Language
Models"). This page trains one in seconds on the output of layer 6 over a few thousand tokens, and reports what the
papers report: the variance it explains, how many latents are active per token (L0), how many never fire (dead),
and the next-token loss when its reconstruction replaces the residual stream, next to what replacing the stream
with its mean or with zeros costs. The last number is the honest one: an SAE can explain most of the variance and
still lose what the model needs.
"""

# %%
# ## Activations: layer 6 over Python's own docstrings
#
# The text is built as on the MLP neurons page: the docstrings of a fixed list of standard-library modules, which ship
# with Python. It is cut into 80 chunks of 64 tokens; the first 64 chunks train the SAE and the last 16 are held
# out for every measurement. The first position of each chunk is left out: its residual vector is an attention sink
# many times larger than the others, which would dominate the training loss.

import importlib
import inspect
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

torch.manual_seed(0)
torch.set_num_threads(1)
MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(MODEL_NAME)
model.eval()

MODULES = ["math", "string", "json", "textwrap", "random", "statistics"]
MODULES += ["heapq", "bisect", "itertools", "functools", "collections"]
MODULES += ["datetime", "calendar", "fractions", "base64", "shutil"]
docstrings = []
for name in MODULES:
    module = importlib.import_module(name)
    docstrings.append(inspect.getdoc(module))
    for attribute in sorted(dir(module)):
        obj = getattr(module, attribute)
        public = not attribute.startswith("_") and callable(obj)
        if public and getattr(obj, "__module__", None) == name:
            if doc := inspect.getdoc(obj):
                docstrings.append(f"{attribute}: {doc}")
ids = tokenizer("\n\n".join(d for d in docstrings if d))["input_ids"]
LAYER, CHUNK, CHUNKS, HELD_OUT = 6, 64, 80, 16
chunks = torch.tensor(
    [ids[i * CHUNK : (i + 1) * CHUNK] for i in range(CHUNKS)]
)

captured = []
hook = model.model.layers[LAYER].register_forward_hook(
    lambda module, args, output: captured.append(
        output[0] if isinstance(output, tuple) else output
    )
)
all_layers = model.model.layers
model.model.layers = all_layers[: LAYER + 1]  # nothing above is needed here
with torch.no_grad():
    for batch in chunks.split(16):
        model.model(batch)
model.model.layers = all_layers
hook.remove()
residual = torch.cat(captured)[:, 1:]  # (chunks, positions - 1, hidden)
scale = residual.norm(dim=-1).mean() / residual.shape[-1] ** 0.5
train = (residual[:-HELD_OUT] / scale).reshape(-1, residual.shape[-1])
test = (residual[-HELD_OUT:] / scale).reshape(-1, residual.shape[-1])
print(f"{len(ids)} tokens of docstrings; training on {len(train)} vectors")
print(f"held out: {len(test)} vectors of size {train.shape[1]}")

# %%
# ## The SAE, trained in the build
#
# 768 latents for 576 dimensions; the encoder is a ReLU of an affine map, the decoder a linear map whose rows are
# kept at unit length, and the loss is the squared reconstruction error plus an L1 penalty on the latents (the
# price of being active). 800 steps of 256 vectors, a few seconds of CPU: a real SAE trains on hundreds of millions
# of tokens with tens of thousands of latents.

LATENTS, L1, STEPS = 768, 3.0, 800
hidden = train.shape[1]
W_enc = torch.nn.Parameter(torch.randn(hidden, LATENTS) * 0.05)
b_enc = torch.nn.Parameter(torch.zeros(LATENTS))
W_dec = torch.nn.Parameter(W_enc.detach().T.clone())
b_dec = torch.nn.Parameter(train.mean(0))
optimizer = torch.optim.Adam([W_enc, b_enc, W_dec, b_dec], lr=2e-3)


def encode(x):
    return torch.relu((x - b_dec) @ W_enc + b_enc)


for step in range(STEPS):
    x = train[torch.randint(0, len(train), (256,))]
    with torch.no_grad():
        W_dec /= W_dec.norm(dim=1, keepdim=True)
    latents = encode(x)
    error = ((x - (latents @ W_dec + b_dec)) ** 2).sum(-1).mean()
    loss = error + L1 * latents.sum(-1).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    latents = encode(test)
    rebuilt = latents @ W_dec + b_dec
    explained = (
        1 - ((test - rebuilt) ** 2).sum() / ((test - test.mean(0)) ** 2).sum()
    )
    l0 = (latents > 0).sum(-1).float().mean().item()
    ever = (encode(torch.cat([train, test])) > 0).any(0)
dead = int((~ever).sum())
print(f"variance explained on held-out vectors: {explained:.3f}")
print(f"L0, latents active per token: {l0:.1f}; dead latents: {dead}")
assert explained > 0.8 and 8 < l0 < 20 and dead < LATENTS // 10

# %%
# ## The honest measure: the model's loss with the reconstruction spliced in
#
# A hook replaces layer 6's output (every position but the first) with the SAE's reconstruction, and the model
# finishes its forward pass on the held-out chunks. For scale, the same replacement by the mean activation, and by
# zeros. The fraction of loss recovered compares the SAE with the mean: 1 would be perfect.


def loss_with(replace=None):
    def splice(module, args, output):
        out = output[0] if isinstance(output, tuple) else output
        out = torch.cat([out[:, :1], replace(out[:, 1:])], 1)
        return (out, *output[1:]) if isinstance(output, tuple) else out

    handle = (
        all_layers[LAYER].register_forward_hook(splice) if replace else None
    )
    held = chunks[-HELD_OUT:]
    with torch.no_grad():
        value = model(held, labels=held).loss.item()
    if handle:
        handle.remove()
    return value


mean_vector = residual[:-HELD_OUT].reshape(-1, hidden).mean(0)
losses = {
    "clean": loss_with(),
    "SAE reconstruction": loss_with(
        lambda r: (encode(r / scale) @ W_dec + b_dec) * scale
    ),
    "mean activation": loss_with(lambda r: mean_vector.expand_as(r)),
    "zeros": loss_with(torch.zeros_like),
}
for name, value in losses.items():
    print(f"next-token loss, {name:>18}: {value:.3f}")
recovered = (losses["mean activation"] - losses["SAE reconstruction"]) / (
    losses["mean activation"] - losses["clean"]
)
print(f"fraction of loss recovered (against the mean): {recovered:.3f}")
rise = losses["SAE reconstruction"] - losses["clean"]
assert 0.5 < rise < 1.5, rise  # "about a nat" (below)
assert losses["mean activation"] < losses["zeros"] and recovered > 0.75

# %%
# ## What a few latents respond to
#
# For three of the most frequently active latents, the five held-out and training tokens that excite them most,
# each with the text just before it (the token itself in brackets). Read them with suspicion: a few thousand tokens
# of one kind of text cannot show what a latent means in general.

everything = torch.cat([train, test])
tokens = torch.cat([chunks[:-HELD_OUT, 1:], chunks[-HELD_OUT:, 1:]]).reshape(
    -1
)
context = torch.cat([chunks[:-HELD_OUT], chunks[-HELD_OUT:]])
with torch.no_grad():
    activity = encode(everything)
frequency = (activity > 0).float().mean(0)
chosen = frequency.argsort(descending=True)[:3].tolist()
for latent in chosen:
    print(f"latent {latent} (active on {frequency[latent]:.1%} of tokens):")
    for flat in activity[:, latent].argsort(descending=True)[:5].tolist():
        row, col = divmod(flat, CHUNK - 1)
        before = tokenizer.decode(context[row, max(0, col - 7) : col + 1])
        word = tokenizer.decode(context[row, col + 1])
        print(f"   {activity[flat, latent]:6.2f}  ...{before!r} [{word!r}]")

fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.6), constrained_layout=True)
alive = frequency[frequency > 0].numpy()
axes[0].hist(np.log10(alive), bins=30)
axes[0].set_xlabel("log10 of the share of tokens a latent fires on")
axes[0].set_ylabel("latents")
axes[0].set_title(f"{LATENTS - dead} live latents, {dead} dead", fontsize=9)
names = list(losses)
axes[1].barh(names, [losses[n] for n in names])
axes[1].invert_yaxis()
axes[1].set_xlabel("next-token loss on held-out text (nats)")
axes[1].tick_params(labelsize=8)
plt.show()

# %%
# ## What a small SAE can and cannot show
#
# - It shows the method end to end and the honest measure: spliced in, the reconstruction recovers more than three
#   quarters of the loss that the mean activation gives up, with about a dozen latents active per token; yet the
#   loss still rises by about a nat, which a variance explained above 0.8 would not have told you.
# - It cannot show a clean dictionary of features. With 768 latents and a few thousand tokens of docstrings, latents
#   are broad (punctuation, code, common words) and many are shaped by this corpus alone. Published SAEs use 10^4 to
#   10^6 latents and 10^8 or more tokens.
# - The L1 penalty trades sparsity against reconstruction, and shrinks active latents towards zero; later variants
#   (TopK, gated and JumpReLU SAEs) were designed to fix that. Dead latents grow with longer training unless they
#   are resampled.
# - A latent that fires on a context is a correlation. Whether the model uses that direction takes an intervention,
#   such as the steering on the previous page.
