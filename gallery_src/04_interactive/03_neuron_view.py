"""
# Neuron view: the queries and keys behind one head's attention

An interactive bertviz neuron view that opens up one attention head, from queries and keys to attention weights.

For a token you pick, it shows its query vector, every key vector, their elementwise products, the dot products and the softmax that turns them into attention weights. The neuron view needs bertviz's own copy of the BERT classes, which return the query and key vectors along with the attention. This page shows how to load the same weights into those classes with plain Hugging Face code, offline, and checks that the copy computes the same attention as the transformers model.
"""

# %%
# ## Load the transformers model, and pick a head to inspect
#
# The transformers model is used here to choose a head and, further down, to
# check the bertviz copy. The head chosen is the most concentrated head of the
# first layer (lowest average attention entropy): a head with a sharp pattern
# is the easiest to understand from its queries and keys.

import os
import shutil
import tempfile

import safetensors.torch
import torch
from huggingface_hub import snapshot_download
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager attention, needed for attention weights
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()

# Short sentences keep the view small: it stores a query and a key vector
# for every token, head and layer.
sentence_a = "The quick brown fox"
sentence_b = "jumps over the lazy dog"

inputs = tokenizer(sentence_a, sentence_b, return_tensors="pt")
with torch.no_grad():
    hf_attention = model(**inputs).attentions

LAYER = 0
weights = hf_attention[LAYER][0]  # (heads, query, key)
entropy = -(weights * torch.log(weights.clamp_min(1e-12))).sum(-1).mean(-1)
HEAD = int(entropy.argmin())
print(
    f"layer {LAYER}: most concentrated head is head {HEAD} "
    f"(mean entropy {entropy[HEAD]:.2f} nats, the layer's median is "
    f"{entropy.median():.2f})"
)

# The view below is described as a previous-token head: check it. Every row
# after the first has its largest weight (and so its largest dot product) one
# token back, and nearly all of the weight sits there, except the first word
# of the second sentence, which reads mostly itself.
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
first_of_b = inputs["token_type_ids"][0].tolist().index(1)
rows = [q for q in range(1, len(tokens)) if q != first_of_b]
strongest = weights[HEAD].argmax(dim=-1)
assert (
    all(strongest[q] == q - 1 for q in rows)
    and strongest[first_of_b] == first_of_b
), strongest
assert weights[HEAD][rows, [q - 1 for q in rows]].min() > 0.9
assert weights[HEAD][first_of_b, first_of_b] > 0.5  # mostly itself
print(
    f"head {HEAD}: every token reads the one before it, except "
    f"{tokens[first_of_b]!r}, which reads mostly itself"
)

# %%
# ## Load the same weights into bertviz's BERT classes
#
# `bertviz.transformers_neuron_view` contains an old version of the BERT
# code, modified to return queries and keys. Its `from_pretrained` only
# understands a local folder with `config.json`, `vocab.txt` and a
# `pytorch_model.bin` weights file, and it returns `None` instead of raising
# an error when a file is missing. So:
#
# 1. `snapshot_download` locates the model's files in the Hugging Face cache
#    (or downloads them, if a network is available). `allow_patterns` fetches
#    only the three files needed.
# 2. In a temporary folder, the safetensors weights are re-saved in the old
#    `pytorch_model.bin` format, next to copies of the config and vocabulary.
# 3. A `None` from the loaders becomes a clear error.

from bertviz.transformers_neuron_view import BertModel, BertTokenizer

snapshot = snapshot_download(
    MODEL_NAME,
    allow_patterns=["config.json", "vocab.txt", "model.safetensors"],
)

with tempfile.TemporaryDirectory() as folder:
    for name in ("config.json", "vocab.txt"):
        source = os.path.join(snapshot, name)
        if not os.path.exists(source):
            raise RuntimeError(
                f"{MODEL_NAME} has no {name}, which the neuron view needs"
            )
        shutil.copy(source, os.path.join(folder, name))
    weights_file = os.path.join(snapshot, "model.safetensors")
    if not os.path.exists(weights_file):
        raise RuntimeError(
            f"{MODEL_NAME} has no model.safetensors to convert to "
            "pytorch_model.bin"
        )
    torch.save(
        safetensors.torch.load_file(weights_file),
        os.path.join(folder, "pytorch_model.bin"),
    )

    neuron_model = BertModel.from_pretrained(folder)
    if neuron_model is None:
        raise RuntimeError(
            "bertviz's BertModel.from_pretrained returned None: "
            "config.json or pytorch_model.bin could not be read"
        )
    neuron_tokenizer = BertTokenizer.from_pretrained(
        folder, do_lower_case=True
    )
    if neuron_tokenizer is None:
        raise RuntimeError(
            "bertviz's BertTokenizer.from_pretrained returned None: vocab.txt "
            "could not be read"
        )
neuron_model.eval()

# %%
# ## Check: the copy computes the same attention
#
# Old and new code should agree to float precision. If a weight had failed to
# load, the old code would have kept its random initial value and the
# attention would differ.

with torch.no_grad():
    old_outputs = neuron_model(
        inputs["input_ids"], token_type_ids=inputs["token_type_ids"]
    )
old_attention = old_outputs[-1][LAYER]["attn"][0]
difference = (old_attention - hf_attention[LAYER][0]).abs().max().item()
print(
    f"largest difference between the two models' attention in layer {LAYER}: "
    f"{difference:.1e}"
)
if difference > 1e-4:
    raise RuntimeError(
        "bertviz's copy of the model does not reproduce the transformers model"
    )

# %%
# ## The view
#
# How to read and use it:
#
# * The drop-down menus at the top select the **layer**, the **head** and,
#   for a sentence pair, which **attention** to show (all, or within or
#   across the two sentences). The view opens on the head chosen above.
# * In the collapsed view, lines join the tokens on the left (queries) to the
#   tokens on the right (keys); their opacity is the attention weight.
# * **Hover** over a token on the left, then click the **+** icon that
#   appears beside it to expand the computation, from left to right:
#   the token's **query q**; the **key k** of every token; **q × k**, the
#   elementwise product; **q · k**, its sum (the attention score before
#   scaling); and the **softmax** bars, the final attention weights. Each
#   small cell in a vector is one number: blue is positive, orange negative,
#   and a stronger color means a larger magnitude. Click the **−** icon to
#   collapse the view.
#
# With the default all-MiniLM-L6-v2, the head shown is a previous-token head:
# expand it and hover over a word to see that the largest dot product, and
# nearly all of the softmax, lands on the token just before it. The one
# exception is "jumps", the first word of the second sentence, which reads
# mostly itself rather than the `[SEP]` before it. Since the
# head does this whatever the word, the information it uses must come mainly
# from the position embeddings, which are added to the word embeddings before
# the first layer and so take part in every query and key.
#
# Note that bertviz tokenizes the two sentences itself, with its own copy of
# the tokenizer; the vocabulary is the same, so the tokens match.

from bertviz import neuron_view

neuron_view.show(
    neuron_model,
    "bert",
    neuron_tokenizer,
    sentence_a,
    sentence_b,
    layer=LAYER,
    head=HEAD,
)
