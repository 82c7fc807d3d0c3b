"""
# Surprisal, temperature, top-k and top-p

How surprised the decoder is by each token of a text, and how temperature, top-k and top-p reshape what it samples from.

A language model's output at each position is a probability for every token of its vocabulary. Read against the
token that really came next, that probability gives the **surprisal**, −log₂ p, in bits: 0 for a certain guess,
1 bit for a coin flip, and more for each halving of the probability. The first figure colours a short text by
surprisal, token by token. Read forward, the same distribution is what text generation samples from; the rest of
the page shows the usual knobs (temperature, top-k, top-p) and what they do to its spread, measured as entropy
in bits.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Surprisal of every token
#
# One forward pass gives the logits at every position. The logits at position *i* predict token *i + 1*, so we
# shift by one: `log_softmax(logits[:-1])` scored against `input_ids[1:]`. This tokenizer adds no
# beginning-of-sequence token, so the first token has no prediction and no surprisal.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.collections import PatchCollection
from matplotlib.patches import FancyBboxPatch
from transformers import AutoModelForCausalLM, AutoTokenizer
from transformers.generation.logits_process import (
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

torch.manual_seed(0)

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(MODEL_NAME)
model.eval()

text = (
    "The capital of France is Paris. The capital of Germany is Berlin. The "
    "capital of Italy is Rome. "
    "My grandmother kept a small shop in Lisbon, where she sold umbrellas, "
    "oranges and second-hand accordions."
)
input_ids = tokenizer(text, return_tensors="pt")["input_ids"]
with torch.no_grad():
    logits = model(input_ids).logits[0]
log_probs = logits[:-1].log_softmax(-1)
# bits, for tokens 1..n-1
surprisal = (
    -log_probs.gather(1, input_ids[0, 1:, None])[:, 0] / np.log(2)
).numpy()
tokens = [tokenizer.decode([i]) for i in input_ids[0].tolist()]

mean_bits = surprisal.mean()
print(
    f"{len(tokens)} tokens; mean surprisal {mean_bits:.2f} bits per token, "
    f"perplexity 2^{mean_bits:.2f} = "
    f"{2**mean_bits:.1f}"
)
assert 3.2 < mean_bits < 4.3 and 9 < 2**mean_bits < 20, mean_bits

# %%
# Each box is one token, coloured by its surprisal, with the number of bits under the token's text. Tokens that continue a
# word (no leading space) are drawn touching the previous box.
#
# * **Context makes text cheap.** After two examples of "The capital of X is Y.", the third one costs almost
#   nothing: "␣capital" drops from over 10 bits the first time (with no context at all) to under half a bit,
#   and the model names "␣Berlin" and "␣Rome" for well under a bit each.
# * **New information is expensive.** The second sentence changes the subject: "␣My", "␣kept", "␣second" and
#   "␣accord" each cost more than 10 bits.
# * **A rare word pays once.** "umbrellas" is three tokens; the first piece, "␣umb", costs over 8 bits, and the
#   two pieces that finish the word are nearly free, since once "umb" is there the rest is certain.
#
# Over the whole text the mean is about 3.7 bits per token: a **perplexity** of about 13, as if the model were
# choosing uniformly among 13 tokens at every step.


def first(token, start=0):
    return start + tokens[start:].index(token)


capitals = [i for i, t in enumerate(tokens) if t == " capital"]
# surprisal of token i
bits = {i: surprisal[i - 1] for i in range(1, len(tokens))}
umb = first(" umb")
print(
    f"' capital': {', '.join(f'{bits[i]:.2f}' for i in capitals)} bits; ' "
    f"Berlin' {bits[first(' Berlin')]:.2f}, "
    f"' Rome' {bits[first(' Rome')]:.2f}; ' umb' {bits[umb]:.1f}, then "
    f"{bits[umb + 1]:.2f} and {bits[umb + 2]:.2f}"
)
assert bits[capitals[0]] > 10 and bits[capitals[2]] < 0.5
assert bits[first(" Berlin")] < 0.5 and bits[first(" Rome")] < 0.5
assert all(bits[first(t)] > 10 for t in [" My", " kept", " second", " accord"])
assert bits[umb] > 8 and bits[umb + 1] + bits[umb + 2] < 0.2, [
    bits[umb + k] for k in range(3)
]

cmap, norm = plt.get_cmap("magma_r"), plt.Normalize(0, 16)
cmap.set_bad("lightgrey")
fig, ax = plt.subplots(figsize=(6.8, 3.6), constrained_layout=True)
boxes, values, x, y, line_chars = [], [], 0.0, 0.0, 78
for i, token in enumerate(tokens):
    label = token.strip()
    width = max(len(label), 4) + 0.8
    gap = 0.6 if token.startswith(" ") else 0.05
    if x + gap + width > line_chars:
        x, y, gap = 0.0, y - 2.0, 0.0
    x += gap if x > 0 else 0
    boxes.append(
        FancyBboxPatch(
            (x, y - 0.8), width, 1.6, boxstyle="round,pad=0,rounding_size=0.2"
        )
    )
    value = bits[i] if i > 0 else np.nan
    values.append(value)
    # readable on the box's colour
    shade = "black" if i == 0 or norm(value) < 0.55 else "white"
    ax.text(
        x + width / 2,
        y + 0.35,
        label,
        ha="center",
        va="center",
        fontsize=8.5,
        family="DejaVu Sans Mono",
        color=shade,
    )
    ax.text(
        x + width / 2,
        y - 0.4,
        "–" if i == 0 else f"{value:.1f}",
        ha="center",
        va="center",
        fontsize=7.5,
        color=shade,
    )
    x += width
collection = PatchCollection(boxes, cmap=cmap, norm=norm, edgecolor="none")
collection.set_array(np.ma.masked_invalid(values))
ax.add_collection(collection)
ax.set_xlim(-0.5, line_chars + 0.5)
ax.set_ylim(y - 1.0, 1.0)
ax.axis("off")
fig.colorbar(
    collection,
    ax=ax,
    orientation="horizontal",
    shrink=0.6,
    pad=0.02,
    label="surprisal (bits)",
)
plt.show()

# %%
# ## The next-token distribution, and temperature
#
# For generation we read the *last* position only. Two prompts make the contrast: one with an obvious answer and
# one with many good answers.
#
# **Temperature** divides the logits before the softmax: T < 1 sharpens the distribution towards the top token
# (T → 0 is greedy decoding), T > 1 flattens it. The ranking of the tokens never changes, only how steep it is.
# The bars show the twelve most likely continuations of "My favourite colour is" at three temperatures, with the
# **entropy** of the whole distribution, −Σ p log₂ p, in each title: the average surprisal of a sample, and so a
# measure of spread (2^entropy is the number of equally likely tokens with the same spread).


def entropy_bits(probs):
    return -(probs * probs.clamp_min(1e-30).log2()).sum().item()


def next_token_distribution(logits, temperature=1.0, top_k=None, top_p=None):
    """What a sampler draws from: logits / temperature, then keep the top_k
    tokens, then the top_p nucleus."""
    logits = logits / temperature
    if top_k is not None:
        logits = logits.masked_fill(
            logits < logits.topk(top_k).values[-1], float("-inf")
        )
    probs = logits.softmax(-1)
    if top_p is not None:
        sorted_probs, order = probs.sort(descending=True)
        # probability mass ranked above each token
        before = sorted_probs.cumsum(0) - sorted_probs
        keep = torch.zeros_like(probs, dtype=torch.bool)
        # the smallest set of top tokens whose mass reaches top_p
        keep[order] = before < top_p
        probs = probs * keep
        probs = probs / probs.sum()
    return probs


prompts = {
    "open": "My favourite colour is",
    "closed": "The capital of France is",
}
last_logits = {}
with torch.no_grad():
    for key, prompt in prompts.items():
        last_logits[key] = model(
            tokenizer(prompt, return_tensors="pt")["input_ids"],
            logits_to_keep=1,
        ).logits[0, -1]

# Our filter must match what `model.generate` applies (temperature, then top-k,
# then top-p).
for settings in [
    dict(temperature=0.7, top_k=50, top_p=0.9),
    dict(temperature=1.3, top_k=None, top_p=0.5),
]:
    reference = last_logits["open"][None]
    reference = TemperatureLogitsWarper(settings["temperature"])(
        None, reference
    )
    if settings["top_k"]:
        reference = TopKLogitsWarper(settings["top_k"])(None, reference)
    reference = TopPLogitsWarper(settings["top_p"])(None, reference).softmax(
        -1
    )[0]
    assert torch.allclose(
        next_token_distribution(last_logits["open"], **settings),
        reference,
        atol=1e-6,
    )

temperatures = [0.5, 1.0, 2.0]
probs_at = {
    t: next_token_distribution(last_logits["open"], temperature=t)
    for t in temperatures
}
top = probs_at[1.0].topk(12).indices
labels = [
    repr(tokenizer.decode([i]))[1:-1].replace(" ", "␣") for i in top.tolist()
]
entropies = {t: entropy_bits(p) for t, p in probs_at.items()}
print(
    "entropy of the next token after 'My favourite colour is': "
    + ", ".join(f"T={t}: {h:.2f} bits" for t, h in entropies.items())
)
assert entropies[0.5] < entropies[1.0] < entropies[2.0]

fig, axes = plt.subplots(
    1, 3, figsize=(6.8, 3.2), constrained_layout=True, sharey=True
)
for ax, t in zip(axes, temperatures):
    ax.barh(range(len(top)), probs_at[t][top].numpy(), color="tab:blue")
    ax.set_title(f"T = {t}: entropy {entropies[t]:.1f} bits", fontsize=9)
    ax.set_xlabel("probability", fontsize=9)
    ax.tick_params(labelsize=8)
axes[0].set_yticks(range(len(top)), labels)
axes[0].invert_yaxis()
fig.suptitle("Next token after 'My favourite colour is'", fontsize=10)
plt.show()

# %%
# ## Truncation: top-k against top-p
#
# Temperature alone leaves every one of the 49,152 tokens possible, and the long tail of unlikely tokens adds up:
# Holtzman et al. (2019, "The Curious Case of Neural Text Degeneration",
# [arXiv:1904.09751](https://arxiv.org/abs/1904.09751)) showed that sampling from it derails text. Two fixes cut
# the tail before sampling:
#
# * **top-k** keeps the k most likely tokens, whatever their probabilities;
# * **top-p** (nucleus sampling, Holtzman et al.) keeps the smallest set of top tokens whose probabilities add up
#   to p.
#
# Left: the sorted probabilities of both prompts, on log scales, with the cut-offs. For the closed prompt, p = 0.9
# is reached after about ten tokens; for the open one it takes hundreds. Top-k = 10 cuts both at the same rank,
# which is too many choices for the first prompt's near-certain answer and far too few for the second. Top-p
# adapts to how confident the model is. Right: entropy against temperature for both prompts. Between T = 0.5 and
# T = 1.5 the open prompt's distribution is at least 2 bits wider. As T → 0 both collapse onto their top token
# (0 bits, greedy decoding); as T grows both approach the entropy of a uniform choice among all 49,152 tokens,
# log₂ 49,152 ≈ 15.6 bits.

nucleus = {}
for key in prompts:
    kept = int(
        (next_token_distribution(last_logits[key], top_p=0.9) > 0).sum()
    )
    nucleus[key] = kept
    top_k_10 = next_token_distribution(last_logits[key], top_k=10)
    top_p_09 = next_token_distribution(last_logits[key], top_p=0.9)
    print(
        f"{prompts[key]!r}: top-p 0.9 keeps {kept} tokens; entropy "
        f"{entropy_bits(last_logits[key].softmax(-1)):.2f} "
        f"bits, after top-k 10 {entropy_bits(top_k_10):.2f}, "
        f"after top-p 0.9 {entropy_bits(top_p_09):.2f}"
    )
assert 5 <= nucleus["closed"] <= 20 and nucleus["open"] >= 200, nucleus

temperature_grid = np.linspace(0.1, 2.5, 25)
curves = {
    key: [
        entropy_bits(next_token_distribution(last_logits[key], temperature=t))
        for t in temperature_grid
    ]
    for key in prompts
}
assert all(np.all(np.diff(c) > 0) for c in curves.values())
middle = (temperature_grid >= 0.5) & (temperature_grid <= 1.5)
assert np.all(
    np.array(curves["open"])[middle] - np.array(curves["closed"])[middle] > 2
), curves
uniform = np.log2(len(last_logits["open"]))
assert (
    len(last_logits["open"]) == 49152
    and curves["closed"][0] < 0.01
    and curves["open"][-1] < uniform
)

fig, (left, right) = plt.subplots(
    1, 2, figsize=(6.8, 3.2), constrained_layout=True
)
ranks = np.arange(1, 2001)
for (key, prompt), color in zip(prompts.items(), ["tab:orange", "tab:blue"]):
    sorted_probs = (
        last_logits[key]
        .softmax(-1)
        .sort(descending=True)
        .values[: len(ranks)]
        .numpy()
    )
    left.loglog(ranks, sorted_probs, color=color, label=f"'{prompt}'")
    left.axvline(nucleus[key], color=color, ls=":", lw=1.2)
    right.plot(temperature_grid, curves[key], color=color, label=f"'{prompt}'")
left.axvline(10, color="grey", ls="--", lw=1, label="top-k = 10")
left.set_xlabel("rank of the token")
left.set_ylabel("probability")
left.set_title("Sorted; dotted: top-p 0.9 cut", fontsize=9)
left.legend(fontsize=7.5, loc="lower left")
right.axhline(uniform, color="grey", ls="--", lw=1, label="uniform")
right.set_xlabel("temperature")
right.set_ylabel("entropy (bits)")
right.set_title("Entropy against temperature", fontsize=9)
right.legend(fontsize=7.5, loc="lower right")
plt.show()

# %%
# ## Sampling, seeded
#
# Finally, three continuations of one prompt, generated with the filter above and a seeded random generator:
# greedy decoding (always the top token), nucleus sampling (T = 0.7, top-p = 0.9), and pure sampling (T = 1, no
# truncation), 12 tokens each. All three rows share one batch, and a KV cache (`cache=`) keeps each step to one
# new token per row. `model.generate(do_sample=True, temperature=..., top_k=..., top_p=...)` does the same with
# the same knobs.
#
# Along the way we score each chosen token with the unmodified distribution (T = 1, no truncation), in bits.
# Greedy text is the least surprising by construction; pure sampling keeps drawing from the tail and ends up the
# most surprising.
# Holtzman et al. found that human text sits in between: less predictable than greedy output, far more
# predictable than samples from the full tail.

generator = torch.Generator().manual_seed(0)
start = "Once upon a time, there was a"
settings = {
    "greedy": dict(top_k=1),
    "top-p 0.9, T 0.7": dict(temperature=0.7, top_p=0.9),
    "pure, T 1": dict(),
}
ids = tokenizer([start] * len(settings), return_tensors="pt")["input_ids"]
prompt_length, new_tokens, cache = ids.shape[1], 12, None
step_input, sample_bits = ids, np.zeros(len(settings))
with torch.no_grad():
    for _ in range(new_tokens):
        out = model(
            input_ids=step_input, cache=cache, use_cache=True, logits_to_keep=1
        )
        cache, step_logits = out.cache, out.logits[:, -1]
        chosen = torch.stack(
            [
                torch.multinomial(
                    next_token_distribution(step_logits[row], **kw),
                    1,
                    generator=generator,
                )
                for row, kw in enumerate(settings.values())
            ]
        )  # (rows, 1)
        # surprisal of each chosen token under the unmodified model (T = 1, no
        # truncation)
        sample_bits += (
            -step_logits.log_softmax(-1).gather(1, chosen)[:, 0] / np.log(2)
        ).numpy() / new_tokens
        step_input = chosen
        ids = torch.cat([ids, chosen], dim=1)

for (name, _), row, b in zip(settings.items(), ids, sample_bits):
    continuation = tokenizer.decode(row[prompt_length:]).replace("\n", "\\n")
    print(f"{name:>16s} ({b:4.1f} bits/token): {start}{continuation}")
assert sample_bits[0] < sample_bits[1] < sample_bits[2], sample_bits

# %%
# ## Caveats
#
# * **Surprisal is the model's, not the text's.** A different model, or the same model with a different
#   tokenizer, gives different numbers; per-token values can only be compared within one tokenizer. Convert to
#   bits per character or per word to compare models.
# * **The first token is free here only because it is not scored.** Models trained with a beginning-of-sequence
#   token can score it; this one has none.
# * **Entropy is not uncertainty about facts.** A wide distribution can mean many equally good continuations
#   ("colour is ..."), not ignorance; a narrow one can be confidently wrong.
# * **Sampling settings interact.** Temperature changes which tokens top-p keeps, since it reshapes the
#   probabilities before the cut. transformers applies temperature first, as we do here.
# * **Chat models expect chat templates.** SmolLM2-Instruct is prompted with plain text here, which it handles but
#   was not tuned for; its distributions inside a chat template differ.
