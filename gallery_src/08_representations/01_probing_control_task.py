"""
# Probing for noun or verb, with a control task

A linear probe per layer tells "watch" the noun from "watch" the verb, tested on words it never saw and against a control task.

The same word can be a noun ("my **watch** is slow") or a verb ("I **watch** the news"). Its embedding cannot tell
which: the difference lives only in the context, so a probe that reads it off a layer shows that the layers before
have brought it in. This page trains one logistic-regression probe per layer of the encoder and plots its accuracy
on held-out words. A *control task* (Hewitt & Liang, 2019) then asks the question every probe owes its reader: could
the probe have learned this on its own, by memorising words? The answer depends on the probe's capacity, and the
second figure shows how.
"""

# gallery_thumbnail_number = 1
# gallery_thumbnail_panel = 1

# %%
# ## A small data set, written for this page
#
# 28 words that are common both as a noun and as a verb, each in three sentences as a noun and three as a verb: 168
# sentences, written by hand for this project. The verb is always in its base form and the noun in the singular, so
# the target is the *same token* in both uses.
#
# Two details of the design matter for what follows:
#
# * **The label is balanced within every word.** Knowing which word it is tells nothing about its role, so a probe
#   cannot score above chance by recognising words.
# * **Noun and verb uses sit at the same positions.** The first hidden state (layer 0, the embedding output) is the
#   word's embedding plus a *position* embedding. Each word's noun sentences put it at the same three positions as
#   its verb sentences, so position cannot give the answer away either (the code checks this).

import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

torch.manual_seed(0)

