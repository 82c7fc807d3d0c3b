"""
# MLP neurons: what fires them, and what they write

Find the tokens that most excite a few feed-forward neurons over a small corpus, and read what each neuron adds to the prediction.

A feed-forward (MLP) layer holds thousands of *neurons*. Geva et al. (2021) read each one as a key-value memory: the
neuron's input weights are a *key* that matches patterns in the text, and its output weights are a *value* that is
added to the residual stream when the key matches. This page runs SmolLM2 over Python's own documentation, records
one layer's neuron activations for every token, picks a few neurons by stated rules, and shows the contexts where
each fires hardest (the key side) and the tokens its output vector promotes (the value side).
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## The corpus: Python's own docstrings
#
# The text is made at run time from the documentation strings of a fixed list of standard-library modules: each
# module's docstring, then the docstring of each of its public functions and classes, in alphabetical order. This
# text ships with Python itself (under the PSF licence), so the page needs no downloaded data set. It is technical
# English with code examples, numbers and brackets, which is the kind of text the neurons below respond to.
#
# The docstrings are joined, tokenized, and cut into chunks of 128 tokens; 16 chunks spread evenly over the whole
# text go into one batch (all the same length, so there is no padding to mask out).

import importlib
import inspect
import os

import matplotlib.pyplot as plt
import matplotlib.transforms as transforms
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(MODEL_NAME)
model.eval()

MODULES = [
    "math",
    "string",
    "json",
    "textwrap",
    "random",
    "statistics",
    "heapq",
    "bisect",
    "itertools",
    "functools",
    "collections",
    "datetime",
    "calendar",
    "fractions",
    "base64",
    "shutil",
]
docstrings = []
for name in MODULES:
    module = importlib.import_module(name)
    docstrings.append(inspect.getdoc(module))
    for attribute in sorted(dir(module)):
        obj = getattr(module, attribute)
        if (
            attribute.startswith("_")
            or not callable(obj)
            or getattr(obj, "__module__", None) != name
        ):
            # private, not a function or class, or imported from another module
            continue
        if doc := inspect.getdoc(obj):
            docstrings.append(f"{attribute}: {doc}")
corpus = "\n\n".join(doc for doc in docstrings if doc)

chunk_length, n_chunks = 128, 16
ids = tokenizer(corpus)["input_ids"]
available = len(ids) // chunk_length
starts = (
    np.linspace(0, available - 1, n_chunks).round().astype(int) * chunk_length
)
# (chunks, tokens)
input_ids = torch.tensor(np.array([ids[s : s + chunk_length] for s in starts]))
print(
    f"{len(docstrings)} docstrings, {len(ids)} tokens; {n_chunks} chunks of "
    f"{chunk_length} tokens in the batch"
)
print("chunk 6 begins:", repr(tokenizer.decode(input_ids[6, :24])))

# %%
# ## Record the neurons of one layer with a hook
#
# In SmolLM2's MLP (a Llama-style SwiGLU), each neuron computes `silu(gate(x)) * up(x)`, and the vector of all
# neurons is the input of `down_proj`, which writes it back into the residual stream. So a *forward pre-hook* on
# `down_proj` sees exactly the neuron activations. We study layer 12 of 30 (counted from 0), a little below the
# middle; since nothing above it matters here, the model runs only its first 13 layers.
#
# The hook on every layer also records the largest activation at position 0 and elsewhere. Position 0 is the
# attention sink of this model (see the decoder section), and in some layers its activations are off the scale:
# in layer 11, for example, the first token's largest activation is hundreds of times larger than any other
# token's. Rankings of "top tokens" would be full of position 0, so it is left out below.

LAYER = 12
n_layers = model.config.num_hidden_layers
model.model.layers = model.model.layers[
    : LAYER + 1
]  # run layers 0..LAYER only

activations, peaks = {}, {}


def record(module, args, layer):
    # (chunks, tokens, intermediate size): the input of down_proj
    neurons = args[0]
    peaks[layer] = (
        neurons[:, 0].abs().max().item(),
        neurons[:, 1:].abs().max().item(),
    )
    if layer == LAYER:
        activations["neurons"] = neurons


mlp_inputs = {}
hooks = [
    layer.mlp.down_proj.register_forward_pre_hook(
        lambda module, args, i=i: record(module, args, i)
    )
    for i, layer in enumerate(model.model.layers)
]
hooks.append(
    model.model.layers[LAYER].mlp.register_forward_pre_hook(
        lambda module, args: mlp_inputs.__setitem__("x", args[0])
    )
)
with torch.no_grad():
    model.model(input_ids=input_ids)
for hook in hooks:
    hook.remove()

mlp = model.model.layers[LAYER].mlp
# the activations are silu(gate(x)) * up(x), as the hook claims
with torch.no_grad():
    recomputed = mlp.act_fn(mlp.gate_proj(mlp_inputs["x"])) * mlp.up_proj(
        mlp_inputs["x"]
    )
assert torch.allclose(recomputed, activations["neurons"], atol=1e-4)

neurons = activations["neurons"][:, 1:]  # drop position 0
tokens = input_ids[:, 1:]
n_neurons = neurons.shape[-1]
flat = neurons.reshape(-1, n_neurons)  # (positions, neurons)
print(
    f"layer {LAYER}: {n_neurons} neurons (config: "
    f"{model.config.intermediate_size}), "
    f"{flat.shape[0]} token positions"
)
print("largest |activation| at position 0 and elsewhere, per layer:")
print(
    "  "
    + "  ".join(
        f"{layer}: {first:.0f}/{rest:.0f}"
        for layer, (first, rest) in peaks.items()
    )
)
assert peaks[11][0] > 100 * peaks[11][1], peaks[11]  # hundreds of times larger
# the sizes the text quotes
assert n_layers == 30 and n_neurons == 1536 and flat.shape[0] == 2032

# %%
# ## Three rules for choosing neurons
#
# With 1,536 neurons we need a rule for which ones to look at, stated before looking:
#
# 1. **The neuron most selective for " not"**: the largest difference between its mean activation on the token
#    " not" and on all other tokens, in units of its standard deviation.
# 2. **The neuron most selective for digits**, by the same score over tokens made of digits.
# 3. **The neuron with the highest variance** over all tokens.

token_strings = [tokenizer.decode([t]) for t in tokens.reshape(-1).tolist()]
is_not = torch.tensor([s == " not" for s in token_strings])
is_digit = torch.tensor([s.strip().isdigit() for s in token_strings])
print(f'{int(is_not.sum())} tokens " not", {int(is_digit.sum())} digit tokens')


def selectivity(mask):
    return (flat[mask].mean(0) - flat[~mask].mean(0)) / flat.std(0)


scores = {
    'most selective for " not"': selectivity(is_not),
    "most selective for digits": selectivity(is_digit),
    "highest variance": flat.var(0),
}
chosen = {rule: int(score.argmax()) for rule, score in scores.items()}
for rule, neuron in chosen.items():
    print(
        f"{rule}: neuron {neuron} (score {scores[rule][neuron]:.2f}; "
        f"median over neurons {scores[rule].median():.2f})"
    )
not_neuron, digit_neuron, variance_neuron = chosen.values()

# %%
# ## Which end of the range?
#
# SwiGLU activations are signed: `silu` lets small negative values through, and `up(x)` can have either sign. A
# neuron can respond by going strongly negative. For the first two neurons the strong responses are positive. The
# highest-variance neuron is different: its largest activation is only 0.71, and about 90% of its variance comes
# from activations below its mean, reaching about -6. So for that neuron we look at the negative end.

for neuron in chosen.values():
    values = flat[:, neuron]
    below = ((values - values.mean()).clamp(max=0) ** 2).sum() / (
        (values - values.mean()) ** 2
    ).sum()
    print(
        f"neuron {neuron}: from {values.min():.2f} to {values.max():.2f}; "
        f"{below:.0%} of its variance from activations below its mean"
    )
    if neuron == variance_neuron:
        assert (
            values.max() < 1
            and -7 < values.min() < -5.5
            and 0.85 < below < 0.95
        ), (values.min(), below)
    else:
        assert values.max() > -values.min() and below < 0.4, (
            values.min(),
            below,
        )
sign = {not_neuron: 1, digit_neuron: 1, variance_neuron: -1}

# %%
# ## The contexts where each neuron responds most
#
# For each neuron, the eight strongest responses as a concordance: the token in red in the middle, with the text
# before and after it (a newline shows as ⏎, a token made only of spaces as ␣), and the activation on the left.
#
# With the default SmolLM2 weights and this corpus:
#
# * **The " not" neuron** fires on " not" and on the word right after it ("If not **provided**", "is not
#   **specified**"), and on the similar "In case **none** is found": at least 7 of the 8 are one of these.
# * **The digit neuron** is not a digit detector. About half of its twenty strongest activations are on digits in
#   lists like "[1, **2**, 3]"; the others are brackets, commas, quotes and the word "optional". Its score on
#   digits is only a little above that of the runner-up neuron.
# * **The highest-variance neuron**, at its negative end, responds to a token that repeats one a few tokens
#   earlier, in code: "seq[n], **seq**[n+1]", "obj.real, **obj**.imag", "p0, **p**1". In at least 6 of the 8, the
#   same token occurs within the 16 tokens before it. Its positive end (all under 0.71) shows no such pattern.


def shown(token_text):
    """A token as printed: newlines as ⏎, a token made only of spaces as ␣."""
    token_text = token_text.replace("\n", "⏎")
    return (
        token_text.replace(" ", "␣") if not token_text.strip() else token_text
    )


def context(position, before=10, after=5):
    chunk, index = divmod(position, tokens.shape[1])
    row = tokens[chunk].tolist()
    left = tokenizer.decode(row[max(0, index - before) : index]).replace(
        "\n", "⏎"
    )
    right = tokenizer.decode(row[index + 1 : index + 1 + after]).replace(
        "\n", "⏎"
    )
    return left, shown(tokenizer.decode([row[index]])), right


n_top = 8
top = {
    neuron: (sign[neuron] * flat[:, neuron]).topk(n_top).indices
    for neuron in chosen.values()
}
font = {"family": "monospace", "fontsize": 8, "va": "center"}
# points: the advance of one character of DejaVu Sans Mono
char_width = 0.602 * font["fontsize"]
fig, axes = plt.subplots(
    len(chosen),
    1,
    figsize=(6.8, 0.6 + 1.85 * len(chosen)),
    layout="constrained",
)
fig.get_layout_engine().set(h_pad=0.12)
for ax, (rule, neuron) in zip(axes, chosen.items()):
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(n_top - 0.5, -0.5)
    end = "highest" if sign[neuron] > 0 else "most negative"
    ax.set_title(
        f"Layer {LAYER}, neuron {neuron} ({rule}): its {n_top} {end} "
        "activations",
        fontsize=9,
        loc="left",
    )
    for row, position in enumerate(top[neuron].tolist()):
        left, token, right = context(position)
        ax.text(0.0, row, f"{flat[position, neuron]:5.2f}", **font)
        ax.text(0.5, row, left[-40:], ha="right", color="0.4", **font)
        ax.text(
            0.5, row, token, ha="left", color="tab:red", weight="bold", **font
        )
        after_token = transforms.offset_copy(
            ax.transData, fig=fig, x=char_width * len(token), units="points"
        )
        ax.text(
            0.5,
            row,
            right[:30],
            ha="left",
            color="0.4",
            transform=after_token,
            **font,
        )
plt.show()

after_not = torch.zeros_like(is_not)
# same chunk
after_not[1:] = is_not[:-1] & (
    torch.arange(1, len(is_not)) % tokens.shape[1] != 0
)
negation = (
    is_not
    | after_not
    | torch.tensor([s.strip() == "none" for s in token_strings])
)
n_negation = int(negation[top[not_neuron]].sum())
share_digits = (
    is_digit[flat[:, digit_neuron].topk(20).indices].float().mean().item()
)
runner_up = scores["most selective for digits"].topk(2).values


def repeats_earlier(position, window=16):
    chunk, index = divmod(position, tokens.shape[1])
    return bool(
        (
            tokens[chunk, max(0, index - window) : index]
            == tokens[chunk, index]
        ).any()
    )


n_repeats = sum(
    repeats_earlier(position) for position in top[variance_neuron].tolist()
)
print(
    f'" not" neuron: {n_negation} of its top {n_top} are " not", "none" or '
    'the token after " not"'
)
print(
    f"digit neuron: {share_digits:.0%} of its top 20 are digits; score "
    f"{runner_up[0]:.2f} "
    f"against {runner_up[1]:.2f} for the runner-up"
)
print(
    f"highest-variance neuron: {n_repeats} of its {n_top} most negative "
    "repeat a token of the 16 before"
)
assert n_negation >= 7, n_negation
assert 0.3 <= share_digits <= 0.6, share_digits  # about half
# only a little above
assert runner_up[0] - runner_up[1] < 0.2 * runner_up[0], runner_up
assert n_repeats >= 6, n_repeats

# %%
# ## The value side: what each neuron writes
#
# When a neuron fires with activation `a`, the MLP adds `a` times one column of `down_proj` (the neuron's *value
# vector*) to the residual stream. Geva et al. (2022, "Transformer Feed-Forward Layers Build Predictions by Promoting
# Concepts in the Vocabulary Space") read value vectors through the model's unembedding, as if nothing came after
# this layer: the tokens with the highest scores are the ones the neuron pushes the prediction towards. We apply the
# final RMSNorm's weights and the unembedding (`lm_head`) to each chosen neuron's value vector, multiplied by the
# sign of its strong activations (minus one for the highest-variance neuron, whose strong responses are negative).
#
# For the " not" neuron the answer is striking: " necessarily", " anymore", " yet", " either", " altogether" are
# among its top ten, words that follow "not" ("not necessarily", "not yet"). The key detects a negation and the
# value proposes how it continues, the key-value picture of Geva et al. The digit neuron promotes quantifiers
# (" every", " other", " each", " many", " both"), a common thread, though not one its concordance would suggest.
# The highest-variance neuron promotes pronouns and code names (" I", " He", "fetchall") with no common thread:
# reading values this way works for some neurons, not for all.

unembed = model.get_output_embeddings().weight  # (vocabulary, hidden)
norm_weight = model.model.norm.weight
promoted = {}
for rule, neuron in chosen.items():
    # what the neuron adds to the residual stream per unit of activation
    value = mlp.down_proj.weight[:, neuron]
    with torch.no_grad():
        logits = unembed @ (norm_weight * value * sign[neuron])
    promoted[neuron] = [
        tokenizer.decode([t]) for t in logits.topk(10).indices.tolist()
    ]
    print(
        f"neuron {neuron} ({rule}) promotes: "
        + ", ".join(repr(t) for t in promoted[neuron])
    )
assert {" necessarily", " anymore", " yet", " either", " altogether"} <= set(
    promoted[not_neuron]
)
assert {" every", " other", " each", " many", " both"} <= set(
    promoted[digit_neuron]
)
assert {" I", " He", "fetchall"} <= set(promoted[variance_neuron])

# %%
# ## How sparse is a neuron?
#
# A concordance shows only the very top of a neuron's range. The histograms show all 2,032 activations of each
# chosen neuron (log scale), with the tokens its rule was about in red (for the " not" neuron: " not", "none" and
# the token after " not"). The " not" neuron is near zero almost everywhere and far out only on negations. The
# digit neuron's digits spread over its whole upper range, mixed with other tokens: above an activation of 0.5,
# fewer than half are digits. The highest-variance neuron's long tail points the other way, to the negative
# side.

fig, axes = plt.subplots(
    1, len(chosen), figsize=(6.8, 2.6), layout="constrained"
)
masks = {
    not_neuron: negation,
    digit_neuron: is_digit,
    variance_neuron: torch.zeros_like(is_digit),
}
names = {
    not_neuron: '" not" neuron',
    digit_neuron: "digit neuron",
    variance_neuron: "highest-variance neuron",
}
for ax, neuron in zip(axes, chosen.values()):
    values = flat[:, neuron].numpy()
    bins = np.linspace(values.min(), values.max(), 40)
    mask = masks[neuron].numpy()
    ax.hist(values, bins=bins, color="0.6", label="all tokens")
    ax.hist(
        values[mask],
        bins=bins,
        color="tab:red",
        label="of these, the tokens the rule was about",
    )
    ax.set_yscale("log")
    ax.set_title(f"{names[neuron]}\n(neuron {neuron})", fontsize=9)
    ax.set_xlabel("activation", fontsize=9)
    ax.tick_params(labelsize=8)
axes[0].set_ylabel("tokens (log scale)", fontsize=9)
fig.legend(
    *axes[0].get_legend_handles_labels(),
    loc="outside lower center",
    ncol=2,
    fontsize=8,
)
plt.show()

near_zero = (flat[:, not_neuron].abs() < 0.5).float().mean().item()
high = flat[:, digit_neuron] > 0.5
digits_when_high = is_digit[high].float().mean().item()
print(
    f'" not" neuron: {near_zero:.1%} of all activations are within 0.5 of zero'
)
print(
    f"digit neuron: {int(high.sum())} activations above 0.5, "
    f"{digits_when_high:.0%} of them on digits"
)
assert near_zero > 0.95, near_zero
assert 0.25 < digits_when_high < 0.5, digits_when_high  # fewer than half

# %%
# ## Caveats
#
# * **Polysemanticity.** A neuron need not mean one thing: the digit neuron above responds to digits, brackets and
#   a word. Elhage et al. (2022, "Toy Models of Superposition") show why: a model can store more features than it
#   has neurons by spreading each feature over several neurons and letting each neuron take part in several
#   features. Single neurons are then the wrong unit; sparse dictionary methods look for the features instead.
# * **Top activations are a biased sample.** A concordance shows the extreme top of the range and hides what the
#   neuron does the rest of the time. The histograms help; so does checking the activation on hand-made inputs.
# * **The corpus decides what you can find.** Docstrings contain no dialogue, no fiction, few names: a neuron
#   that fires on any of those looks silent here. With 2,032 tokens and only a handful of " not", these are
#   anecdotes, not measurements, and a different sample of the same docstrings can make the rules pick different
#   neurons.
# * **Reading a value vector through the unembedding ignores every later layer.** Its top tokens say what the
#   neuron would promote if its output went straight to the prediction; later layers can use it very differently.
# * **Both ends of the range.** SwiGLU activations are signed. The highest-variance neuron shows that a neuron's
#   main response can be negative; looking only at the top of the range would have missed it.
#
# References: Mor Geva, Roei Schuster, Jonathan Berant, Omer Levy (2021), "Transformer Feed-Forward Layers Are
# Key-Value Memories" ([arXiv:2012.14913](https://arxiv.org/abs/2012.14913)); Nelson Elhage et al. (2022), "Toy
# Models of Superposition" ([arXiv:2209.10652](https://arxiv.org/abs/2209.10652)).
