"""
# Head view of a sentence pair

A head view of two sentences fed to the model together, with a filter for attention within or across the sentences.

The filter shows only the attention within each sentence, or across from one to the other. BERT was pretrained on pairs of segments, marked by `token_type_ids` (0 for the first, 1 for the second). The head view reads where the second sentence starts and adds a drop-down menu for the four sentence-to-sentence combinations.
"""

# gallery_live = "sentence_pair"

# %%
# ## Tokenize the two sentences together
#
# In transformers 5, `tokenizer(sentence_a, sentence_b)` builds
# `[CLS] A [SEP] B [SEP]` and returns `token_type_ids` that mark the second
# segment with 1. The position where B starts is the first 1 in that list;
# computing it from the tokenizer's output avoids counting tokens by hand.

import os

import torch
from transformers import AutoModel, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
# eager attention, needed for attention weights
model = AutoModel.from_pretrained(MODEL_NAME, output_attentions=True)
model.eval()

sentence_a = "The quick brown fox jumps over the lazy dog."
sentence_b = "The dog does not even wake up."
inputs = tokenizer(sentence_a, sentence_b, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
token_type_ids = inputs["token_type_ids"][0].tolist()
sentence_b_start = token_type_ids.index(1)

with torch.no_grad():
    attention = model(**inputs).attentions

for token, segment in zip(tokens, token_type_ids):
    print(f"{segment}  {token}")
print("sentence B starts at token", sentence_b_start)

# %%
# ## How much attention crosses between the sentences?
#
# Before opening the view, a number to compare against: for each layer, the
# share of the attention of sentence A's tokens that goes to sentence B, and
# the other way round, averaged over heads and tokens, and the part of B→A
# that goes to `[CLS]` alone. (`[CLS]` and the first `[SEP]` count as part of A
# here, as in bertviz.)

a = slice(0, sentence_b_start)
b = slice(sentence_b_start, len(tokens))
words_a = list(range(1, sentence_b_start - 1))  # A without [CLS] and its [SEP]
cross = []
for layer, layer_attention in enumerate(attention):
    weights = layer_attention[0]  # (heads, query, key)
    a_to_b = weights[:, a, b].sum(-1).mean().item()
    b_to_a = weights[:, b, a].sum(-1).mean().item()
    b_to_cls = weights[:, b, 0].mean().item()
    b_to_words = weights[:, b][:, :, words_a].sum(-1).mean().item()
    cross.append((a_to_b, b_to_a, b_to_cls, b_to_words))
    print(
        f"layer {layer}: A→B {a_to_b:.2f}   B→A {b_to_a:.2f}   B→[CLS] "
        f"{b_to_cls:.2f}   B→words of A {b_to_words:.2f}"
    )
a_to_b, b_to_a, b_to_cls, b_to_words = (
    torch.tensor(column) for column in zip(*cross)
)

# %%
# ## The view
#
# It works like the single-sentence head view (layer menu, head squares:
# click to toggle, double-click to isolate, hover over a token to follow its
# attention), plus an **Attention** menu:
#
# * **All**: every token of both sentences on both sides;
# * **Sentence A -> Sentence A** and **Sentence B -> Sentence B**: attention
#   within each sentence;
# * **Sentence A -> Sentence B** and **Sentence B -> Sentence A**: attention
#   from the tokens of one sentence (left) to those of the other (right).
#
# With the default all-MiniLM-L6-v2, B attends to A more than A attends to B
# in every layer, and more than twice as much after the first layer. Much of
# that is `[CLS]`, which sits at the start of A: in the middle layers, more
# than half of B→A goes to `[CLS]` alone (printed above). Pick "Sentence B ->
# Sentence A" and see how many lines end at `[CLS]`; then pick the last
# layer, where more of B's attention reaches the words of A than in any other
# layer, mostly "fox", "jumps" and "lazy". Some heads link a word to the same
# word in the other sentence: in layer 2, hover over the second "dog" on the
# left and double-click head 4 or head 9, the two heads that link it most
# strongly to the first "dog".

assert (b_to_a > a_to_b).all() and (b_to_a[1:] > 2 * a_to_b[1:]).all()
# middle layers: more than half of B→A on [CLS]
assert (b_to_cls[1:-1] > 0.5 * b_to_a[1:-1]).all()
# the last layer reaches A's words most
assert b_to_words.argmax() == len(attention) - 1, b_to_words
last = attention[-1][0][:, b][:, :, words_a].mean(dim=(0, 1))  # per word of A
assert {tokens[words_a[i]] for i in last.argsort(descending=True)[:3]} == {
    "fox",
    "jumps",
    "lazy",
}
first_dog, second_dog = [
    i for i, token in enumerate(tokens) if token == "dog"
][:2]
dog_to_dog = attention[2][0, :, second_dog, first_dog]  # per head of layer 2
assert set(dog_to_dog.argsort(descending=True)[:2].tolist()) == {4, 9}, (
    dog_to_dog
)
#
# A caveat for this model: all-MiniLM-L6-v2 is a *bi-encoder*, fine-tuned to
# embed one sentence at a time and compare the embeddings. It still accepts
# pairs (its BERT ancestry gives it token-type embeddings), but nothing in its
# fine-tuning taught it to relate two sentences inside one input. A
# cross-encoder, trained on pairs, is the model to study for that.

from bertviz import head_view

head_view(attention, tokens, sentence_b_start)
