"""
# WordPiece against byte-level BPE

The same strings cut into tokens by MiniLM's WordPiece and the decoder's byte-level BPE: numbers, rare words, case, spaces and symbols.

A model never sees characters, only token ids, so every later page of this gallery starts from these cuts. In the
first figure each example string gets two rows of boxes, one box per token: WordPiece above, BPE below, with the
number of tokens at the end of each row. Read a row left to right as the model reads it. The second figure
measures how many characters each tokenizer packs into a token on different kinds of text.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## Two tokenizers
#
# * **WordPiece** (Schuster & Nakajima, 2012, "Japanese and Korean Voice Search"; used by BERT, Devlin et al., 2019)
#   first *normalizes* the text: MiniLM's tokenizer is the uncased BERT one, so it lowercases, strips accents and
#   splits on whitespace and punctuation. Then it cuts each word greedily into the longest pieces in its vocabulary;
#   `##` marks a piece that continues a word. A character it has never seen becomes `[UNK]`.
# * **Byte-level BPE** (Sennrich et al., 2016, "Neural Machine Translation of Rare Words with Subword Units";
#   byte-level as in GPT-2, Radford et al., 2019) works on the UTF-8 *bytes* of the raw text. Nothing is
#   normalized: case, accents and spaces are part of the tokens, and a space is usually glued to the *front* of the
#   next word (shown as `␣` below). Every byte is in the vocabulary, so no input is ever unknown.
#
# Only the tokenizers are needed for this page; no model is loaded. `add_special_tokens=False` leaves out BERT's
# `[CLS]` and `[SEP]`, so both sides show only the text's own tokens.

import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch
from transformers import AutoTokenizer

BERT_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
DECODER_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
wordpiece = AutoTokenizer.from_pretrained(BERT_NAME)
bpe = AutoTokenizer.from_pretrained(DECODER_NAME)
print(
    f"WordPiece vocabulary: {len(wordpiece):,} tokens; byte-level BPE "
    f"vocabulary: {len(bpe):,} tokens"
)


def wordpiece_tokens(text):
    return wordpiece.convert_ids_to_tokens(
        wordpiece(text, add_special_tokens=False)["input_ids"]
    )


def bpe_tokens(text):
    """The BPE tokens of `text` as readable strings.

    In a byte-level vocabulary every symbol of a token's stored string stands
    for one byte, so the token's length tells how many bytes of the UTF-8 text
    it covers. Bytes that are not a whole character are shown in hex.
    """
    ids = bpe(text, add_special_tokens=False)["input_ids"]
    data, start, pieces = text.encode("utf-8"), 0, []
    for stored in bpe.convert_ids_to_tokens(ids):
        chunk = data[start : start + len(stored)]
        start += len(stored)
        try:
            pieces.append(
                chunk.decode("utf-8").replace(" ", "␣").replace("\n", "\\n")
            )
        except UnicodeDecodeError:
            pieces.append("<" + chunk.hex(" ").upper() + ">")
    assert start == len(data), "the tokens cover the text's bytes exactly"
    return pieces


# %%
# ## Side by side
#
# What to look for, example by example:
#
# * **Numbers.** WordPiece keeps "234" as one token; this BPE vocabulary has no multi-digit tokens at all, so the
#   decoder reads every digit on its own, and a space before a digit becomes a token of its own (last example).
#   Splitting numbers into digits gives arithmetic a consistent place value; chunks like "234" and "56" do not
#   line up with digit positions.
# * **Rare words** fall apart into pieces in both, at different places.
# * **Case.** After lowercasing, WordPiece gives "Hello", "hello" and "HELLO" the *same* id. BPE has a different
#   token for "Hello" and "␣hello", and breaks the capitals "␣HELLO" into three rarer pieces.
# * **Spaces.** WordPiece drops all whitespace. BPE keeps it: the indentation of the code line is a token, and
#   "␣return" (with its space) is a different token from "return".
# * **Accents.** WordPiece strips them ("café" becomes "cafe"); BPE keeps them and splits "Zürich" around the ü.
# * **Symbols.** "∑" is not in the WordPiece vocabulary and becomes `[UNK]`, and the model sees the same id as for
#   any other unknown character. BPE falls back to the two-byte pieces of its UTF-8 code (shown in hex).

examples = [
    "$1,234.56",
    "antidisestablishmentarianism",
    "Hello hello HELLO",
    "    return x**2",
    "naïve café in Zürich",
    "∑ x² ≥ 0",
]
rows = [(text, wordpiece_tokens(text), bpe_tokens(text)) for text in examples]
for text, wp, bp in rows:
    print(
        f"{text!r}\n  WordPiece ({len(wp):2d}): {' | '.join(wp)}\n  BPE       "
        f"({len(bp):2d}): {' | '.join(bp)}"
    )

price_wp, price_bpe = rows[0][1], rows[0][2]
assert "234" in price_wp and len(price_wp) == 6 and len(price_bpe) == 9, (
    price_wp,
    price_bpe,
)
digit_tokens = [
    t
    for _, _, bp in rows
    for t in bp
    if not t.startswith("<") and any(c in "0123456789" for c in t)
]
# every digit alone, not even with a space
assert all(len(t) == 1 for t in digit_tokens), digit_tokens
assert rows[5][2][-2:] == ["␣", "0"], rows[5][2]
assert (
    len(
        {
            tuple(wordpiece(w, add_special_tokens=False)["input_ids"])
            for w in ["Hello", "hello", "HELLO"]
        }
    )
    == 1
)
assert rows[2][2] == ["Hello", "␣hello", "␣H", "EL", "LO"], rows[2][2]
assert (
    wordpiece_tokens("    return") == wordpiece_tokens("return")
    and bpe_tokens("    return")[0] == "␣␣␣"
)
assert bpe(" return")["input_ids"] != bpe("return")["input_ids"]
assert "cafe" in rows[4][1] and "␣café" in rows[4][2] and "ü" in rows[4][2]
assert rows[5][1][0] == "[UNK]" and rows[5][2][:2] == ["<E2 88>", "<91>"], (
    rows[5]
)

# %%
# The boxes are drawn in a monospaced font, one character wide per character, so a long box is a long token.

CHAR = 1.0  # one character in data units
colors = plt.cm.tab10(np.arange(10))


def draw_row(ax, y, tokens, x0):
    x = x0
    for i, token in enumerate(tokens):
        width = len(token) * CHAR + 0.6
        color = colors[i % 10]
        ax.add_patch(
            FancyBboxPatch(
                (x, y - 0.32),
                width,
                0.64,
                boxstyle="round,pad=0,rounding_size=0.15",
                facecolor=(*color[:3], 0.25),
                edgecolor=color,
                lw=1,
            )
        )
        ax.text(
            x + width / 2,
            y,
            token,
            ha="center",
            va="center",
            family="DejaVu Sans Mono",
            fontsize=8.5,
        )
        x += width + 0.3
    ax.text(
        x + 0.5,
        y,
        f"{len(tokens)}",
        ha="left",
        va="center",
        fontsize=8.5,
        color="dimgray",
    )
    return x


label_width = 11
fig, axes = plt.subplots(2, 1, figsize=(6.8, 7.4), constrained_layout=True)
right = 0.0
# two panels of three examples
for ax, group in zip(axes, [rows[:3], rows[3:]]):
    y = 0.0
    for text, wp, bp in group:
        ax.text(
            0,
            y,
            repr(text),
            ha="left",
            va="center",
            fontsize=9.5,
            family="DejaVu Sans Mono",
            weight="bold",
        )
        for name, tokens in [("WordPiece", wp), ("BPE", bp)]:
            y -= 0.85
            ax.text(
                label_width - 1, y, name, ha="right", va="center", fontsize=8.5
            )
            right = max(right, draw_row(ax, y, tokens, label_width))
        y -= 1.15
    ax.set_ylim(y + 0.6, 0.6)
    ax.axis("off")
for ax in axes:
    ax.set_xlim(0, right + 2.5)
fig.suptitle(
    "Token boundaries; the number after each row counts its tokens",
    fontsize=10,
)
plt.show()

# %%
# ## Characters per token, by kind of text
#
# How much text fits in one token decides how far a fixed context window reaches and how many steps the model
# takes per sentence. The bars give characters per token on five short texts:
#
# * **English** prose packs about four characters into a token with either tokenizer.
# * **Numbers** cost BPE more than WordPiece: one digit per token, under two characters per token overall.
# * **Python** costs both about the same, but WordPiece gets there by throwing the indentation and line breaks
#   away, which in Python carry meaning.
# * **Russian** falls apart into single letters or pairs in both: both vocabularies were built mostly from English
#   text, and other scripts get few merges.
# * **Emoji**: WordPiece looks efficient only because each run of emoji becomes one `[UNK]`, cheap and useless.
#   BPE spends several byte tokens per emoji but keeps them.
#
# Only BPE can turn its tokens back into the exact input; WordPiece's normalization is one-way.

texts = {
    "English": (
        "The quick brown fox jumps over the lazy dog, and then it runs back "
        "into the forest."
    ),
    "numbers": (
        "Order 40213: 3 items at $19.99, total $59.97, paid on 2026-11-25."
    ),
    "Python": "def mean(values):\n    return sum(values) / len(values)\n",
    "Russian": "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "emoji": "Great job 🎉🎉 see you soon 👋🙂",
}
chars_per_token = {"WordPiece": [], "BPE": []}
for kind, text in texts.items():
    n_wp = len(wordpiece(text, add_special_tokens=False)["input_ids"])
    n_bpe = len(bpe(text, add_special_tokens=False)["input_ids"])
    n_unk = wordpiece_tokens(text).count("[UNK]")
    chars_per_token["WordPiece"].append(len(text) / n_wp)
    chars_per_token["BPE"].append(len(text) / n_bpe)
    round_trip = (
        bpe.decode(bpe(text, add_special_tokens=False)["input_ids"]) == text
    )
    wp_round_trip = (
        wordpiece.decode(
            wordpiece(text, add_special_tokens=False)["input_ids"]
        )
        == text
    )
    print(
        f"{kind:>8s}: {len(text):3d} characters, WordPiece {n_wp:3d} tokens "
        f"({n_unk} [UNK]), BPE {n_bpe:3d} tokens; "
        f"exact round trip: WordPiece {wp_round_trip}, BPE {round_trip}"
    )
    assert round_trip and not wp_round_trip

cpt = {k: np.array(v) for k, v in chars_per_token.items()}
kinds = list(texts)
english, numbers, python, russian, emoji = (kinds.index(k) for k in texts)
assert all(3.5 < cpt[k][english] < 5.5 for k in cpt), cpt
assert cpt["BPE"][numbers] < 2 < cpt["WordPiece"][numbers], cpt
assert abs(cpt["BPE"][python] - cpt["WordPiece"][python]) < 0.6, cpt
assert all(cpt[k][russian] < 1.5 for k in cpt), cpt
assert (
    wordpiece_tokens(texts["emoji"]).count("[UNK]") >= 2
    and cpt["WordPiece"][emoji] > 1.5 * cpt["BPE"][emoji]
)

fig, ax = plt.subplots(figsize=(6.8, 3.0), constrained_layout=True)
x = np.arange(len(kinds))
for offset, (name, values) in zip([-0.2, 0.2], cpt.items()):
    bars = ax.bar(x + offset, values, 0.4, label=name)
    ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
ax.set_xticks(x, kinds)
ax.set_ylabel("characters per token")
ax.set_ylim(0, cpt["BPE"].max() * 1.25)
ax.legend(fontsize=8.5, loc="upper right")
ax.set_title("How much text one token carries", fontsize=10)
plt.show()

# %%
# ## Caveats
#
# * **Token counts are not word counts.** Compare models on the same text in tokens, but compare their context
#   lengths in characters or words: a 512-token WordPiece window and a 512-token BPE window hold different amounts
#   of text.
# * **Spaces matter to BPE.** "␣Paris" and "Paris" are different tokens with different embeddings. When you ask a
#   decoder for the probability of a word, include the space the word would have in running text; the pages of
#   the decoder section do.
# * **Normalization is a choice of the checkpoint, not of WordPiece.** Cased BERT models keep case and accents;
#   MiniLM here is uncased. Read `tokenizer.backend_tokenizer.normalizer` to see what yours does.
# * **Few examples.** Five short texts give a feel for the differences, not a benchmark of either tokenizer.
