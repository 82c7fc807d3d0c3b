"""
# The logit lens: reading predictions from every layer

Decode every layer's hidden state with the model's own final norm and unembedding, to see when the prediction " Paris" forms.

The logit lens (nostalgebraist, 2020) treats every intermediate hidden state as if it were the last one: apply the
final RMSNorm, multiply by the unembedding matrix, and read off a next-token distribution. The grid below has one
row per layer and one column per input position; each cell shows the top token and its probability. Read it from the
bottom (embeddings) to the top (the model's real output).
"""

# gallery_thumbnail_number = 2
# gallery_thumbnail_panel = 1

# %%
# ## Load the model
#
# The logit lens needs two pieces of the model's head: the final norm (`model.model.norm` in Llama-style models) and
# the unembedding (`model.get_output_embeddings()`, here `lm_head`). We look both up and print them.

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager: attention weights
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager"
)
model.eval()

n_layers = model.config.num_hidden_layers
final_norm = model.model.norm
unembed = model.get_output_embeddings()
print(f"{n_layers} layers; final norm: {final_norm}; unembedding: {unembed}")
print("input and output embeddings tied:", model.config.tie_word_embeddings)


def label(token_id):
    """Readable token text: a leading space becomes '␣', a newline becomes
    '\\n'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


# %%
# ## Apply the lens to every layer
#
# `output_hidden_states=True` returns `num_hidden_layers + 1` tensors: the embeddings, then the output of each layer.
# One trap: in transformers the **last** entry has *already* been through the final norm (it is the same tensor as
# `last_hidden_state`). So we normalize entries 0..L-1 ourselves and use the last one as it is; normalizing it a
# second time would change it. The `assert` checks that the lens at the top layer reproduces the model's own logits.


def logit_lens(prompt, last_position_only=False):
    inputs = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        outputs = model(**inputs, output_hidden_states=True)
        hidden = outputs.hidden_states
        # skip the unembedding for positions we do not need
        if last_position_only:
            hidden = [h[:, -1:] for h in hidden]
        # hidden[-1] is already normalized
        normed = [final_norm(h) for h in hidden[:-1]] + [hidden[-1]]
        # (layers + 1, positions, vocab)
        logits = torch.stack([unembed(h)[0] for h in normed])
    real = outputs.logits[0, -1:] if last_position_only else outputs.logits[0]
    assert torch.allclose(logits[-1], real, atol=1e-4), (
        "the lens must reproduce the real output"
    )
    return inputs["input_ids"][0].tolist(), logits


prompt = "The capital of France is"
ids, lens_logits = logit_lens(prompt)
lens_probs = lens_logits.softmax(-1)
print("tokens:", " ".join(label(i) for i in ids))
print("hidden states:", lens_logits.shape[0], "(embeddings + one per layer)")
print(
    "model's prediction after the prompt:",
    repr(tokenizer.decode(lens_logits[-1, -1].argmax())),
)
# the grid below relies on it in its bottom row
assert model.config.tie_word_embeddings

# %%
# ## The grid
#
# Column *j* shows what the lens predicts as the token *after* input token *j*. Row "layer *i*" decodes the output
# of layer *i* (counted from 0, as on the other pages); the bottom row decodes the raw embeddings. Because this model
# ties its input and output embeddings, the embedding row mostly repeats the input token. The top row is the model's
# real output.
#
# Look at the last column: punctuation and "␣" through most of the network, "␣the" in some late layers, "␣capital"
# one layer before the end, and "␣Paris" only at the output. The middle columns settle earlier on plausible
# continuations: after "␣capital" the lens reads "␣of" from layer 18 on, after "␣of" it reads "␣the" from layer 23 on.
#
# The first column behaves differently from all the others: from layer 11 to layer 28 it shows the same token with a
# tiny probability (under 0.05) in every row. Position 0 is the attention sink (see the first page of this section);
# its hidden state is dominated by a few huge dimensions and the lens reads nothing sensible from it.

top_prob, top_id = lens_probs.max(-1)  # (layers + 1, positions)
n_rows, n_cols = top_id.shape

fig, ax = plt.subplots(figsize=(6.8, 10), constrained_layout=True)
image = ax.imshow(
    top_prob.numpy(),
    cmap="viridis",
    vmin=0,
    vmax=1,
    aspect="auto",
    origin="lower",
)
for row in range(n_rows):
    for col in range(n_cols):
        p = top_prob[row, col].item()
        ax.text(
            col,
            row,
            label(top_id[row, col].item()),
            ha="center",
            va="center",
            fontsize=8,
            # dark text on the bright (yellow) end
            color="black" if p > 0.6 else "white",
        )
ax.set_xticks(range(n_cols), [label(i) for i in ids])
ax.set_yticks(
    range(n_rows),
    ["embeddings"] + [f"layer {i}" for i in range(n_layers)],
    fontsize=8,
)
ax.set_xlabel("input token (the lens predicts the token that follows it)")
ax.set_ylabel("hidden state decoded")
ax.set_title(f"Logit lens: top next-token guess per layer\n{prompt!r}")
fig.colorbar(image, ax=ax, label="probability of the top token", shrink=0.6)
plt.show()

self_decoded = sum(top_id[0, j].item() == ids[j] for j in range(n_cols))
print(
    f"embedding row: {self_decoded} of {n_cols} positions decode to their own "
    "input token"
)
assert self_decoded >= n_cols - 1  # "mostly repeats the input token"

# The claims above, checked. Row k of the grid is hidden state k: the output of
# layer k - 1.
guesses = [
    [label(top_id[k, col].item()) for k in range(n_rows)]
    for col in range(n_cols)
]


def settled_from(col, token):
    """The first layer from which the lens shows `token` in column `col` in
    every row up to the output."""
    rows = [
        k for k in range(n_rows) if all(g == token for g in guesses[col][k:])
    ]
    return rows[0] - 1 if rows else None


print(
    'after "␣capital": "␣of" from layer',
    settled_from(1, "␣of"),
    '; after "␣of": "␣the" from layer',
    settled_from(2, "␣the"),
)
assert settled_from(1, "␣of") == 18 and settled_from(2, "␣the") == 23
last_column = guesses[-1]
# only at the output
assert last_column[-1] == "␣Paris" and "␣Paris" not in last_column[:-1]
assert last_column[-2] == "␣capital"  # one layer before the end
# punctuation or a bare space
generic = sum(g.strip("␣.,") == "" for g in last_column[1:])
assert generic > n_layers / 2, last_column  # through most of the network
assert {k - 1 for k in range(1, n_rows) if last_column[k] == "␣the"} <= set(
    range(n_layers - 6, n_layers)
)
sink_rows = range(12, n_rows - 1)  # outputs of layers 11 to 28
assert (
    len({guesses[0][k] for k in sink_rows}) == 1
    and (top_prob[12:-1, 0] < 0.05).all()
)

# %%
# ## When does the answer appear?
#
# The grid shows only the top token. The rank of the model's final answer among all vocabulary entries (0 = top)
# shows more: how far down the list the answer sits at each layer. We follow it at the last position for three
# prompts. In this 135-million-parameter model the answer sits hundreds or thousands of places down through most of
# the network (below rank 100 in more than half of the layers), and becomes the top guess only in the last three
# layers; the lens shows nothing of it earlier.

# the tied embedding matrix counts once
n_parameters = sum(p.numel() for p in model.parameters())
print(f"{n_parameters / 1e6:.1f} million parameters")
assert 125e6 < n_parameters < 145e6  # "135M"
prompts = [
    "The capital of France is",
    "The Eiffel Tower is located in the city of",
    "One, two, three, four,",
]
fig, (rank_ax, prob_ax) = plt.subplots(
    1, 2, figsize=(6.8, 4.6), constrained_layout=True
)
for text in prompts:
    _, logits = logit_lens(text, last_position_only=True)
    last = logits[:, -1]  # (layers + 1, vocab)
    answer = last[-1].argmax().item()
    rank = (last > last[:, [answer]]).sum(-1).numpy()
    prob = last.softmax(-1)[:, answer].numpy()
    name = f"{text!r} → {label(answer)}"
    rank_ax.plot(rank + 1, ".-", label=name)
    prob_ax.plot(prob, ".-", label=name)
    # hidden state k is the output of layer k - 1
    first_top = int(np.flatnonzero(rank == 0)[0]) - 1
    print(
        f"{name}: first the top guess after layer {first_top}; "
        f"rank after layer {n_layers // 2 - 1}: {rank[n_layers // 2]}"
    )
    # far down the list ...
    assert (rank >= 100).mean() > 0.5 and rank[n_layers // 2] >= 100, rank
    # ... until the last three layers
    assert first_top >= n_layers - 3, first_top
# x position k is hidden_states[k]: 0 = embeddings, k = output of layer k - 1
ticks = sorted({0, *range(6, n_layers + 1, 5), n_layers})
for axis in (rank_ax, prob_ax):
    axis.set_xticks(ticks, ["emb"] + [str(k - 1) for k in ticks[1:]])
    axis.set_xlabel("output of layer (emb = embeddings)")
rank_ax.set_yscale("log")
rank_ax.invert_yaxis()
rank_ax.set_ylabel("rank of the final answer + 1\n(log scale, best at top)")
rank_ax.set_title("Rank of the final answer", fontsize=11)
prob_ax.set_ylabel("probability of the final answer")
prob_ax.set_title("Probability of the final answer", fontsize=11)
prob_ax.set_ylim(0, 1)
handles, names = prob_ax.get_legend_handles_labels()
fig.legend(handles, names, loc="outside lower center", ncol=1, fontsize=9)
plt.show()

# %%
# ## The last few layers up close
#
# The top five lens guesses at the last position of the first prompt, for the final layers. Generic continuations
# ("␣the", "␣a", punctuation) compete with the answer until the very end: "␣the" is among the top five in each of
# these layers.

last_pos = lens_probs[:, -1]
for k in range(n_layers - 5, n_layers + 1):
    values, indices = last_pos[k].topk(5)
    top_five = [label(i) for i in indices.tolist()]
    print(
        f"after layer {k - 1:2d}: "
        + ", ".join(f"{t} {v:.2f}" for t, v in zip(top_five, values.tolist()))
    )
    assert "␣the" in top_five, top_five

# %%
# ## Caveats
#
# * **Intermediate layers are not trained to be read this way.** Only the last hidden state is ever multiplied by
#   the unembedding during training. Earlier layers may encode the answer in directions the final norm and
#   unembedding do not read, so "the lens shows nothing" does not mean "the layer knows nothing". The *tuned lens*
#   (Belrose et al., 2023) trains a small affine map per layer to translate each hidden state into the final
#   layer's basis, and gives more faithful early-layer predictions.
# * **The final norm uses the statistics of the layer you decode.** RMSNorm rescales each vector by its own size, so
#   hidden states with a few huge dimensions (the first position here) decode to near-constant garbage.
# * **Probabilities are not confidence.** A lens distribution at an intermediate layer is not calibrated; compare
#   ranks and trends, not absolute numbers.
# * **Model size matters.** Logit-lens pictures of larger models often show the answer forming in middle layers.
#   This small model commits late, which is itself a result worth knowing, but not a general rule.