# word: ([three sentences using it as a noun], [three using it as a verb])
SENTENCES = {
    "watch": (
        [
            "My watch is slow.",
            "The old watch stopped ticking.",
            "He wore a watch to dinner.",
        ],
        [
            "I watch the news daily.",
            "We always watch football together.",
            "They like to watch the birds.",
        ],
    ),
    "run": (
        [
            "Her run was very fast.",
            "The morning run felt easy.",
            "He enjoyed a run by the river.",
        ],
        [
            "They run every morning.",
            "We often run in the park.",
            "I want to run a marathon.",
        ],
    ),
    "play": (
        [
            "The play lasted three hours.",
            "The school play was funny.",
            "We saw a play last night.",
        ],
        [
            "Children play in the garden.",
            "They often play chess at lunch.",
            "I like to play the piano.",
        ],
    ),
    "walk": (
        [
            "Our walk took an hour.",
            "The long walk tired everyone.",
            "She took a walk after lunch.",
        ],
        [
            "We walk to school together.",
            "They usually walk the dog at night.",
            "I prefer to walk home.",
        ],
    ),
    "call": (
        [
            "His call came at midnight.",
            "The phone call was short.",
            "I missed a call from my mother.",
        ],
        [
            "I call my sister every week.",
            "They never call before visiting.",
            "Please remember to call the doctor.",
        ],
    ),
    "plan": (
        [
            "The plan worked perfectly.",
            "Our travel plan changed twice.",
            "They need a plan for the weekend.",
        ],
        [
            "We plan our meals on Sunday.",
            "They carefully plan every trip.",
            "I want to plan a party.",
        ],
    ),
    "cook": (
        [
            "The cook made fresh bread.",
            "The hotel cook retired.",
            "They hired a cook for the wedding.",
        ],
        [
            "I cook dinner most nights.",
            "We sometimes cook outside.",
            "She likes to cook for friends.",
        ],
    ),
    "drink": (
        [
            "My drink is too sweet.",
            "The cold drink helped.",
            "He ordered a drink at the bar.",
        ],
        [
            "They drink tea every afternoon.",
            "We rarely drink coffee.",
            "You need to drink more water.",
        ],
    ),
    "dance": (
        [
            "The dance lasted all night.",
            "Their first dance was lovely.",
            "We learned a dance from Brazil.",
        ],
        [
            "They dance every Friday.",
            "We often dance in the kitchen.",
            "She loves to dance at weddings.",
        ],
    ),
    "fish": (
        [
            "The fish swam away.",
            "The small fish was orange.",
            "He caught a fish this morning.",
        ],
        [
            "They fish in the lake.",
            "We sometimes fish from the bridge.",
            "I learned to fish as a child.",
        ],
    ),
    "paint": (
        [
            "The paint is still wet.",
            "The blue paint looked great.",
            "We bought some paint for the fence.",
        ],
        [
            "They paint houses for a living.",
            "We slowly paint the walls.",
            "I want to paint the door red.",
        ],
    ),
    "ride": (
        [
            "The ride was bumpy.",
            "The bus ride took an hour.",
            "We enjoyed a ride through the hills.",
        ],
        [
            "They ride bikes to work.",
            "We often ride horses on holiday.",
            "She learned to ride last year.",
        ],
    ),
    "swim": (
        [
            "Our swim was cold.",
            "The morning swim woke me up.",
            "She had a swim before breakfast.",
        ],
        [
            "We swim every Sunday.",
            "They often swim in the river.",
            "Kids learn to swim early.",
        ],
    ),
    "visit": (
        [
            "Her visit was short.",
            "The last visit went well.",
            "We planned a visit to Rome.",
        ],
        [
            "They visit their parents often.",
            "We sometimes visit the museum.",
            "I hope to visit Japan.",
        ],
    ),
    "kiss": (
        [
            "The kiss surprised her.",
            "Their first kiss was awkward.",
            "He gave a kiss to the baby.",
        ],
        [
            "They kiss goodbye every morning.",
            "Couples often kiss at midnight.",
            "He tried to kiss her.",
        ],
    ),
    "jump": (
        [
            "The jump was very high.",
            "His final jump won gold.",
            "She made a jump over the fence.",
        ],
        [
            "Frogs jump into the pond.",
            "Children often jump on the bed.",
            "I had to jump the fence.",
        ],
    ),
    "smile": (
        [
            "Her smile was warm.",
            "His big smile returned.",
            "She gave a smile to everyone.",
        ],
        [
            "They smile at strangers.",
            "People always smile at babies.",
            "Please try to smile for the photo.",
        ],
    ),
    "laugh": (
        [
            "His laugh was loud.",
            "Her quiet laugh filled the room.",
            "We shared a laugh about it.",
        ],
        [
            "They laugh at every joke.",
            "We always laugh together.",
            "Try not to laugh now.",
        ],
    ),
    "dream": (
        [
            "My dream felt real.",
            "Her strange dream scared her.",
            "I had a dream about flying.",
        ],
        [
            "We dream of a quiet life.",
            "Children often dream of flying.",
            "I used to dream in colour.",
        ],
    ),
    "fight": (
        [
            "The fight lasted ten minutes.",
            "Their last fight was about money.",
            "There was a fight outside.",
        ],
        [
            "Cats fight over food.",
            "They often fight about chores.",
            "We need to fight for justice.",
        ],
    ),
    "help": (
        [
            "Your help was useful.",
            "The extra help arrived late.",
            "She asked for help twice.",
        ],
        [
            "They help their neighbours.",
            "We always help each other.",
            "I want to help you.",
        ],
    ),
    "answer": (
        [
            "Her answer was correct.",
            "The right answer is four.",
            "He gave an answer quickly.",
        ],
        [
            "I answer emails each morning.",
            "They rarely answer the phone.",
            "Please try to answer honestly.",
        ],
    ),
    "work": (
        [
            "My work is boring.",
            "Her new work sold well.",
            "He finished the work early.",
        ],
        [
            "We work from home.",
            "They often work late.",
            "I need to work tomorrow.",
        ],
    ),
    "sleep": (
        [
            "My sleep was restless.",
            "A good sleep helps everyone.",
            "She needs more sleep at night.",
        ],
        [
            "Cats sleep most of the day.",
            "We usually sleep early.",
            "I tried to sleep on the train.",
        ],
    ),
    "shop": (
        [
            "The shop closed early.",
            "The corner shop sells bread.",
            "She opened a shop downtown.",
        ],
        [
            "We shop on Saturdays.",
            "They usually shop online.",
            "I like to shop for shoes.",
        ],
    ),
    "hope": (
        [
            "Our hope was fading.",
            "Their only hope is rain.",
            "There is still hope for him.",
        ],
        [
            "We hope you feel better.",
            "They really hope to win.",
            "I continue to hope for peace.",
        ],
    ),
    "love": (
        [
            "Their love grew stronger.",
            "My first love was music.",
            "They wrote about love and loss.",
        ],
        [
            "I love this song.",
            "Kids really love pizza.",
            "We came to love the city.",
        ],
    ),
    "climb": (
        [
            "The climb was steep.",
            "The final climb took hours.",
            "They finished a climb yesterday.",
        ],
        [
            "Goats climb steep rocks.",
            "We often climb that hill.",
            "I want to climb a mountain.",
        ],
    ),
}

