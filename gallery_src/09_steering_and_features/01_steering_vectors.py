"""
# Steering vectors: adding a direction to the residual stream

Build a sentiment steering vector from contrast sentences, add it to SmolLM2's residual stream, and measure how far it moves the next-token predictions, layer by layer, and where it breaks the model's fluency.

Activation addition (Turner et al., 2023, "Activation Addition: Steering Language Models Without Optimization") and
contrastive activation addition (Rimsky et al., 2024, "Steering Llama 2 via Contrastive Activation Addition") steer
a model without training it: take the difference between the mean residual activations of two sets of contrasting
texts, and add a multiple of that difference to the residual stream while the model runs. This page builds a
positive-minus-negative sentiment vector, then measures its effect on held-out prompts as the log-probability of
positive words against negative ones, at every few layers and for several coefficients, next to the loss of a
neutral text as a measure of fluency.
"""

# %%
# ## The model and the contrast sentences
#
# Eight positive and eight negative sentences, paired in meaning. The vector of a layer is the mean of that layer's
# output over the positive sentences' tokens minus the same mean over the negative ones. The first position is left
# out of the means: in this model the first token's residual stream is hundreds of times larger than the others'
# (it serves as an attention sink), and it would swamp the difference.

import os

import matplotlib.pyplot as plt
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = os.environ.get(
    "GALLERY_DECODER_MODEL", "HuggingFaceTB/SmolLM2-135M-Instruct"
)
tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
model = AutoModelForCausalLM.from_pretrained(MODEL_NAME)
model.eval()
layers = model.model.layers
if tokenizer.pad_token is None:
    tokenizer.pad_token = tokenizer.eos_token

positive = [
    "I love this, it is wonderful.",
    "What a great and happy day.",
    "This is excellent, I am delighted.",
    "The film was brilliant and moving.",
    "She was kind, warm and generous.",
    "Everything went perfectly, thank you!",
    "I am so happy with the result.",
    "A beautiful, joyful celebration.",
]
negative = [
    "I hate this, it is awful.",
    "What a terrible and sad day.",
    "This is dreadful, I am furious.",
    "The film was boring and painful.",
    "She was cruel, cold and selfish.",
    "Everything went wrong, what a disaster!",
    "I am so unhappy with the result.",
    "An ugly, miserable funeral.",
]


def mean_activations(texts):
    """Each layer's output, averaged over the tokens (not the first) and
    texts: shape (layers, hidden)."""
    tokenizer.padding_side = "right"
    batch = tokenizer(texts, return_tensors="pt", padding=True)
    with torch.no_grad():
        hidden = model(**batch, output_hidden_states=True).hidden_states
    mask = batch["attention_mask"][..., None].float()
    mask[:, 0] = 0  # leave out the first position
    means = [(h * mask).sum(1) / mask.sum(1) for h in hidden[1:]]
    return torch.stack(means).mean(1)


steering = mean_activations(positive) - mean_activations(negative)
norms = steering.norm(dim=-1)
print("norm of the steering vector, every third layer:")
print(" ".join(f"L{i}:{norms[i]:.0f}" for i in range(0, len(layers), 3)))

# %%
# ## Adding it while the model runs
#
# A forward hook on a layer adds `coefficient * steering[layer]` to that layer's output at every position. The
# effect is measured on five prompts that none of the contrast sentences contains: the log of the total probability
# of eight positive next words minus that of eight negative ones. Positive numbers mean the model leans positive.


def steer(layer, coefficient):
    vector = coefficient * steering[layer]

    def hook(module, args, output):
        if isinstance(output, tuple):
            return (output[0] + vector, *output[1:])
        return output + vector

    return layers[layer].register_forward_hook(hook)


prompts = [
    "The movie was",
    "My day at work was",
    "I think the new phone is",
    "Honestly, the weather today is",
    "The food at the restaurant tasted",
]
good = [" great", " good", " wonderful", " amazing", " excellent"]
good += [" fantastic", " happy", " nice"]
bad = [" terrible", " bad", " awful", " horrible", " poor"]
bad += [" sad", " boring", " disappointing"]
good_ids = [tokenizer(w, add_special_tokens=False).input_ids[0] for w in good]
bad_ids = [tokenizer(w, add_special_tokens=False).input_ids[0] for w in bad]
tokenizer.padding_side = "left"
batch = tokenizer(prompts, return_tensors="pt", padding=True)


def sentiment(layer=None, coefficient=0.0):
    """Per prompt: log P(positive words) - log P(negative words)."""
    handle = steer(layer, coefficient) if coefficient else None
    with torch.no_grad():
        logp = model(**batch).logits[:, -1].log_softmax(-1)
    if handle:
        handle.remove()
    return logp[:, good_ids].logsumexp(-1) - logp[:, bad_ids].logsumexp(-1)


