"""
# One method, three models: attention sinks in MiniLM, SmolLM2 and Gemma 3

The same measurement on an encoder, a grouped-query decoder and a
multi-query, sliding-window decoder: how much attention lands on the first
token, layer by layer.

Many heads put most of their attention on one token that carries little
meaning: BERT's `[SEP]` and `[CLS]` (Clark et al., 2019, "What Does BERT Look
At? An Analysis of BERT's Attention",
[arXiv:1906.04341](https://arxiv.org/abs/1906.04341)), the first token of a
decoder's input (Xiao et al., 2023, "Efficient Streaming Language Models with
Attention Sinks", [arXiv:2309.17453](https://arxiv.org/abs/2309.17453)).
Softmax weights must sum to one, so a head with nothing to read parks its
attention on such an *attention sink*. This page runs the same sentence
through all three models of the gallery and measures, for every layer, the
share of attention on the first position, averaged over heads and over the
queries after it; for MiniLM it also measures the final `[SEP]`.
"""

# gallery_thumbnail_number = 1

# %%
# ## Load the three models and run one sentence
#
# Each tokenizer adds its own special tokens: MiniLM puts `[CLS]` first and
# `[SEP]` last, Gemma 3 puts `<bos>` first, and SmolLM2 adds nothing, so its
# first position holds the first word.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

NAMES = {
    "MiniLM": os.environ.get(
        "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
    ),
    "SmolLM2": os.environ.get(
        "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
    ),
    "Gemma 3": os.environ.get("GALLERY_GEMMA_MODEL", "google/gemma-3-270m"),
}
sentence = "The quick brown fox jumps over the lazy dog near the river bank."

first, last, tokens = {}, {}, {}
for label, name in NAMES.items():
    auto = AutoModel if label == "MiniLM" else AutoModelForCausalLM
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = auto.from_pretrained(name, attn_implementation="eager")
    model.eval()
    inputs = tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        outputs = model(**inputs, output_attentions=True)
    attention = torch.stack([a[0] for a in outputs.attentions]).float()
    # queries 1.. only: in a decoder, query 0 can read nothing but itself
    first[label] = attention[:, :, 1:, 0].mean((1, 2)).numpy()
    last[label] = attention[:, :, 1:, -1].mean((1, 2)).numpy()
    if label == "Gemma 3":
        first_global_layer = model.config.layer_types.index("full_attention")
    tokens[label] = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
    print(
        f"{label:8s} {len(tokens[label])} tokens: first {tokens[label][0]!r}"
        f", last {tokens[label][-1]!r}; {len(first[label])} layers"
    )
assert [t[0] for t in tokens.values()] == ["[CLS]", "The", "<bos>"]
assert tokens["MiniLM"][-1] == "[SEP]"

# %%
# ## Attention on the first position, layer by layer
#
# The x axis is depth as a fraction of each model's layers, so that 6, 30 and
# 18 layers line up. Read each line as "how much of a layer's attention goes
# to position 0".
#
# All three models do it. Averaged over layers, position 0 takes about half
# of all attention in each: 0.47 in MiniLM, 0.60 in SmolLM2, 0.58 in Gemma 3,
# whether it holds a special token (`[CLS]`, `<bos>`) or the word "The"
# (SmolLM2): the first-position sink does not need a special token. The layers
# differ: SmolLM2 has a dip in layers 10 and 11 (0.09 in layer 11), and
# Gemma's strongest sink is its first global layer, layer 5 (0.90). MiniLM's
# final `[SEP]`, which Clark et al. found to be the main sink in the middle of
# BERT-base, takes less than 0.1 in every layer of this distilled,
# sentence-embedding model: sinks are a habit of training, not a law.

for label in NAMES:
    print(
        f"{label:8s} first position: "
        + " ".join(f"{x:.2f}" for x in first[label])
    )
print("MiniLM   [SEP]: " + " ".join(f"{x:.2f}" for x in last["MiniLM"]))

fig, ax = plt.subplots(figsize=(6.8, 4.4), layout="constrained")
colours = plt.get_cmap("viridis")([0.1, 0.5, 0.85])
for colour, (label, share) in zip(colours, first.items()):
    depth = np.arange(len(share)) / (len(share) - 1)
    ax.plot(
        depth,
        share,
        "o-",
        color=colour,
        markersize=4,
        label=f"{label}: first token {tokens[label][0]}",
    )
depth = np.arange(len(last["MiniLM"])) / (len(last["MiniLM"]) - 1)
ax.plot(
    depth,
    last["MiniLM"],
    "s--",
    color=colours[0],
    markersize=4,
    label="MiniLM: last token [SEP]",
)
means = {label: float(share.mean()) for label, share in first.items()}
print("mean over layers:", {k: round(v, 2) for k, v in means.items()})
expected = {"MiniLM": 0.47, "SmolLM2": 0.60, "Gemma 3": 0.58}
assert all(abs(means[k] - v) < 0.02 for k, v in expected.items()), means
assert int(first["SmolLM2"].argmin()) == 11
assert abs(first["SmolLM2"][11] - 0.09) < 0.02
assert int(first["Gemma 3"].argmax()) == 5 == first_global_layer
assert abs(first["Gemma 3"][5] - 0.90) < 0.02
assert (last["MiniLM"] < 0.1).all()
ax.set_xlabel("depth (layer / last layer)")
ax.set_ylabel("share of attention\n(mean over heads and queries)")
ax.set_ylim(0, 1)
ax.set_title("Attention sinks in three architectures")
fig.legend(fontsize=9, loc="outside lower center", ncol=2)
plt.show()

# %%
# ## Assumptions and failure modes
#
# * **One sentence.** The shares move with the text; they are measurements on
#   this sentence, not constants of the models.
# * **A share of attention is not a share of influence.** A sink's value
#   vector is often small, so heavy attention on it can mean "do nothing"
#   (Xiao et al.; Clark et al.). Attention maps show where a head reads, not
#   what it writes.
# * **Sliding windows and sinks.** On prompts longer than Gemma 3's 512-token
#   window, its local layers cannot see position 0 at all (see the first page
#   of this section).
# * **Different tokenizers, different positions.** The three models split the
#   sentence into different tokens, so the same position holds different text;
#   only the first and last positions are compared.
# * **Quantized weights.** The two decoders' weights went through 4-bit GGUF
#   quantization (see the models page).