words = list(SENTENCES)
texts, is_verb, word_index, pair_index = [], [], [], []
for w, (nouns, verbs) in enumerate(SENTENCES.values()):
    for label, group in enumerate((nouns, verbs)):  # 0 = noun, 1 = verb
        for pair, sentence in enumerate(group):
            texts.append(sentence)
            is_verb.append(label)
            word_index.append(w)
            pair_index.append(pair)
is_verb, word_index, pair_index = (
    torch.tensor(is_verb),
    torch.tensor(word_index),
    torch.tensor(pair_index),
)
n_words, n_sentences = len(words), len(texts)
print(
    f"{n_sentences} sentences, {n_words} words, {is_verb.sum().item()} verb "
    "uses"
)

# %%
# ## One hidden state per target word and layer
#
# One padded batch runs all 168 sentences at once. For each sentence we find the target word's token and keep its
# vector from every hidden state: the embedding output and the output of each layer.

MODEL_NAME = os.environ.get(
    "GALLERY_BERT_MODEL", "sentence-transformers/all-MiniLM-L6-v2"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModel.from_pretrained(MODEL_NAME)
model.eval()

batch = tokenizer(texts, return_tensors="pt", padding=True)
target_ids = torch.tensor(tokenizer.convert_tokens_to_ids(words))
# every target word is one token of the vocabulary ...
assert tokenizer.unk_token_id not in target_ids
is_target = batch["input_ids"] == target_ids[word_index][:, None]
# ... and occurs exactly once in its sentence
assert (is_target.sum(1) == 1).all()
position = is_target.int().argmax(1)
# each word: the same positions as a noun and as a verb
for w in range(n_words):
    noun_positions = position[(word_index == w) & (is_verb == 0)].sort().values
    verb_positions = position[(word_index == w) & (is_verb == 1)].sort().values
    assert torch.equal(noun_positions, verb_positions), words[w]

with torch.no_grad():
    hidden_states = model(**batch, output_hidden_states=True).hidden_states
# (layers + 1, sentences, hidden)
vectors = torch.stack(hidden_states)[:, torch.arange(n_sentences), position]
n_states = vectors.shape[0]
print(
    f"{n_states} hidden states (embeddings + {model.config.num_hidden_layers} "
    "layers), "
    f"{vectors.shape[-1]} numbers each"
)

# %%
# ## The probe: logistic regression, one per layer
#
# A probe is a deliberately simple classifier: here, logistic regression with a small L2 penalty, fitted by Newton's
# method. All the probes of this page (every layer, every cross-validation fold, every task) are independent
# problems of the same shape, so `train_probes` fits them all at once as one batch.
#
# Before fitting, each layer's vectors are centred and rotated onto their principal axes (PCA, computed without the
# labels), and scaled so that their mean squared length is 1. For a linear probe with an L2 penalty a rotation
# changes nothing, and the scaling lets one penalty suit every layer. The rotation pays off in the last section,
# where keeping only the first `k` coordinates gives a probe of smaller capacity.


def principal_coordinates(x):
    """Coordinates of the rows of x along its principal axes, scaled to a mean
    squared length of 1."""
    centred = x - x.mean(-2, keepdim=True)
    u, s, _ = torch.linalg.svd(centred, full_matrices=False)
    return (
        u
        * s.unsqueeze(-2)
        / centred.pow(2).sum(-1).mean(-1)[..., None, None].sqrt()
    )


def train_probes(x, y, train, l2=1e-3, steps=6):
    """L2-regularised logistic regression by Newton's method, for a whole
    batch of problems at once.

    x: (..., n, d) features; y: (..., n) labels 0/1; train: (..., n) True for
    the rows to fit. The leading dimensions broadcast. Returns the predicted
    labels of all n rows, shape (..., n).
    """
    # a constant feature for the bias
    x = torch.cat([x, torch.ones_like(x[..., :1])], -1)
    shape = torch.broadcast_shapes(
        x.shape[:-2], y.shape[:-1], train.shape[:-1]
    )
    x = x.expand(*shape, *x.shape[-2:])
    y = y.float().expand(*shape, y.shape[-1])
    weight = train.float().expand(*shape, train.shape[-1])
    # mean loss over the training rows
    weight = weight / weight.sum(-1, keepdim=True)
    penalty = 2 * l2 * torch.eye(x.shape[-1])
    penalty[-1, -1] = 0  # no penalty on the bias
    w = torch.zeros(*shape, x.shape[-1], 1)
    for _ in range(steps):
        p = torch.sigmoid(x @ w)
        gradient = (
            x.mT @ (weight.unsqueeze(-1) * (p - y.unsqueeze(-1))) + penalty @ w
        )
        hessian = x.mT @ (x * (weight.unsqueeze(-1) * p * (1 - p))) + penalty
        # the Hessian is positive definite
        w = w - torch.cholesky_solve(gradient, torch.linalg.cholesky(hessian))
    return (x @ w).squeeze(-1) > 0


# (layers + 1, sentences, components)
features = principal_coordinates(vectors)
n_components = features.shape[-1]

# %%
# ## Held-out words: can the probe generalise?
#
# The words are split into 7 groups of 4; each group in turn is held out, the probe is fitted on the sentences of
# the other 24 words and scored on the sentences of the 4 it never saw. A probe that passes this test has found a
# direction that means "verb here" for words in general, not a list of words.
#
# With the default all-MiniLM-L6-v2:
#
# * **Layer 0 is at chance, 0.50**, as the design guarantees: the same word at the same positions gets the same
#   vector whether it is a noun or a verb.
# * **One layer is enough.** After the first layer the probe is right on 0.99 of the held-out words' sentences,
#   and on all of them after the second. The first layer's attention brings in the neighbouring words (a
#   determiner before a noun, a pronoun before a verb), which is all it takes in sentences like these.
# * **The last layer gives some of it back** (about 0.93): this model was fine-tuned to produce sentence embeddings, and
#   its last layer serves that purpose rather than word roles.
#
# In the figures, "layer 0" is the embedding output and "layer *i*" the output of encoder layer *i*, counted from 1.

word_fold = torch.randperm(n_words) % 7  # 7 groups of 4 words
# (folds, sentences)
train_words = torch.stack([word_fold[word_index] != fold for fold in range(7)])
# (layers + 1, folds, sentences)
predicted = train_probes(features[:, None], is_verb, train_words)
correct = (predicted == is_verb.bool()) & ~train_words
# each sentence tested exactly once
accuracy_words = (correct.sum((-1, -2)) / (~train_words).sum()).numpy()
print(
    "held-out words, accuracy per layer:",
    " ".join(f"{a:.3f}" for a in accuracy_words),
)
assert abs(accuracy_words[0] - 0.5) < 0.05, accuracy_words[0]
assert accuracy_words[1] > 0.95 and accuracy_words[2] > 0.98, accuracy_words[
    :3
]
assert 0.88 < accuracy_words[-1] < accuracy_words.max() - 0.03, accuracy_words[
    -1
]

# %%
# ## The control task
#
# Hewitt & Liang's control task keeps the inputs and replaces the labels: every *word* gets a random label, the same
# in all its sentences, with half the words labelled 1. Nothing in the model encodes these labels; a probe can only
# score well on them by memorising which word is which, so its control accuracy measures what the *probe* can do by
# itself. **Selectivity** is the probe's accuracy on the real task minus its accuracy on the control task: a
# selective probe is good at the real task and bad at the control.
#
# Memorising only pays off on words seen in training, so both tasks are scored here with a split by *sentence*:
# the probe trains on two noun and two verb sentences of every word and is tested on the remaining pair. (Under the
# held-out-word split above, the control label of an unseen word is a coin toss by construction, whatever the probe,
# and the control says nothing.) Five random labellings are averaged.
#
# The result is a warning. **The control task is solved perfectly at every layer, including layer 0**: with 384
# dimensions and only 28 words, a linear probe can memorise any labelling of the words. Selectivity is therefore
# -0.50 at layer 0 and about 0 everywhere else. By Hewitt and Liang's measure, this probe is too expressive for its
# accuracy alone to prove anything; here the accuracy still means something only because the data set was built so
# that memorising words cannot help (each word is half nouns, half verbs).
#
# This is also why a probe for a property of the *token* teaches nothing, for example "this token continues a word"
# (the `##` pieces of WordPiece): it scores 1.0 already at layer 0, because the embedding is a lookup of the token
# and the label is a function of the token. A probe that memorises tokens gets it right without the model computing
# anything. Choose properties that change with the context, and check that layer 0 is at chance.

n_labellings = 5
control_labels = torch.stack(
    [torch.randperm(n_words) % 2 for _ in range(n_labellings)]
)[:, word_index]
# task 0: noun or verb; tasks 1..5: control labellings
tasks = torch.cat([is_verb[None], control_labels])
# (folds, sentences)
train_pairs = torch.stack([pair_index != pair for pair in range(3)])


def sentence_split_accuracy(x):
    """Accuracy of the real task and the mean over the control labellings, per
    layer, split by sentence."""
    # (layers + 1, tasks, folds, sentences)
    predicted = train_probes(x[:, None, None], tasks[:, None], train_pairs)
    correct = (predicted == tasks[:, None].bool()) & ~train_pairs
    # (layers + 1, tasks)
    accuracy = correct.sum((-1, -2)) / (~train_pairs).sum()
    return accuracy[:, 0].numpy(), accuracy[:, 1:].mean(1).numpy()


accuracy_sentences, accuracy_control = sentence_split_accuracy(features)
selectivity = accuracy_sentences - accuracy_control
print("layer  held-out words  held-out sentences  control  selectivity")
for layer in range(n_states):
    print(
        f"{layer:>5}  {accuracy_words[layer]:14.3f}  "
        f"{accuracy_sentences[layer]:18.3f}  "
        f"{accuracy_control[layer]:7.3f}  {selectivity[layer]:+11.3f}"
    )
assert (accuracy_control > 0.99).all(), accuracy_control  # solved perfectly
assert abs(selectivity[0] + 0.5) < 0.05, selectivity[0]
assert (np.abs(selectivity[1:]) < 0.05).all(), selectivity

layers = np.arange(n_states)
fig, ax = plt.subplots(figsize=(6.8, 3.6), layout="constrained")
ax.plot(
    layers,
    accuracy_words,
    "o-",
    color="tab:blue",
    linewidth=2.5,
    label="noun or verb, held-out words",
)
ax.plot(
    layers,
    accuracy_sentences,
    "s--",
    color="tab:blue",
    alpha=0.7,
    label="noun or verb, held-out sentences",
)
ax.plot(
    layers,
    accuracy_control,
    "^-",
    color="tab:orange",
    zorder=1,
    label="control task (random label per word)",
)
ax.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
ax.text(1.1, 0.51, "chance", color="0.4", ha="left", va="bottom", fontsize=9)
ax.set_xticks(layers, ["0\n(emb.)"] + [str(i) for i in layers[1:]])
ax.set_xlabel("layer")
ax.set_ylabel("probe accuracy on held-out data")
ax.set_ylim(0.4, 1.03)
ax.set_title(
    "Linear probe on each layer: noun or verb, and the control task",
    fontsize=10,
)
ax.legend(loc="lower right", fontsize=9)
ax.grid(True, alpha=0.3)
plt.show()

# %%
# ## Selectivity depends on the probe's capacity
#
# Hewitt and Liang's remedy is to give the probe less capacity, so that memorising becomes hard while a property the
# representation makes prominent stays easy. Here the probe sees only the first `k` principal coordinates of each
# layer, the `k` directions along which the 168 vectors vary most, for `k` = 8, 16, and all of them.
#
# With the default model:
#
# * With **16 coordinates**, the control task falls to about 0.9 while the real task stays near 0.99 in layers 2
#   and 3: selectivity turns positive in layers 2 to 4, and stays negative at layers 0, 1 and 6.
# * With **8 coordinates**, the control falls to about 0.7, and the real task stays high only in layers 2 and 3
#   (about 0.9; 0.7 or less elsewhere): selectivity peaks there, above +0.2.
# * **Layer 1 is the telling case.** The full probe reads noun or verb from it almost perfectly, but a probe limited
#   to its main directions does not (about 0.55): the information is present, in a direction of small variance.
#   From layer 2 on it becomes one of the main axes along which the vectors differ; in the last layer it leaves
#   them again (0.6 or less with 8 or 16 coordinates).
#
# So "which layer encodes the property best?" has no single answer: the full probe ranks layers 1 to 5 alike, the
# constrained one picks layers 2 and 3. Report selectivity together with accuracy, and say which probe you used.

capacities = [8, 16, n_components]
results = {k: sentence_split_accuracy(features[..., :k]) for k in capacities}
for k, (real, control) in results.items():
    print(
        f"k = {k:3d}   noun or verb: {' '.join(f'{a:.2f}' for a in real)}   "
        f"control: {' '.join(f'{a:.2f}' for a in control)}"
    )

real_16, control_16 = results[16]
# about 0.9
assert (0.8 < control_16).all() and (control_16 < 0.95).all(), control_16
assert (real_16[2:4] > 0.97).all(), real_16
assert (real_16[2:5] - control_16[2:5] > 0.05).all() and (
    real_16[[0, 1, -1]] < control_16[[0, 1, -1]]
).all()
real_8, control_8 = results[8]
# about 0.7
assert (0.6 < control_8).all() and (control_8 < 0.8).all(), control_8
# about 0.9
assert (0.85 < real_8[2:4]).all() and (real_8[2:4] < 0.95).all(), real_8
assert (real_8[[0, 1, 4, 5, 6]] < 0.71).all(), real_8  # 0.7 or less elsewhere
assert (real_8[2:4] - control_8[2:4] > 0.2).all(), real_8 - control_8
# layer 1
assert (
    0.5 < real_8[1] < 0.6
    and 0.5 < real_16[1] < 0.6
    and accuracy_sentences[1] > 0.95
)
# the last layer
assert real_8[-1] < 0.61 and real_16[-1] < 0.61, (real_8[-1], real_16[-1])
# the full probe: layers 1 to 5 alike
assert np.ptp(accuracy_sentences[1:6]) < 0.03, accuracy_sentences

fig, (ax_accuracy, ax_selectivity) = plt.subplots(
    1, 2, figsize=(6.8, 3.8), layout="constrained", sharex=True
)
colors = {8: "tab:purple", 16: "tab:green", n_components: "tab:blue"}
for k, (real, control) in results.items():
    name = "all" if k == n_components else str(k)
    ax_accuracy.plot(
        layers, real, "o-", color=colors[k], label=f"k = {name} coordinates"
    )
    ax_accuracy.plot(layers, control, "^:", color=colors[k])
    ax_selectivity.plot(layers, real - control, "o-", color=colors[k])
ax_accuracy.plot([], [], "o-", color="0.4", label="noun or verb")
ax_accuracy.plot([], [], "^:", color="0.4", label="control task")
ax_accuracy.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
ax_accuracy.set_ylim(0.4, 1.03)
ax_accuracy.set_ylabel("accuracy on held-out sentences")
ax_accuracy.set_title("Accuracy", fontsize=10)
ax_selectivity.axhline(0, color="0.5", linewidth=1)
ax_selectivity.set_ylabel("selectivity (noun or verb - control)")
ax_selectivity.set_title("Selectivity", fontsize=10)
for ax in (ax_accuracy, ax_selectivity):
    ax.set_xticks(layers)
    ax.set_xlabel("layer (0 = embeddings)")
    ax.grid(True, alpha=0.3)
fig.legend(loc="outside lower center", ncol=3, fontsize=9)
plt.show()

# %%
# ## Caveats
#
# * **A probe shows that a property can be read, not that the model uses it.** The model may never look along the
#   probe's direction. Interventions answer that question: remove the direction and see whether the model's
#   behaviour changes (Elazar et al., 2021, "Amnesic Probing: Behavioral Explanation with Amnesic Counterfactuals").
#   Belinkov (2022), "Probing Classifiers: Promises, Shortcomings, and Advances", surveys the pitfalls.
# * **The probe finds whatever separates the labels.** In these sentences a noun follows a determiner or a possessive
#   and a verb follows a pronoun, an adverb or "to". The probe may have learned "the word before is a determiner"
#   rather than an abstract noun/verb category; harder sentences (garden paths, "I saw her duck") would test that.
# * **A small, hand-written set.** 168 sentences and 28 words: one sentence more or less right moves an accuracy by
#   0.006, and a different set of words would move the numbers a few points. The pattern (chance at layer 0, high
#   from layer 1, the capacity effect) is what to take away, not the third decimal.
# * **Capacity is one knob among several.** Hewitt and Liang also vary the training set size and the regularisation;
#   PCA coordinates are only one way to limit a linear probe. With many more word types (their control tasks use
#   the whole vocabulary of a treebank) memorising is harder, and the full probe is more selective than here.
#
# Reference: John Hewitt and Percy Liang (2019), "Designing and Interpreting Probes with Control Tasks",
# [arXiv:1909.03368](https://arxiv.org/abs/1909.03368).
