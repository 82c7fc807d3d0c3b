"""
# Head statistics: every head of every layer at a glance

Summarize every attention head by a few numbers and draw them as layer × head maps, to sort the heads into types at a glance.

The numbers say how spread out a head's attention is, how far it looks, and how much of it lands on `[CLS]`, `[SEP]` and punctuation. Looking at heatmaps one head at a time does not scale. These statistics, in the spirit of Clark et al. (2019), "What does BERT look at?", sort the heads into broad types at a glance. They are averaged over every token of several sentences, so that they describe the head rather than one sentence.
"""

# gallery_thumbnail_number = 2
# gallery_thumbnail_panel = 1

# %%
# ## Load the model

import os
import string

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager attention, needed for attention weights
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()

n_layers = model.config.num_hidden_layers
n_heads = model.config.num_attention_heads
print(f"{MODEL_NAME}: {n_layers} layers x {n_heads} heads per layer")

# %%
# ## The statistics
#
# For every head and every query token `q`, with attention weights `a[q, k]`
# over the `n` keys of its sentence:
#
# * **normalized entropy**: `-sum_k a[q, k] log a[q, k] / log n`. It is 0 when
#   all the weight is on one key and 1 when the weight is spread evenly, so
#   sentences of different lengths can be averaged together;
# * **mean attention distance**: `sum_k a[q, k] |q - k|`, in tokens. A
#   previous-token head scores about 1; attending evenly to a sentence of `n`
#   tokens scores about `n / 3`, and attending only to `[CLS]` at position 0
#   about `n / 2`;
# * **share on `[CLS]`**, **on `[SEP]`** and **on punctuation**: the total
#   weight on those keys.
#
# Each statistic is averaged over all query tokens of all the sentences below.
# The sentences are run one at a time, so there is no padding to mask out.

sentences = [
    "The quick brown fox jumps over the lazy dog.",
    "After a long winter, the river finally thawed, and the boats returned to "
    "the harbor.",
    "She said she would call back later, but the phone never rang.",
    "Researchers trained a small model on millions of sentences; it learned "
    "to group similar meanings.",
    "Where did you put the keys, and why is the front door still open?",
]

sums = {
    name: np.zeros((n_layers, n_heads))
    for name in ["entropy", "distance", "cls", "sep", "punct"]
}
n_queries = 0
# what uniform attention would score
uniform = {"distance": 0.0, "cls": 0.0, "sep": 0.0, "punct": 0.0}
only_cls_distance = 0.0  # the distance of a head that attends only to [CLS]
for sentence in sentences:
    inputs = tokenizer(sentence, return_tensors="pt")
    ids = inputs["input_ids"][0]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    n = len(tokens)
    with torch.no_grad():
        # (layer, head, query, key)
        attention = torch.stack(model(**inputs).attentions)[:, 0]

    position = torch.arange(n)
    distance = (position[:, None] - position[None, :]).abs().float()  # |q - k|
    is_cls = ids == tokenizer.cls_token_id
    is_sep = ids == tokenizer.sep_token_id
    is_punct = torch.tensor(
        [all(ch in string.punctuation for ch in t) for t in tokens]
    )

    entropy = -(attention * torch.log(attention.clamp_min(1e-12))).sum(
        -1
    ) / np.log(n)
    # sum over the query tokens here, divide by the total count at the end
    sums["entropy"] += entropy.sum(-1).numpy()
    sums["distance"] += (attention * distance).sum(-1).sum(-1).numpy()
    sums["cls"] += attention[..., is_cls].sum(-1).sum(-1).numpy()
    sums["sep"] += attention[..., is_sep].sum(-1).sum(-1).numpy()
    sums["punct"] += attention[..., is_punct].sum(-1).sum(-1).numpy()
    n_queries += n
    uniform["distance"] += distance.mean(-1).sum().item()
    only_cls_distance += distance[:, 0].sum().item()
    uniform["cls"] += is_cls.sum().item()  # n queries x (count / n)
    uniform["sep"] += is_sep.sum().item()
    uniform["punct"] += is_punct.sum().item()

stats = {name: total / n_queries for name, total in sums.items()}
uniform = {name: total / n_queries for name, total in uniform.items()}
only_cls_distance /= n_queries
mean_length = n_queries / len(sentences)
print(
    f"{len(sentences)} sentences, {n_queries} query tokens in all "
    f"({mean_length:.1f} per sentence)"
)
print(
    "a head attending uniformly would score: entropy 1.00, "
    f"distance {uniform['distance']:.1f} tokens, [CLS] {uniform['cls']:.2f}, "
    f"[SEP] {uniform['sep']:.2f}, punctuation {uniform['punct']:.2f}"
)
print(
    "a head attending only to [CLS] would score a distance of "
    f"{only_cls_distance:.1f} tokens"
)
assert 0.8 < uniform["distance"] / (mean_length / 3) < 1.2  # about n / 3
assert 0.8 < only_cls_distance / (mean_length / 2) < 1.2  # about n / 2

# %%
# ## How spread out, and how far
#
# Each cell is one head: rows are layers, columns are heads.
#
# With the default all-MiniLM-L6-v2, exactly one head has entropy near 0 and
# a distance near 1: the previous-token head of the first layer. The other
# heads of the first layer, and those of the last layer, are the most spread
# out (on average over each layer). The lowest entropies elsewhere are in
# layers 1 and 2, where many heads concentrate on `[CLS]` (next figure).
#
# The distance map is less telling than it looks. Attending evenly scores
# about a third of the sentence length, attending only to `[CLS]` at
# position 0 about half of it (both printed above), and heads that mix the
# two land in between: most cells of the map show similar values of 5 to 7.5
# tokens. Distance is informative mainly at the low end, where it finds local
# heads.

