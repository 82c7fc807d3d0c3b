"""
# Ask the decoder: your prompt

SmolLM2's top-10 next tokens and its logit lens for a prompt, first for ours, then for yours, run in your browser.

The figure below is computed in PyTorch for the prompt "The capital of France is": the ten most likely next
tokens above the logit lens grid (one row per layer, one column per prompt token, each cell the lens's top-1 token and
its probability). Under them, a box runs the same model on **your** prompt in the browser and draws both again,
with a temperature slider for the next-token probabilities. It is this static site's answer to Transformer
Explainer (Cho et al., 2024, "Transformer Explainer: Interactive Learning of Text-Generative Models",
arXiv:2408.04619, [poloclub.github.io/transformer-explainer](https://poloclub.github.io/transformer-explainer/)),
which runs a custom GPT-2 export live in the browser with ONNX Runtime Web, as one app for one model. Here the same
idea is one page of the generated gallery: the build exports SmolLM2 to ONNX, and the page is static files.
"""

# gallery_live = "decoder_prompt"

# %%
# ## The next token
#
# `model(**inputs).logits[0, -1]` are the scores for the token after the last prompt token; their softmax is the
# next-token distribution. Dividing the logits by a temperature T before the softmax sharpens it (T below 1) or
# flattens it (T above 1) without changing the order, which is all the slider in the box below does: it recomputes
# the probabilities from the logits in your browser, with no second run of the model.
#
# In the figure after the next step, read the bars (its upper panel) from the top: the model's answer is
# " Paris" (the "␣" marks a leading space, which is part of the token), and it takes more probability than all
# other nine tokens together.

import os

import matplotlib.pyplot as plt
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager: the same attention the browser's export computes
model = AutoModelForCausalLM.from_pretrained(
    MODEL_NAME, attn_implementation="eager"
)
model.eval()


def label(token_id):
    """A token as the page shows it: a leading space becomes '␣'."""
    return tokenizer.decode([token_id]).replace(" ", "␣").replace("\n", "\\n")


prompt = "The capital of France is"
inputs = tokenizer(prompt, return_tensors="pt")
with torch.no_grad():
    outputs = model(**inputs, output_hidden_states=True)
next_probs = outputs.logits[0, -1].softmax(-1)
top = next_probs.topk(10)
names = [label(i) for i in top.indices.tolist()]
for name, p in zip(names, top.values.tolist()):
    print(f"{name:>12} {p:.3f}")
assert names[0] == "␣Paris"
assert top.values[0] > top.values[1:].sum()  # more than the other nine


# %%
# ## The logit lens of the prompt
#
# The logit lens (nostalgebraist, 2020) decodes every layer's output as if it were the last: the final RMSNorm,
# then the unembedding, then a softmax. Column *j* is what the lens predicts after prompt token *j*; row "layer *i*"
# decodes the output of layer *i* (counted from 0), the top row is the model's real output. The brighter the cell,
# the more probability its top-1 token has. The page on the logit lens earlier in this section reads this grid in
# detail. Its assumption is that every layer already speaks the output's "language"; early layers do not, so a
# dark cell with an odd token means "the lens cannot read this layer", not "the model thinks this". The first
# column (the attention sink) is the clearest case.
#
# In the last column, " Paris" appears only in the top row: the answer forms in the last layer.

final_norm = model.model.norm
unembed = model.get_output_embeddings()
with torch.no_grad():
    # hidden_states[0] is the embeddings; [i + 1] the output of layer i;
    # the last one has already been through the final norm
    layers = outputs.hidden_states[1:]
    normed = [final_norm(h) for h in layers[:-1]] + [layers[-1]]
    lens = torch.stack([unembed(h)[0] for h in normed]).softmax(-1)
lens_prob, lens_id = lens.max(-1)  # (layers, positions)
n_layers, n_tokens = lens_id.shape
assert n_layers == model.config.num_hidden_layers
# the top row is the model's own prediction
assert lens_id[-1, -1].item() == top.indices[0].item()
last_column = [label(lens_id[k, -1].item()) for k in range(n_layers)]
assert last_column[-1] == "␣Paris" and "␣Paris" not in last_column[:-1]

prompt_ids = inputs["input_ids"][0].tolist()
fig, (bars, ax) = plt.subplots(
    2, 1, figsize=(6.8, 12.5), height_ratios=(1, 3), constrained_layout=True
)
bars.barh(range(10), top.values.numpy(), color=plt.get_cmap("viridis")(0.45))
bars.set_yticks(range(10), names, fontsize=9)
bars.invert_yaxis()
for row, p in enumerate(top.values.tolist()):
    bars.text(p, row, f" {p:.3f}", va="center", fontsize=8)
bars.set_xlim(0, 1)
bars.set_xlabel("probability of the next token (temperature 1)")
bars.set_ylabel("next token")
bars.set_title(f"Top-10 next tokens after {prompt!r}")
image = ax.imshow(
    lens_prob.numpy(),
    cmap="viridis",
    vmin=0,
    vmax=1,
    aspect="auto",
    origin="lower",
)
for row in range(n_layers):
    for col in range(n_tokens):
        p = lens_prob[row, col].item()
        ax.text(
            col,
            row,
            f"{label(lens_id[row, col].item())} {p:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="black" if p > 0.6 else "white",
        )
ax.set_xticks(range(n_tokens), [label(i) for i in prompt_ids], fontsize=9)
ax.set_yticks(
    range(n_layers), [f"layer {i}" for i in range(n_layers)], fontsize=7
)
ax.set_xlabel("prompt token (the lens predicts the token after it)")
ax.set_ylabel("layer output decoded")
ax.set_title("Logit lens: top-1 token and its probability")
fig.colorbar(image, ax=ax, label="probability of the top-1 token", shrink=0.6)
plt.show()

# %%
# ## Your prompt, in your browser
#
# The box below runs an ONNX export of this same model (made by the build, with the logit lens computed inside the
# graph) with onnxruntime-web, from this site's files only: nothing is downloaded until you press Run or Enter, and
# then the model is downloaded once. After each run the box states how the export stores its weights and how close
# the build found it to PyTorch (attention difference, whether the top-10 tokens are the same, how often the lens's
# top-1 agrees), read from the export's manifest. Its weights are quantized, so its probabilities differ slightly
# from the figure above; the order of the top tokens is what the build checks.
#
# Failure modes: a prompt longer than the export's limit is cut (the box says so) and keeps its last tokens, since
# they decide the next one; the temperature only rescales these logits, it does not sample. Try a prompt that
# ends mid-fact ("The capital of Italy is") and one that does not ("I like"), and compare the last column.

print("prompt tokens:", " ".join(label(i) for i in prompt_ids))
