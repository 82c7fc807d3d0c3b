"""
# One key/value head: multi-query, grouped-query and multi-head attention

Gemma 3 270M's four query heads share one key/value head; SmolLM2 shares
three among nine; MiniLM gives every head its own. The page compares the
projections, the key/value cache they imply, the attention maps, and the
three vocabularies.

In the original Transformer every attention head has its own query, key and
value projections: *multi-head attention* (MHA). During generation the keys
and values of every past token are kept in the *KV cache*, and reading that
cache dominates the cost of each new token. *Multi-query attention* (MQA;
Shazeer, 2019, "Fast Transformer Decoding: One Write-Head is All You Need",
[arXiv:1911.02150](https://arxiv.org/abs/1911.02150)) keeps many query heads
but only one key head and one value head. *Grouped-query attention* (GQA;
Ainslie et al., 2023, "GQA: Training Generalized Multi-Query Transformer
Models from Multi-Head Checkpoints",
[arXiv:2305.13245](https://arxiv.org/abs/2305.13245)) sits between the two:
each group of query heads shares one key/value head. The three models of this
gallery cover all three designs.
"""

# gallery_thumbnail_number = 1

# %%
# ## Load the three models
#
# MiniLM is an encoder (`AutoModel`); the two decoders are causal language
# models. Eager attention returns the attention weights.

import itertools
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
tokenizers, models = {}, {}
for label, name in NAMES.items():
    auto = AutoModel if label == "MiniLM" else AutoModelForCausalLM
    tokenizers[label] = AutoTokenizer.from_pretrained(name)
    models[label] = auto.from_pretrained(name, attn_implementation="eager")
    models[label].eval()

# %%
# ## The shapes of the key and value projections
#
# A projection's output size is (number of key/value heads) × (head size).
# MiniLM's key projection is as wide as its query projection; SmolLM2's is a
# third as wide (9 query heads, 3 key/value heads); Gemma's is a quarter as
# wide (4 query heads, 1 key/value head of size 256).


def attention_layout(label):
    config = models[label].config
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", heads)
    head_dim = getattr(config, "head_dim", None)
    head_dim = head_dim or config.hidden_size // heads
    return config.num_hidden_layers, heads, kv_heads, head_dim


first_layer = {
    "MiniLM": models["MiniLM"].encoder.layer[0].attention.self,
    "SmolLM2": models["SmolLM2"].model.layers[0].self_attn,
    "Gemma 3": models["Gemma 3"].model.layers[0].self_attn,
}
layouts = {label: attention_layout(label) for label in NAMES}
for label, module in first_layer.items():
    q = module.query if label == "MiniLM" else module.q_proj
    k = module.key if label == "MiniLM" else module.k_proj
    v = module.value if label == "MiniLM" else module.v_proj
    layers, heads, kv_heads, head_dim = layouts[label]
    print(
        f"{label:8s} query {tuple(q.weight.shape)}, key "
        f"{tuple(k.weight.shape)}, value {tuple(v.weight.shape)}: "
        f"{heads} query heads, {kv_heads} key/value heads of size {head_dim}"
    )
    assert k.weight.shape[0] == v.weight.shape[0] == kv_heads * head_dim
    assert q.weight.shape[0] == heads * head_dim
assert [layouts[m][1:3] for m in NAMES] == [(12, 12), (9, 3), (4, 1)]

# %%
# ## KV-cache bytes per token
#
# Each generated or prompt token adds one key and one value vector per
# key/value head in every layer: `2 × layers × kv_heads × head_dim` numbers,
# 2 bytes each in bf16. SmolLM2 stores 23,040 bytes per token, Gemma 3
# 18,432. MiniLM is an encoder and keeps no cache; its figure (9,216 bytes) is
# what it would need as a decoder. Gemma's sliding-window layers (page 1)
# change the picture for long contexts: 15 of its 18 layers keep only the
# last 512 tokens, so past that point each new token adds 3,072 bytes, and at
# Gemma's 32,768-token context the cache (104 MiB) is 7 times smaller than
# SmolLM2's would be (720 MiB).

BYTES = 2  # bf16
per_token = {
    label: 2 * layers * kv_heads * head_dim * BYTES
    for label, (layers, _, kv_heads, head_dim) in layouts.items()
}
for label, size in per_token.items():
    print(f"{label:8s} {size:,} bytes of keys and values per token")
assert per_token == {"MiniLM": 9216, "SmolLM2": 23040, "Gemma 3": 18432}

gemma = models["Gemma 3"].config
n_global = gemma.layer_types.count("full_attention")
per_layer = 2 * 1 * gemma.head_dim * BYTES


def gemma_cache(context):
    local = (gemma.num_hidden_layers - n_global) * min(context, 512)
    return (local + n_global * context) * per_layer


print(f"Gemma 3, each token past 512: {n_global * per_layer:,} bytes")
assert n_global * per_layer == 3072
context = np.array([2**k for k in range(6, 16)])
smol = context * per_token["SmolLM2"]
gem = np.array([gemma_cache(c) for c in context])
ratio = smol[-1] / gem[-1]
print(
    f"at {context[-1]:,} tokens: SmolLM2 {smol[-1] / 2**20:.0f} MiB, "
    f"Gemma 3 {gem[-1] / 2**20:.0f} MiB ({ratio:.1f} times smaller)"
)
assert context[-1] == gemma.max_position_embeddings == 32768
assert round(smol[-1] / 2**20) == 720 and round(gem[-1] / 2**20) == 104
assert round(ratio) == 7

