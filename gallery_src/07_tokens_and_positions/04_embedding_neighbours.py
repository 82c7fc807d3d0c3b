"""
# Nearest neighbours in the embedding matrix

Which tokens lie closest to "king" or "Paris" in the input embeddings of MiniLM and of the decoder, and what that closeness means.

The first layer of both models is a lookup table: one learned vector per token of the vocabulary. Tokens that
the model uses in similar ways end up with similar vectors, so the nearest neighbours of a token (by cosine
similarity) hint at what the table has learned. The first figure lists each word's eight nearest neighbours in
both models, coloured by kind: the same word in another case or spacing, another form of the word, or a different
word. The second figure shows why a cosine must be read against a baseline.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 2

# %%
# ## The two embedding matrices
#
# `model.get_input_embeddings().weight` is the table, one row per token id. The decoder *ties* its embeddings:
# the same matrix, transposed, turns the last hidden state into logits, so its rows are shaped by what the model
# reads and by what it predicts. MiniLM's table only feeds the encoder.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

BERT_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
DECODER_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
bert_tokenizer = AutoTokenizer.from_pretrained(BERT_NAME)
decoder_tokenizer = AutoTokenizer.from_pretrained(DECODER_NAME)
bert = AutoModel.from_pretrained(BERT_NAME)
decoder = AutoModelForCausalLM.from_pretrained(DECODER_NAME)

tables = {
    "MiniLM (WordPiece, uncased)": (
        bert.get_input_embeddings().weight.detach(),
        bert_tokenizer,
        "",
    ),
    "SmolLM2 (byte-level BPE)": (
        decoder.get_input_embeddings().weight.detach(),
        decoder_tokenizer,
        " ",
    ),
}
for name, (table, _, _) in tables.items():
    print(f"{name}: {table.shape[0]:,} tokens x {table.shape[1]} dimensions")
assert (
    decoder.get_output_embeddings().weight.data_ptr()
    == decoder.get_input_embeddings().weight.data_ptr()
)

# %%
# ## Neighbours of five words
#
# For each word we look up its single token (in the decoder, the version with a leading space, as the word
# appears inside a sentence) and rank all other tokens by cosine similarity. Each neighbour gets one of three
# labels:
#
# * **same word, other case or spacing** (e.g. "␣King" or "king" for "␣king"): only possible in the decoder,
#   whose vocabulary keeps case and spaces. MiniLM lowercases everything, so "King" and "king" are one token.
# * **another form of the word** (shares its first four letters, or one contains the other): "kings", "happier",
#   "unhappy";
# * **a different word**: "queen", "London", "four".
#
# The labels come from a spelling rule, so an irregular form such as "ran" counts as a different word.
#
# In MiniLM most neighbours are different but related words: "king" sits next to "queen", "monarch" and
# "prince"; "paris" next to "france", "london" and other cities. In the decoder, more than a quarter of all the
# neighbours are spellings of the word itself, and for most of the five words the very closest token is one of
# them ("␣King" for "␣king", "Paris" for "␣Paris"); the related words come after. Both tables group tokens by
# meaning *and* by form: MiniLM's neighbours of "running" include "ran" and "jogging" as well as "runs". The
# dotted line in each panel is the average cosine of two *random* tokens in that table (for MiniLM it sits at
# almost 0); the last section explains why it matters.

words = ["king", "Paris", "running", "three", "happy"]
top_n = 8


def canonical(token):
    """Lowercase, without the leading-space marker or the '##' continuation
    marker."""
    return token.replace("##", "").strip().lower()


def kind(query, neighbour):
    q, n = canonical(query), canonical(neighbour)
    if q == n:
        return "same word, other case or spacing"
    if q in n or n in q or (len(q) >= 4 and q[:4] == n[:4]):
        return "another form of the word"
    return "a different word"


kinds = [
    "same word, other case or spacing",
    "another form of the word",
    "a different word",
]
kind_colors = dict(zip(kinds, ["tab:orange", "tab:green", "tab:blue"]))
# (model, word) -> list of (token text, cosine, kind); the query as shown
neighbours, queries = {}, {}
for name, (table, tokenizer, space) in tables.items():
    unit = torch.nn.functional.normalize(table, dim=-1)
    for word in words:
        text = space + (word.lower() if name.startswith("MiniLM") else word)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1, f"{text!r} is not a single token"
        cosine = unit @ unit[ids[0]]
        cosine[ids[0]] = -1  # not its own neighbour
        values, indices = cosine.topk(top_n)
        found = []
        for value, index in zip(values.tolist(), indices.tolist()):
            token = (
                tokenizer.decode([index])
                if space
                else tokenizer.convert_ids_to_tokens(index)
            )
            found.append((token.replace(" ", "␣"), value, kind(text, token)))
        neighbours[name, word], queries[name, word] = (
            found,
            text.replace(" ", "␣"),
        )
        print(
            f"{name[:7]:>7s} {text!r:>10s}: "
            + ", ".join(f"{t} {v:.2f}" for t, v, _ in found)
        )

share = {
    name: np.mean(
        [k == kinds[0] for word in words for _, _, k in neighbours[name, word]]
    )
    for name in tables
}
minilm, smollm = tables
print(
    ", ".join(
        f"{name}: {s:.0%} of the neighbours are the same word in another case "
        "or spacing"
        for name, s in share.items()
    )
)
assert share[minilm] == 0 and share[smollm] > 0.25, share
assert [t for t, _, _ in neighbours[minilm, "king"][:4]] == [
    "kings",
    "queen",
    "monarch",
    "prince",
]
assert {"france", "london"} <= {
    t for t, _, _ in neighbours[minilm, "Paris"][:3]
}
assert {"␣ran", "␣runs"} <= {t for t, _, _ in neighbours[smollm, "running"]}
assert {"ran", "runs", "jogging"} <= {
    t for t, _, _ in neighbours[minilm, "running"]
}
closest_is_variant = [
    w for w in words if neighbours[smollm, w][0][2] == kinds[0]
]
assert len(closest_is_variant) >= 3 and {"king", "Paris"} <= set(
    closest_is_variant
), closest_is_variant


def random_pair_cosines(table, centred=False, pairs=5000):
    """Cosine similarity of `pairs` random pairs of rows (the same seeded pairs
    on every call)."""
    i, j = torch.randint(
        0, len(table), (2, pairs), generator=torch.Generator().manual_seed(0)
    )
    vectors = table - table.mean(0) if centred else table
    unit = torch.nn.functional.normalize(vectors, dim=-1)
    return (unit[i] * unit[j]).sum(-1).numpy()


fig, axes = plt.subplots(
    len(words), 2, figsize=(6.8, 8.4), constrained_layout=True
)
for row, word in enumerate(words):
    for col, name in enumerate(tables):
        ax = axes[row, col]
        found = neighbours[name, word]
        ax.barh(
            range(top_n),
            [v for _, v, _ in found],
            color=[kind_colors[k] for _, _, k in found],
        )
        ax.set_yticks(
            range(top_n),
            [t for t, _, _ in found],
            fontsize=8,
            family="DejaVu Sans Mono",
        )
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.tick_params(axis="x", labelsize=8)
        ax.axvline(
            random_pair_cosines(tables[name][0]).mean(),
            color="grey",
            ls=":",
            lw=1.2,
        )
        ax.set_title(
            f"{name.split(' ')[0]}: '{queries[name, word]}'", fontsize=9
        )
axes[-1, 0].set_xlabel("cosine similarity", fontsize=9)
axes[-1, 1].set_xlabel("cosine similarity", fontsize=9)
handles = [plt.Rectangle((0, 0), 1, 1, color=kind_colors[k]) for k in kinds]
fig.legend(handles, kinds, loc="outside lower center", ncol=3, fontsize=8)
plt.show()

# %%
# ## A cosine needs a baseline
#
# The bars above start at 0, but 0 is not what unrelated tokens score in both models. Below: the cosine similarity
# of 5,000 random pairs of tokens in each table. MiniLM's vectors point every which way, and random pairs sit
# near 0. The decoder's vectors share a large common direction: the mean embedding is about two thirds as long as a
# typical embedding, and two random tokens have a cosine of about 0.44 on average. A cosine of 0.6 between two
# decoder tokens is therefore much weaker evidence than 0.6 in MiniLM. Subtracting the mean vector before
# comparing (dashed) removes the shared direction: the random pairs drop back to about 0.

fig, ax = plt.subplots(figsize=(6.8, 2.8), constrained_layout=True)
baseline = {}
for (name, (table, _, _)), color in zip(
    tables.items(), ["tab:purple", "tab:cyan"]
):
    for centred in (False, True):
        cos = random_pair_cosines(table, centred)
        baseline[name, centred] = cos.mean()
        ax.hist(
            cos,
            bins=80,
            range=(-0.4, 1),
            histtype="step",
            lw=1.4,
            color=color,
            ls="--" if centred else "-",
            label=(
                f"{name.split(' ')[0]}{', mean removed' if centred else ''}"
                f": mean {cos.mean():.2f}"
            ),
        )
    ratio = (table.mean(0).norm() / table.norm(dim=-1).mean()).item()
    print(
        f"{name}: |mean embedding| / mean |embedding| = {ratio:.2f}; "
        f"random-pair cosine {baseline[name, False]:.2f}, "
        f"after removing the mean {baseline[name, True]:.2f}"
    )
    if name == smollm:
        assert 0.55 < ratio < 0.8, ratio
assert (
    abs(baseline[minilm, False]) < 0.05
    and 0.35 < baseline[smollm, False] < 0.55
), baseline
assert abs(baseline[smollm, True]) < 0.05, baseline
ax.set_xlabel("cosine similarity of two random tokens")
ax.set_ylabel("pairs")
ax.legend(fontsize=8, loc="upper right")
plt.show()

# %%
# ## What neighbours do and do not show
#
# * **Form as much as meaning.** In a cased, space-marking vocabulary, the closest tokens are often the same word
#   spelled differently. That is useful (the model treats "␣King" and "␣king" as nearly interchangeable at the
#   input) but it is not semantics.
# * **Input embeddings are context-free.** "bank" has one vector for rivers and money alike; the layers above
#   separate the senses. Neighbours in the hidden states (see the hidden-states section) answer a different
#   question.
# * **Only single tokens.** A word the tokenizer splits into pieces has no vector of its own here; averaging the
#   pieces is a rough stand-in.
# * **Rare tokens are poorly trained.** Tokens that occur seldom in training keep vectors close to their random
#   start, and their neighbours are noise. All five words here are common.
# * **Read cosines against the baseline.** Compare a neighbour's cosine with what random pairs get in the same
#   table, or remove the mean first; the two models differ by about 0.4 here before anything is said about meaning.