baseline = sentiment()
print("unsteered lean per prompt:", [round(v, 2) for v in baseline.tolist()])

# %%
# ## The effect by layer
#
# The same coefficient, 4, at every third layer, pushing towards positive and towards negative. A raw difference
# grows with depth like the residual stream itself (the norms above), so the same coefficient adds more at later
# layers; that is part of why the late layers move the prediction most. Pushing towards negative lowers the lean at
# every layer tried.

tried = list(range(0, len(layers), 3))
toward_positive = [(sentiment(i, 4.0) - baseline).mean().item() for i in tried]
toward_negative = [
    (sentiment(i, -4.0) - baseline).mean().item() for i in tried
]
for i, up, down in zip(tried, toward_positive, toward_negative):
    print(f"layer {i:2d}: +4 -> {up:+6.2f}   -4 -> {down:+6.2f}")
assert all(d < 0 for d in toward_negative), toward_negative
best = tried[max(range(len(tried)), key=toward_positive.__getitem__)]
assert best >= len(layers) * 0.6, best

# %%
# ## Coefficient against fluency
#
# At one middle layer, the coefficient grows from 0 to 16. The sentiment effect comes almost at once (a coefficient
# of 1 already moves the lean by more than one nat) and then grows slowly, while the loss of a neutral sentence,
# the model's surprise at ordinary text, climbs steeply: past a few units the model is no longer writing English.
# That trade-off is the method's main limit.

LAYER = 12
neutral = tokenizer(
    "The history of the city begins in the twelfth century, when a small "
    "market grew around the river crossing.",
    return_tensors="pt",
).input_ids


def neutral_loss(coefficient):
    handle = steer(LAYER, coefficient) if coefficient else None
    with torch.no_grad():
        loss = model(neutral, labels=neutral).loss.item()
    if handle:
        handle.remove()
    return loss


coefficients = [0, 1, 2, 4, 8, 16]
effect = [(sentiment(LAYER, c) - baseline).mean().item() for c in coefficients]
losses = [neutral_loss(c) for c in coefficients]
for c, e, loss in zip(coefficients, effect, losses):
    print(f"coefficient {c:2d}: lean {e:+5.2f}, neutral-text loss {loss:5.2f}")
assert effect[1] > 1.0 and effect[-1] > effect[1], effect
assert losses[1] - losses[0] < 0.2 and losses[-1] > losses[0] + 3, losses

fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.8), constrained_layout=True)
axes[0].plot(tried, toward_positive, "o-", label="coefficient +4")
axes[0].plot(tried, toward_negative, "s-", label="coefficient -4")
axes[0].axhline(0, color="grey", lw=0.8)
axes[0].set_xlabel("layer steered")
axes[0].set_ylabel("change in lean (nats)")
axes[0].set_title("Effect by layer", fontsize=10)
axes[0].legend(fontsize=8)
axes[1].plot(coefficients, effect, "o-", label="lean (nats)")
axes[1].plot(coefficients, losses, "s-", label="neutral-text loss")
axes[1].set_xlabel(f"coefficient at layer {LAYER}")
axes[1].set_ylabel("nats")
axes[1].set_title("Effect against fluency", fontsize=10)
axes[1].legend(fontsize=8)
plt.show()

# %%
# ## What the steered model writes
#
# Greedy continuations of one prompt at three coefficients. Read them as an illustration of the measurements
# above, not as evidence: a single generation is easy to over-interpret.

prompt = tokenizer("The movie was", return_tensors="pt")
for coefficient in (0, 2, 8):
    handle = steer(LAYER, coefficient) if coefficient else None
    with torch.no_grad():
        out = model.generate(
            **prompt,
            max_new_tokens=12,
            do_sample=False,
            pad_token_id=tokenizer.eos_token_id,
        )
    if handle:
        handle.remove()
    text = tokenizer.decode(out[0, prompt.input_ids.shape[1] :])
    print(f"{coefficient:2d}: The movie was{text!r}")

# %%
# ## Assumptions and failure modes
#
# - The vector is only as clean as the contrast: these sentences differ in sentiment but also in topic words
#   ("funeral", "celebration"), and the difference of means carries both.
# - Raw coefficients are not comparable across layers or models, since the residual stream's scale changes with
#   depth; papers report multipliers for one layer at a time for that reason.
# - The measured effect is on the next word only. Whether a generation stays on the steered side over many tokens
#   is a separate question, and large coefficients degrade fluency long before they stop moving the prediction.
# - A steering vector shows that a direction *can* change behaviour when added; it does not show that the model
#   uses that direction to represent sentiment on its own.