entropy, distance = stats["entropy"], stats["distance"]
sharp = np.argwhere(entropy < 0.2)
# exactly one head, in the first layer ...
assert len(sharp) == 1 and sharp[0][0] == 0, sharp
previous_head = tuple(sharp[0])
# ... with a distance near 1
assert distance[previous_head] < 1.2, distance[previous_head]
layer_mean = entropy.mean(axis=1)
# the first layer without that head
layer_mean[0] = np.delete(entropy[0], previous_head[1]).mean()
assert min(layer_mean[0], layer_mean[-1]) > layer_mean[1:-1].max(), layer_mean
others = entropy.copy()
others[previous_head] = np.inf
lowest_layers = np.unravel_index(
    np.argsort(others, axis=None)[:4], others.shape
)[0]
# the four lowest entropies after it
assert set(lowest_layers) <= {1, 2}, lowest_layers
in_band = ((distance >= 5) & (distance <= 7.5)).mean()
print(f"share of heads with a mean distance of 5 to 7.5 tokens: {in_band:.0%}")
assert in_band > 0.8, in_band


def layer_head_map(ax, values, title, label, fmt, cmap, vmin=None, vmax=None):
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(n_heads))
    ax.set_yticks(range(n_layers))
    ax.set_xlabel("head")
    ax.set_ylabel("layer")
    ax.set_title(title, fontsize=10)
    low, high = image.get_clim()
    for layer in range(n_layers):
        for head in range(n_heads):
            value = values[layer, head]
            dark_cell = (value - low) / (high - low + 1e-12) < 0.6
            ax.text(
                head,
                layer,
                format(value, fmt),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark_cell else "black",
            )
    plt.colorbar(image, ax=ax, label=label, pad=0.01)


fig, axes = plt.subplots(
    2, 1, figsize=(6.8, 2 * (0.34 * n_layers + 1.1)), layout="constrained"
)
layer_head_map(
    axes[0],
    stats["entropy"],
    "Normalized attention entropy (0 = one key, 1 = uniform)",
    "normalized entropy",
    ".2f",
    "viridis",
    0,
    1,
)
layer_head_map(
    axes[1],
    stats["distance"],
    "Mean attention distance",
    "tokens",
    ".1f",
    "magma",
)
plt.show()

# %%
# ## Where the attention lands
#
# The share of each head's attention that goes to `[CLS]`, to `[SEP]` and to
# punctuation tokens, on one shared 0-to-1 scale. Compare each cell with what
# uniform attention would score (printed above).
#
# With the default model, `[CLS]` is the dominant target: in the middle layers
# about half of the heads send more than half of their
# attention there, far above the uniform share. `[SEP]` draws little attention
# in every head (less than 0.2), and one head in the middle of the stack stands
# out for punctuation, with more than twice the share of any other head. This differs from
# bert-base-uncased, where Clark et al. found `[SEP]` to be the main sink of
# the middle layers: which token serves as the sink is a property of the
# trained model, not of the architecture.

fig, axes = plt.subplots(
    3, 1, figsize=(6.8, 3 * (0.34 * n_layers + 1.1)), layout="constrained"
)
for ax, (name, title) in zip(
    axes,
    [
        ("cls", "Share of attention on [CLS]"),
        ("sep", "Share of attention on [SEP]"),
        ("punct", "Share of attention on punctuation"),
    ],
):
    layer_head_map(ax, stats[name], title, "share", ".2f", "viridis", 0, 1)
plt.show()

middle_layers = stats["cls"][1:-1]
print(
    f"middle-layer heads with more than half of their attention on [CLS]: "
    f"{(middle_layers > 0.5).sum()} of {middle_layers.size}"
)
assert 0.35 < (middle_layers > 0.5).mean() < 0.65, middle_layers  # about half
assert stats["sep"].max() < 0.2, stats["sep"].max()
punct_order = np.argsort(stats["punct"], axis=None)[::-1]
punct_layer = punct_order[0] // n_heads
assert 0 < punct_layer < n_layers - 1, punct_layer  # a middle layer
assert (
    stats["punct"].flat[punct_order[0]]
    > 2 * stats["punct"].flat[punct_order[1]]
)

# %%
# ## The most extreme heads
#
# The same numbers as a list: for each statistic, the heads with the highest
# values. This is a good starting point for the interactive views, where you
# can look at what a specific head does token by token.

for name, description in [
    ("cls", "share on [CLS]"),
    ("sep", "share on [SEP]"),
    ("punct", "share on punctuation"),
]:
    order = np.argsort(stats[name], axis=None)[::-1][:3]
    top = ", ".join(
        f"layer {i // n_heads} head {i % n_heads} ({stats[name].flat[i]:.2f})"
        for i in order
    )
    print(f"highest {description}: {top}")
order = np.argsort(stats["distance"], axis=None)[:3]
print(
    "shortest mean distance:",
    ", ".join(
        f"layer {i // n_heads} head {i % n_heads} "
        f"({stats['distance'].flat[i]:.2f} tokens)"
        for i in order
    ),
)

# %%
# ## Caveats
#
# * Averages hide structure: a head that attends to the previous token for
#   nouns and to `[CLS]` for everything else gets middling numbers.
# * Five sentences are a small sample. The broad types (positional, sink,
#   broad) are stable; the exact numbers are not.
# * Mean distance is capped by sentence length, and large distances mostly mean
#   "attends to `[CLS]` or `[SEP]`", which sit at the ends of the sentence.
