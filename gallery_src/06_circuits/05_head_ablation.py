"""
# Head ablation: remove one head, measure what breaks

Switch off one attention head at a time with a forward hook and compare the damage with attention weights and direct logit attribution.

Michel et al. (2019, "Are Sixteen Heads Really Better than One?", [arXiv:1905.10650](https://arxiv.org/abs/1905.10650))
removed attention heads one by one and found that most of them can go with little loss. This page repeats the
experiment with plain forward hooks: first on every head of the MiniLM sentence encoder, measured on sentence
similarity, then on the decoder's top heads for the indirect-object prompt of Wang et al. (2022). Each heatmap cell
and each scatter point is one ablated head; the colour or height says how much the model's answer moved. The last
figures ask whether cheaper signals (attention weights, direct logit attribution) predict that damage. They only
partly do.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 3

# %%
# ## How to switch off one head
#
# Older versions of transformers had a `head_mask` argument; transformers 5 removed it. A forward hook does the same
# job and shows what happens. Every attention layer ends in an output projection whose input is the heads' outputs
# side by side: `n_heads` blocks of `head_dim` numbers, one block per head. Replacing one block before the
# projection removes that head's contribution and nothing else. In BERT the projection is
# `layer.attention.output.dense`; in Llama it is `layer.self_attn.o_proj`. A *pre*-hook sees (and may replace) the
# projection's input.
#
# **What to put in the block.** Zero is the obvious choice, and it is how `head_mask` worked, but a head never outputs
# zero: the layers above then see an input they never saw in training, and part of the measured damage is that
# shock. We **mean-ablate** instead: the block gets the head's *average* output over a reference set of inputs.
# That removes what the head says about *this* input and keeps what it says about every input. At the end of the
# page we compare the two on the decoder.
#
# To ablate many heads at once we run one batch in which copy *k* of the input has head *k* replaced, and copy 0 is
# untouched. The hook below does this for either model: `replace[b, h]` says whether head `h` is replaced in batch
# row `b`, and `value` holds what goes in its place.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

torch.manual_seed(0)


def head_replacing_hook(replace, value, n_heads):
    """Pre-hook for an attention output projection.

    replace: bool tensor (batch, n_heads); value: tensor broadcastable to
    (batch, positions, n_heads, head_dim).
    """

    def hook(module, args):
        # (batch, positions, heads, head_dim)
        z = args[0].unflatten(-1, (n_heads, -1))
        z = torch.where(replace[:, None, :, None], value, z)
        return (z.flatten(-2),)

    return hook


def rank_correlation(a, b):
    """Spearman's rank correlation (no ties expected): Pearson correlation of
    the ranks."""
    rank_a, rank_b = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return np.corrcoef(rank_a, rank_b)[0, 1]


# %%
# ## MiniLM: every head, measured on sentence similarity
#
# all-MiniLM-L6-v2 is a sentence-transformers model: a sentence's embedding is the mean of its last hidden states
# over its tokens, and two sentences are similar when their embeddings have a high cosine. We take two triplets,
# each an *anchor*, a *paraphrase* and an *unrelated* sentence. The model's job is to rate the paraphrase above
# the unrelated sentence; its **margin** is cos(anchor, paraphrase) − cos(anchor, unrelated), averaged over the
# triplets.
#
# The mean output of each head (what mean ablation puts in) is taken over every real token of these six
# sentences.

BERT_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
bert_tokenizer = AutoTokenizer.from_pretrained(BERT_NAME)
# eager: attention weights
bert = AutoModel.from_pretrained(BERT_NAME, attn_implementation="eager")
bert.eval()
bert_layers, bert_heads = (
    bert.config.num_hidden_layers,
    bert.config.num_attention_heads,
)
print(
    f"{BERT_NAME}: {bert_layers} layers x {bert_heads} heads = "
    f"{bert_layers * bert_heads} heads"
)

triplets = [
    (
        "A man is playing a guitar on stage.",
        "Someone performs music with an instrument.",
        "The stock market fell sharply today.",
    ),
    (
        "The cat is sleeping on the sofa.",
        "A kitten naps on the couch.",
        "Parliament passed the new tax law.",
    ),
]
sentences = [s for triplet in triplets for s in triplet]
inputs = bert_tokenizer(sentences, padding=True, return_tensors="pt")


def mean_pool(hidden, mask):
    mask = mask[..., None].float()
    return (hidden * mask).sum(1) / mask.sum(1)


def similarities(hidden, mask):
    """cos(anchor, paraphrase) and cos(anchor, unrelated) per triplet; hidden
    holds whole triplets."""
    # (copies, triplets, 3, hidden)
    e = mean_pool(hidden, mask).unflatten(0, (-1, len(triplets), 3))
    cos = torch.nn.functional.cosine_similarity
    # (copies, triplets) each
    return cos(e[:, :, 0], e[:, :, 1], dim=-1), cos(
        e[:, :, 0], e[:, :, 2], dim=-1
    )


bert_projections = [
    layer.attention.output.dense for layer in bert.encoder.layer
]
head_outputs = {}
hooks = [
    p.register_forward_pre_hook(
        lambda m, args, i=i: head_outputs.__setitem__(i, args[0])
    )
    for i, p in enumerate(bert_projections)
]
with torch.no_grad():
    clean = bert(**inputs, output_attentions=True)
for hook in hooks:
    hook.remove()

real = inputs["attention_mask"].bool()
mean_head_output = [
    head_outputs[i][real].mean(0).unflatten(-1, (bert_heads, -1))
    for i in range(bert_layers)
]
para, unrel = similarities(clean.last_hidden_state, inputs["attention_mask"])
margin = (para - unrel).mean().item()
print(
    "cos(anchor, paraphrase):",
    np.round(para[0].numpy(), 3),
    " cos(anchor, unrelated):",
    np.round(unrel[0].numpy(), 3),
)
print(f"margin: {margin:.3f}")
assert 0.45 < margin < 0.85, margin

# %%
# ## One batch, 73 versions of the model
#
# Copy 0 is the intact model, copy 1 + *l*·heads + *h* has head *h* of layer *l* mean-ablated. With six
# sentences that is a batch of 438 short sequences, one forward pass.

n_ablations = bert_layers * bert_heads
copies = n_ablations + 1
n_sentences = len(sentences)
# copy c holds rows c*6 .. c*6+5
batch = {k: v.repeat(copies, 1) for k, v in inputs.items()}
hooks = []
for layer, projection in enumerate(bert_projections):
    replace = torch.zeros(copies, bert_heads, dtype=torch.bool)
    replace[
        1 + layer * bert_heads + torch.arange(bert_heads),
        torch.arange(bert_heads),
    ] = True
    # one row per sequence of the batch
    replace = replace.repeat_interleave(n_sentences, dim=0)
    hooks.append(
        projection.register_forward_pre_hook(
            head_replacing_hook(replace, mean_head_output[layer], bert_heads)
        )
    )
with torch.no_grad():
    ablated = bert(**batch).last_hidden_state
for hook in hooks:
    hook.remove()

para_all, unrel_all = similarities(ablated, batch["attention_mask"])
# copy 0 is the intact model
assert torch.allclose(para_all[0], para, atol=1e-4)
delta_para = (
    (para_all[1:] - para_all[0])
    .mean(1)
    .reshape(bert_layers, bert_heads)
    .numpy()
)
delta_unrel = (
    (unrel_all[1:] - unrel_all[0])
    .mean(1)
    .reshape(bert_layers, bert_heads)
    .numpy()
)
delta_margin = delta_para - delta_unrel

# %%
# ## The damage, head by head
#
# Three maps, one cell per head, each the change when that head is mean-ablated: the similarity of the
# paraphrase, the similarity of the unrelated sentence, and the margin between them. Red cells lower the quantity,
# blue cells raise it; cells that moved by at least 0.01 show the change × 100.
#
# * **Most heads hardly matter one at a time**, as Michel et al. found for BERT: for most of the 72 heads the
#   margin moves by less than 0.01.
# * **The last layer matters most, and the top map alone would hide it.** Ablating most heads of the last layer
#   *raises* the unrelated sentence's similarity: all embeddings drift closer together. The head whose removal
#   costs the most margin barely changes the paraphrase similarity at all; its job is to keep *unrelated*
#   sentences apart. A similarity score measured without a control would call it useless.

small = (np.abs(delta_margin) < 0.01).sum()
worst = np.unravel_index(delta_margin.argmin(), delta_margin.shape)
raised = (delta_unrel[-1] > 0).sum()
print(
    f"heads that move the margin by less than 0.01: {small} of {n_ablations}"
)
print(
    "last-layer heads whose ablation raises the unrelated similarity: "
    f"{raised} of {bert_heads}"
)
print(
    f"largest loss of margin: L{worst[0]}H{worst[1]}, margin "
    f"{delta_margin[worst]:+.3f}, "
    f"paraphrase {delta_para[worst]:+.3f}, unrelated {delta_unrel[worst]:+.3f}"
)
assert small >= 0.6 * n_ablations, small
assert raised >= 0.6 * bert_heads, raised
assert worst[0] == bert_layers - 1 and delta_margin[worst] < -0.02, worst
assert abs(delta_para[worst]) < 0.3 * abs(delta_margin[worst]), delta_para[
    worst
]


def head_grid(ax, values, title, limit):
    image = ax.imshow(
        values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto"
    )
    for (layer, head), v in np.ndenumerate(values):
        if abs(v) >= 0.01:  # label the cells that moved by at least 0.01
            ax.text(
                head,
                layer,
                f"{100 * v:+.1f}",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if abs(v) > 0.6 * limit else "black",
            )
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.tick_params(labelsize=8)
    ax.set_xlabel("head")
    ax.set_ylabel("layer")
    ax.set_title(title, fontsize=10)
    return image


limit = max(np.abs(d).max() for d in (delta_para, delta_unrel, delta_margin))
fig, axes = plt.subplots(3, 1, figsize=(6.8, 7.2), constrained_layout=True)
head_grid(
    axes[0], delta_para, "Change in cos(anchor, paraphrase) × 100", limit
)
head_grid(
    axes[1], delta_unrel, "Change in cos(anchor, unrelated) × 100", limit
)
image = head_grid(
    axes[2],
    delta_margin,
    "Change in margin (paraphrase − unrelated) × 100",
    limit,
)
fig.colorbar(
    image, ax=axes, label="change when the head is mean-ablated", shrink=0.8
)
plt.show()

# %%
# ## Does attention predict the damage?
#
# A popular shortcut reads importance off the attention maps: a head that spends its attention on `[CLS]` and
# `[SEP]` is "resting" (Clark et al., 2019, "What Does BERT Look At? An Analysis of BERT's Attention"), a head that
# looks at the words is "working". Left: each head's share of
# attention that lands on real words (averaged over queries and sentences) against the size of its effect on the
# margin. Right: the same effect against the size of the head's *output* (the norm of what it adds to the residual
# stream after the output projection), which also counts how large the vectors are that the attention mixes
# (Kobayashi et al., 2020, "Attention is Not Only a Weight: Analyzing Transformers with Vector Norms").
#
# Both relations are weak: both rank correlations stay below about 0.5. The output norm does somewhat better than
# the attention share, but neither replaces the ablation.

ids = inputs["input_ids"]
words = (
    real
    & (ids != bert_tokenizer.cls_token_id)
    & (ids != bert_tokenizer.sep_token_id)
)
attn = torch.stack(clean.attentions)  # (layers, sentences, heads, query, key)
# attention on words, per query
share = (attn * words[None, :, None, None, :]).sum(-1)
# (layers, heads)
share = (
    ((share * real[None, :, None, :]).sum(-1) / real.sum(-1)[None, :, None])
    .mean(1)
    .numpy()
)

output_norm = np.zeros((bert_layers, bert_heads))
with torch.no_grad():
    for layer, projection in enumerate(bert_projections):
        # (hidden, heads, head_dim)
        w = projection.weight.unflatten(1, (bert_heads, -1))
        # (sentences, positions, heads, head_dim)
        z = head_outputs[layer].unflatten(-1, (bert_heads, -1))
        # (sentences, positions, heads)
        norms = torch.einsum("mhd,sphd->sphm", w, z).norm(dim=-1)
        output_norm[layer] = norms[real].mean(0).numpy()

effect = np.abs(delta_margin).ravel()
rho_attention = rank_correlation(share.ravel(), effect)
rho_norm = rank_correlation(output_norm.ravel(), effect)
print(
    "rank correlation with |change in margin|: attention on words "
    f"{rho_attention:.2f}, output norm {rho_norm:.2f}"
)
assert -0.1 < rho_attention < 0.55, rho_attention
assert rho_attention < rho_norm < 0.55, (rho_attention, rho_norm)

layer_colors = plt.cm.tab10(np.arange(bert_layers) % 10)
fig, axes = plt.subplots(
    1, 2, figsize=(6.8, 3.2), constrained_layout=True, sharey=True
)
for ax, x, name, rho in [
    (axes[0], share, "attention share on words", rho_attention),
    (axes[1], output_norm, "mean head output norm", rho_norm),
]:
    for layer in range(bert_layers):
        ax.scatter(
            x[layer],
            np.abs(delta_margin[layer]),
            s=18,
            color=layer_colors[layer],
            label=f"layer {layer}",
        )
    ax.set_xlabel(name)
    ax.set_title(f"Spearman ρ = {rho:.2f}", fontsize=10)
axes[0].set_ylabel("|change in margin|")
axes[1].legend(fontsize=8, loc="upper left", handletextpad=0.2)
plt.show()

# %%
# ## The decoder: the indirect-object prompt
#
# "When Mary and John went to the store, John gave a drink to" should continue with " Mary", the *indirect object*.
# Wang et al. (2022, "Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small",
# [arXiv:2211.00593](https://arxiv.org/abs/2211.00593)) traced the heads that do this in GPT-2. We measure the
# **logit difference** between " Mary" and " John" at the last position.
#
# For mean ablation we need a reference set. Following Wang et al., it is the same sentence with three *other*
# random names ("When Anna and Paul went to the store, Lisa gave a drink to"): the heads see the same template
# but no name that tells them the answer. Each head's reference output is the average over these prompts, position
# by position. The names are single tokens, so every prompt has the same length.
#
# The decoder has 270 heads; a forward pass with 270 copies would take too long for this page. We ablate only the
# heads that look important by one of two cheap signals computed below.

DECODER_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(DECODER_NAME)
# eager: attention weights
model = AutoModelForCausalLM.from_pretrained(
    DECODER_NAME, attn_implementation="eager"
)
model.eval()
n_layers, n_heads, head_dim = (
    model.config.num_hidden_layers,
    model.config.num_attention_heads,
    model.config.head_dim,
)
print(
    f"{DECODER_NAME}: {n_layers} layers x {n_heads} query heads = "
    f"{n_layers * n_heads} heads"
)

template = "When{} and{} went to the store,{} gave a drink to"
prompt = template.format(" Mary", " John", " John")
input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
mary, john = (
    tokenizer(" Mary")["input_ids"][0],
    tokenizer(" John")["input_ids"][0],
)
mary_position = input_ids[0].tolist().index(mary)

names = [
    " Anna",
    " Paul",
    " Lisa",
    " Mark",
    " Sarah",
    " David",
    " Emma",
    " James",
    " Kate",
    " Tom",
]
generator = torch.Generator().manual_seed(0)
reference = [
    template.format(
        *[
            names[i]
            for i in torch.randperm(len(names), generator=generator)[:3]
        ]
    )
    for _ in range(8)
]
reference_ids = tokenizer(reference, return_tensors="pt")["input_ids"]
assert reference_ids.shape[1] == input_ids.shape[1], (
    "every name must be one token"
)
print("reference prompts, e.g.:", reference[0])

projections = [layer.self_attn.o_proj for layer in model.model.layers]
head_outputs = {}
hooks = [
    p.register_forward_pre_hook(
        lambda m, args, i=i: head_outputs.__setitem__(i, args[0])
    )
    for i, p in enumerate(projections)
]
final_residual = {}
hooks.append(
    model.model.norm.register_forward_pre_hook(
        lambda m, args: final_residual.__setitem__(0, args[0])
    )
)
with torch.no_grad():
    model(reference_ids, logits_to_keep=1)
    mean_head_output = [
        head_outputs[i].mean(0).unflatten(-1, (n_heads, head_dim))
        for i in range(n_layers)
    ]
    out = model(input_ids, output_attentions=True)
for hook in hooks:
    hook.remove()

logits = out.logits[0, -1]
logit_diff = (logits[mary] - logits[john]).item()
print(
    f"top prediction {tokenizer.decode(logits.argmax())!r}, logit difference "
    f"Mary - John: {logit_diff:.2f}"
)
assert logits.argmax().item() == mary and 5.0 < logit_diff < 7.2, logit_diff

# %%
# ## Two cheap signals: attention to " Mary" and direct logit attribution
#
# * **Attention to the answer**: the weight each head's last-position query puts on " Mary".
# * **Direct logit attribution (DLA)**: what the head's output at the last position adds to the logit difference
#   *directly*, along the residual stream to the unembedding, with nothing in between reacting. The final RMSNorm
#   is frozen at the scale it had in this run, which makes the path linear. The section's page on direct logit
#   attribution explains it in full.
#
# Since we mean-ablate, the direct effect that ablation removes is the DLA of the head's output *minus* the DLA of
# its mean output; that is what we compute. If heads only acted directly, ablating a head would lower the logit
# difference by exactly this amount.

# (layers, heads)
attn_to_mary = torch.stack(out.attentions)[:, 0, :, -1, mary_position].numpy()
x = final_residual[0][0, -1]
scale = x.pow(2).mean().add(model.config.rms_norm_eps).rsqrt()
direction = (
    model.model.norm.weight
    * scale
    * (model.lm_head.weight[mary] - model.lm_head.weight[john])
)
dla = np.zeros((n_layers, n_heads))
with torch.no_grad():
    for layer, projection in enumerate(projections):
        # (hidden, heads, head_dim)
        w = projection.weight.unflatten(1, (n_heads, head_dim))
        z = (
            head_outputs[layer][0, -1].unflatten(-1, (n_heads, head_dim))
            - mean_head_output[layer][-1]
        )
        dla[layer] = torch.einsum("mhd,hd,m->h", w, z, direction).numpy()

k = 8
picked = set(np.argsort(-np.abs(dla).ravel())[:k]) | set(
    np.argsort(-attn_to_mary.ravel())[:k]
)
heads = [divmod(int(i), n_heads) for i in sorted(picked)]
print(
    f"{len(heads)} heads: the top {k} by |DLA| and the top {k} by attention "
    "to ' Mary'"
)

# %%
# ## Ablate them, in one batch
#
# Copy 0 is intact, copies 1..n mean-ablate one head each, copies n+1..2n zero-ablate the same heads.

n = len(heads)
copies = 1 + 2 * n
hooks = []
for layer, projection in enumerate(projections):
    replace = torch.zeros(copies, n_heads, dtype=torch.bool)
    for j, (l, h) in enumerate(heads):
        if l == layer:
            replace[1 + j, h] = replace[1 + n + j, h] = True
    if replace.any():
        value = torch.cat(
            [
                mean_head_output[layer].expand(1 + n, -1, -1, -1),
                torch.zeros(n, *mean_head_output[layer].shape),
            ]
        )
        hooks.append(
            projection.register_forward_pre_hook(
                head_replacing_hook(replace, value, n_heads)
            )
        )
with torch.no_grad():
    logits = model(input_ids.expand(copies, -1), logits_to_keep=1).logits[
        :, -1
    ]
for hook in hooks:
    hook.remove()
diffs = (logits[:, mary] - logits[:, john]).numpy()
assert abs(diffs[0] - logit_diff) < 1e-3
drop_mean = logit_diff - diffs[1 : 1 + n]  # positive: the head helped " Mary"
drop_zero = logit_diff - diffs[1 + n :]
head_names = [f"L{l}H{h}" for l, h in heads]
attention = np.array([attn_to_mary[l, h] for l, h in heads])
direct = np.array([dla[l, h] for l, h in heads])
for name, a, d, m, z in zip(
    head_names, attention, direct, drop_mean, drop_zero
):
    print(
        f"{name:>7s}  attention to Mary {a:.2f}  DLA {d:+.2f}  drop "
        f"(mean-ablated) {m:+.2f}  (zero-ablated) {z:+.2f}"
    )

# %%
# ## Attention, DLA and the real effect
#
# Each point is one ablated head; the y axis is how much the logit difference drops when it is mean-ablated.
#
# * **Left, attention to " Mary"** does not predict the damage; the rank correlation is even negative. The head
#   that looks hardest at " Mary" works *against* it: ablating it raises the logit difference by about 0.8. The
#   head whose removal hurts most hardly looks at " Mary" at all.
# * **Right, DLA** predicts much better, and most points lie near the dashed line, where the whole effect of a head
#   is direct. The orange points are the exception: heads that attend to " Mary" and push it up directly, yet
#   removing one of them costs almost nothing. When one of them is gone, later layers restore its contribution:
#   self-repair, the "Hydra effect" of McGrath et al. (2023, "The Hydra Effect: Emergent Self-repair in Language
#   Model Computations", [arXiv:2307.15771](https://arxiv.org/abs/2307.15771)). Wang et al. found the same in GPT-2
#   and called the heads that take over *backup name movers*.

rho_attention = rank_correlation(attention, drop_mean)
rho_dla = rank_correlation(direct, drop_mean)
top_attention, top_drop = int(attention.argmax()), int(drop_mean.argmax())
print(
    f"rank correlation with the drop: attention to Mary {rho_attention:.2f}, "
    f"DLA {rho_dla:.2f}"
)
print(
    f"highest attention to Mary: {head_names[top_attention]} "
    f"({attention[top_attention]:.2f}), "
    f"drop {drop_mean[top_attention]:+.2f}"
)
print(
    f"largest drop: {head_names[top_drop]} ({drop_mean[top_drop]:.2f}), "
    f"attention to Mary {attention[top_drop]:.2f}"
)
assert rho_attention < 0 and rho_dla > 0.5, (rho_attention, rho_dla)
assert -1.1 < drop_mean[top_attention] < -0.5, drop_mean[top_attention]
assert attention[top_drop] < 0.15 and direct.argmax() == top_drop, (
    attention[top_drop],
    direct,
)
# most points near the line
assert (np.abs(drop_mean - direct) < 0.4).mean() >= 0.5, drop_mean - direct

repaired = [
    j for j in range(n) if direct[j] > 0.4 and drop_mean[j] < 0.5 * direct[j]
]
print(
    "heads restored by later layers (DLA > 0.4, drop < half of it):",
    ", ".join(
        f"{head_names[j]} (DLA {direct[j]:.2f}, drop {drop_mean[j]:.2f})"
        for j in repaired
    ),
)
assert len(repaired) >= 2 and all(attention[j] > 0.3 for j in repaired), (
    repaired
)

fig, axes = plt.subplots(
    1, 2, figsize=(6.8, 3.4), constrained_layout=True, sharey=True
)
colors = ["tab:orange" if j in repaired else "tab:blue" for j in range(n)]
for ax, x, xlabel, rho in [
    (
        axes[0],
        attention,
        "attention from the last token to ' Mary'",
        rho_attention,
    ),
    (axes[1], direct, "direct logit attribution (vs mean output)", rho_dla),
]:
    ax.axhline(0, color="grey", lw=0.8)
    ax.scatter(x, drop_mean, s=22, c=colors)
    for i in np.argsort(-np.abs(drop_mean))[:4]:
        ax.annotate(
            head_names[i],
            (x[i], drop_mean[i]),
            xytext=(4, 2),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(f"Spearman ρ = {rho:.2f}", fontsize=10)
lims = [
    min(direct.min(), drop_mean.min()) - 0.2,
    max(direct.max(), drop_mean.max()) + 0.2,
]
axes[1].plot(lims, lims, ls="--", color="grey", lw=1, label="drop = DLA")
axes[1].scatter(
    [], [], s=22, color="tab:orange", label="restored by later layers"
)
axes[1].legend(fontsize=8, loc="upper left")
axes[0].set_ylabel("drop in logit diff. when ablated")
plt.show()

# %%
# ## What the extreme heads read and write
#
# DLA can be split by name: what the head's output adds to the logit of " Mary" and to the logit of " John" (each
# against the head's mean output). Together with where the head looks, that tells its role. The head that hurts
# most when removed reads the *second* " John", the repeated subject, and pushes " John" down: it suppresses the
# wrong answer rather than promoting the right one. The head that looks hardest at " Mary" pushes " Mary" down.

second_john = len(input_ids[0]) - 1 - input_ids[0].tolist()[::-1].index(john)
# (layers, heads, key position)
attn_last = torch.stack(out.attentions)[:, 0, :, -1].numpy()


def push(layer, head, token):
    """The head's direct effect on one token's logit, relative to its mean
    output."""
    w = projections[layer].weight.unflatten(1, (n_heads, head_dim))[:, head]
    z = (
        head_outputs[layer][0, -1].unflatten(-1, (n_heads, head_dim))[head]
        - mean_head_output[layer][-1, head]
    )
    with torch.no_grad():
        return (
            (w @ z)
            * model.model.norm.weight
            * scale
            @ model.lm_head.weight[token]
        ).item()


print(
    f"{'head':>6s}  {'attn Mary':>9s}  {'attn 2nd John':>13s}  "
    f"{'pushes Mary':>11s}  {'pushes John':>11s}"
)
for j in (top_drop, top_attention):
    l, h = heads[j]
    print(
        f"{head_names[j]:>6s}  {attn_last[l, h, mary_position]:9.2f}  "
        f"{attn_last[l, h, second_john]:13.2f}  "
        f"{push(l, h, mary):+11.2f}  {push(l, h, john):+11.2f}"
    )
l, h = heads[top_drop]
assert (
    attn_last[l, h, second_john] > 0.5
    and push(l, h, john) < -1.5
    and abs(push(l, h, mary)) < 0.6
)
l, h = heads[top_attention]
assert push(l, h, mary) < -0.8

# %%
# ## Remove the restored heads together
#
# If the orange heads back each other up, removing them *together* should cost far more than the sum of removing
# them one at a time. One more forward pass, with all of them mean-ablated at once. It does cost several times the
# sum, yet still less than half of their summed direct contribution: even with all of them gone, something
# further downstream makes up for most of what they wrote.

hooks = []
for layer, projection in enumerate(projections):
    replace = torch.zeros(1, n_heads, dtype=torch.bool)
    for j in repaired:
        if heads[j][0] == layer:
            replace[0, heads[j][1]] = True
    if replace.any():
        hooks.append(
            projection.register_forward_pre_hook(
                head_replacing_hook(replace, mean_head_output[layer], n_heads)
            )
        )
with torch.no_grad():
    logits = model(input_ids, logits_to_keep=1).logits[0, -1]
for hook in hooks:
    hook.remove()
drop_together = logit_diff - (logits[mary] - logits[john]).item()
print(
    f"drop, one at a time, summed: {drop_mean[repaired].sum():.2f}; together: "
    f"{drop_together:.2f}; "
    f"their summed DLA: {direct[repaired].sum():.2f}"
)
assert (
    drop_together > 2 * drop_mean[repaired].sum()
    and drop_together < 0.5 * direct[repaired].sum()
)

# %%
# ## Zero ablation against mean ablation
#
# The same heads, zero-ablated. For the heads whose mean ablation moves the logit difference by more than 1, the
# two agree within 30 %. For the smaller ones they can disagree even on the *sign*: zeroing a head's output also
# removes the part of it that is the same for every input, and the network reacts to that shift, not to the loss of
# what the head computed on this prompt. Over these heads the rank correlation between the two is well below 1.

flips = [
    name
    for name, m, z in zip(head_names, drop_mean, drop_zero)
    if m * z < 0 and max(abs(m), abs(z)) > 0.3
]
rho_methods = rank_correlation(drop_mean, drop_zero)
print(
    f"rank correlation between zero and mean ablation: {rho_methods:.2f}; "
    f"sign flips (> 0.3): {', '.join(flips)}"
)
big = np.abs(drop_mean) > 1
assert np.all(
    np.abs(drop_zero[big] - drop_mean[big]) < 0.3 * np.abs(drop_mean[big])
), (drop_mean, drop_zero)
assert 0.3 < rho_methods < 0.95 and len(flips) >= 1, (rho_methods, flips)

order = np.argsort(drop_mean)
fig, ax = plt.subplots(figsize=(6.8, 3.6), constrained_layout=True)
y = np.arange(n)
ax.barh(
    y - 0.2, drop_mean[order], 0.4, label="mean ablation", color="tab:blue"
)
ax.barh(
    y + 0.2, drop_zero[order], 0.4, label="zero ablation", color="tab:orange"
)
ax.axvline(0, color="grey", lw=0.8)
ax.set_yticks(y, [head_names[i] for i in order], fontsize=8)
ax.set_xlabel(
    "drop in logit difference (Mary − John) when the head is ablated"
)
ax.set_title("Same heads, two ablations", fontsize=10)
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %%
# ## Caveats
#
# * **What you put in the hole decides the answer.** Zero, the mean over a reference set, or the output on another
#   prompt (resampling) are different experiments; mean ablation depends on the reference set, too. Say which you
#   used.
# * **One head at a time misses redundancy.** If two heads do the same job, removing either one costs little;
#   Michel et al. also pruned heads *together* to find the point where the model breaks. The restored heads
#   above are the decoder's version of this: other components take over most of their job.
# * **The metric is part of the result.** On MiniLM the paraphrase similarity alone missed the head whose removal
#   hurt most, because that head keeps *unrelated* sentences apart. Measure against a control.
# * **Two triplets and one prompt.** These are small samples; a head's effect changes from input to input. Use
#   many prompts before calling a head "the" indirect-object head.
# * **Attention weight and DLA are cheap, not causal.** Attention says where a head reads, not what it writes;
#   DLA misses everything a head does through later layers. Ablation is causal, but only for the one intervention
#   you made.