fig, ax = plt.subplots(figsize=(6.8, 3.6), constrained_layout=True)
colours = plt.get_cmap("viridis")([0.2, 0.7])
ax.plot(
    context,
    smol / 2**20,
    "o-",
    color=colours[0],
    label="SmolLM2: 30 layers × 3 KV heads",
)
ax.plot(
    context,
    gem / 2**20,
    "s-",
    color=colours[1],
    label="Gemma 3: 18 layers × 1 KV head, 15 of them windowed",
)
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("context length (tokens)")
ax.set_ylabel("KV cache, bf16 (MiB)")
ax.set_title("KV-cache size of one sequence")
ax.legend(fontsize=9)
plt.show()

# %%
# ## What sharing means for the attention maps
#
# Shared keys do not mean shared attention maps: each head still has its own
# query projection, so it scores the same keys differently. Below, Gemma's
# four heads in layer 6 on one sentence; all four read the same keys and
# values. To measure how alike heads are, we take the cosine similarity of the
# flattened maps of every pair of heads in a layer, averaged over layers. In
# SmolLM2, heads that share a key/value head are barely more alike than heads
# that do not (0.88 against 0.86): the decoders' maps are all dominated by the
# first token (the attention sink), grouped or not. Sharing saves memory; it
# does not make heads redundant.

sentence = "The cat sat on the mat because the mat was warm."


def attention_maps(label):
    inputs = tokenizers[label](sentence, return_tensors="pt")
    with torch.no_grad():
        out = models[label](**inputs, output_attentions=True)
    ids = inputs["input_ids"][0].tolist()
    return ids, torch.stack([a[0].float() for a in out.attentions])


def head_similarity(label):
    """Mean cosine similarity of head pairs: (same group, other groups)."""
    _, heads, kv_heads, _ = layouts[label]
    group = heads // kv_heads
    flat = attention_maps(label)[1].flatten(2)  # (layers, heads, n * n)
    same, other = [], []
    for i, j in itertools.combinations(range(heads), 2):
        cos = torch.cosine_similarity(flat[:, i], flat[:, j], dim=-1)
        (same if i // group == j // group else other).append(cos.mean())
    same_mean = float(np.mean(same)) if same else None
    other_mean = float(np.mean(other)) if other else None
    return same_mean, other_mean


similarity = {label: head_similarity(label) for label in NAMES}
for label, pair in similarity.items():
    same, other = ("-" if x is None else f"{x:.2f}" for x in pair)
    print(f"{label:8s} heads sharing a key/value head: {same}, not: {other}")
assert similarity["MiniLM"][0] is None and similarity["Gemma 3"][1] is None
smol_same, smol_other = similarity["SmolLM2"]
assert abs(smol_same - 0.88) < 0.03 and abs(smol_other - 0.86) < 0.03

ids, maps = attention_maps("Gemma 3")
tokens = [tokenizers["Gemma 3"].decode([i]) for i in ids]
fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.8), constrained_layout=True)
for head, ax in enumerate(axes.flat):
    ax.imshow(maps[6, head].numpy(), cmap="magma", vmin=0, vmax=1)
    ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=8)
    ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
    ax.set_title(f"layer 6, query head {head}", fontsize=10)
fig.supxlabel("key (all four heads read the same keys)")
fig.supylabel("query")
plt.show()

# %%
# ## The vocabularies
#
# Gemma 3 also differs in its vocabulary: 262,144 entries against SmolLM2's
# 49,152 and MiniLM's 30,522 (this comparison sits here rather than on the
# tokenizer page). Its input embedding matrix holds 168 million of the
# model's 268 million parameters, five in eight. The large SentencePiece
# vocabulary keeps words of many languages whole: the Japanese sentence
# below is 7 Gemma tokens, 22 byte-level pieces for SmolLM2, and mostly
# `[UNK]` for MiniLM's uncased English WordPiece.

samples = [
    "The cat sat on the mat.",
    "Die Katze schläft auf dem Sofa.",
    "猫がソファで寝ています。",
]
counts = {}
for label, tokenizer in tokenizers.items():
    counts[label] = [
        len(tokenizer(s, add_special_tokens=False)["input_ids"])
        for s in samples
    ]
    print(
        f"{label:8s} vocabulary {len(tokenizer):,}; tokens per sample "
        f"{counts[label]}"
    )
print("MiniLM reads:", tokenizers["MiniLM"].tokenize(samples[2]))
assert [len(t) for t in tokenizers.values()] == [30522, 49152, 262144]
assert counts["Gemma 3"][2] == 7 and counts["SmolLM2"][2] == 22
assert tokenizers["MiniLM"].tokenize(samples[2]).count("[UNK]") >= 3
embedding = models["Gemma 3"].get_input_embeddings().weight.numel()
total = sum(p.numel() for p in models["Gemma 3"].parameters())
print(
    f"Gemma 3: {embedding / 1e6:.0f} M of {total / 1e6:.0f} M parameters "
    "are the token embeddings"
)
assert round(embedding / 1e6) == 168 and round(total / 1e6) == 268
assert abs(embedding / total - 5 / 8) < 0.01

# %%
# ## Assumptions and failure modes
#
# * **Bytes per token assume bf16 and one sequence.** A cache in float32
#   doubles every figure; batches multiply them; quantized caches shrink them.
# * **The saving is not free.** Shazeer (2019) and Ainslie et al. (2023)
#   report small quality losses for MQA against MHA, and GQA recovering most
#   of them; a model is trained (or "uptrained") with its layout, and
#   key/value heads cannot simply be removed from a trained MHA model.
# * **Cosine similarity of maps is a coarse measure.** It is dominated by the
#   large weights on the first token; heads with similar maps can still
#   write different things through the shared values.
# * **Quantized weights.** Gemma's and SmolLM2's weights went through 4-bit
#   GGUF quantization (see the models page); shapes and byte counts are exact,
#   the similarities are measurements.
