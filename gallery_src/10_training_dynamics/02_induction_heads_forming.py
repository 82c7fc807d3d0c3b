"""
# Induction heads forming during training: the phase change

Train a two-layer attention-only transformer from scratch on sequences that repeat themselves, and watch its loss on the repeats collapse at the moment an induction head appears.

Olsson et al. (2022), "In-context Learning and Induction Heads", found that transformers learn to copy from
earlier in the context in an abrupt *phase change* early in training: the loss on repeated text drops within a
short stretch of steps, and at the same time a pair of heads appears: a previous-token head in one layer and an
induction head in the next, which attends from a token to the token that followed its earlier occurrence. This
page trains such a model in the build (about 20 seconds on two cores, which is why the model is tiny) and tracks
the loss and every head's attention pattern as it learns.
"""

# %%
# ## Data and model
#
# Each sequence is 32 random tokens from a vocabulary of 64, in which a segment of random length (6 to 16 tokens)
# is immediately repeated. The first copy cannot be predicted; the second can, by anyone who looks back. The
# segment length varies so that no head can find the earlier copy from absolute positions alone: the model has to
# learn to look for the previous occurrence of the current token. The model has two attention-only layers of four
# heads each, no MLPs, learned token and position embeddings, and an unembedding.

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

torch.manual_seed(0)
VOCAB, LENGTH, WIDTH, HEADS, LAYERS = 64, 32, 64, 4, 2
SHORTEST, LONGEST = 6, 16


def sequences(batch):
    """Random tokens with a segment repeated at once; returns the segment
    lengths too."""
    tokens = torch.randint(0, VOCAB, (batch, LENGTH))
    lengths = torch.randint(SHORTEST, LONGEST + 1, (batch,))
    for row, n in enumerate(lengths.tolist()):
        tokens[row, n : 2 * n] = tokens[row, :n]
    return tokens, lengths


class Attention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(WIDTH, 3 * WIDTH, bias=False)
        self.out = torch.nn.Linear(WIDTH, WIDTH, bias=False)

    def forward(self, x):
        b, n, _ = x.shape
        qkv = self.qkv(x).view(b, n, 3, HEADS, WIDTH // HEADS)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(WIDTH // HEADS)
        future = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
        weights = scores.masked_fill(future, float("-inf")).softmax(-1)
        mixed = (weights @ v).transpose(1, 2).reshape(b, n, WIDTH)
        return self.out(mixed), weights


class AttentionOnly(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, WIDTH)
        self.position = torch.nn.Embedding(LENGTH, WIDTH)
        self.layers = torch.nn.ModuleList(Attention() for _ in range(LAYERS))
        self.unembed = torch.nn.Linear(WIDTH, VOCAB, bias=False)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position(torch.arange(tokens.shape[1]))
        patterns = []
        for layer in self.layers:
            update, weights = layer(x)
            x = x + update
            patterns.append(weights)
        return self.unembed(x), patterns


# %%
# ## Training, with measurements every 50 steps
#
# On a fixed evaluation batch we record the loss on the first six tokens of the repeat (predictable by copying) and
# on the first five tokens of the sequence (not predictable: about ln 64 = 4.16 nats), the *induction score* of
# every head (the attention from a token of the repeat to the token after its earlier twin) and the
# *previous-token score* (the attention from each token to the one before it).

model = AttentionOnly()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
test, test_lengths = sequences(128)
rows = torch.arange(len(test))[:, None]
repeat = test_lengths[:, None] + torch.arange(SHORTEST)[None]
twin_next = repeat - test_lengths[:, None] + 1
STEPS, EVERY = 1600, 50
history = {
    "step": [],
    "first": [],
    "repeat": [],
    "induction": [],
    "previous": [],
}

for step in range(STEPS + 1):
    if step % EVERY == 0:
        with torch.no_grad():
            logits, patterns = model(test)
            loss = torch.nn.functional.cross_entropy(
                logits[:, :-1].transpose(1, 2), test[:, 1:], reduction="none"
            )
        # position t's loss predicts token t + 1: in the repeat, a copy
        history["step"].append(step)
        history["first"].append(loss[:, :5].mean().item())
        history["repeat"].append(loss[rows, repeat].mean().item())
        # each pattern: (batch, head, query, key); scores: (layer, head)
        history["induction"].append(
            np.stack(
                [
                    p[rows, :, repeat, twin_next].mean((0, 1)).numpy()
                    for p in patterns
                ]
            )
        )
        stacked = torch.stack(patterns)
        diagonal = torch.arange(1, LENGTH)
        history["previous"].append(
            stacked[..., diagonal, diagonal - 1].mean((1, 3)).numpy()
        )
    tokens, _ = sequences(32)
    logits, _ = model(tokens)
    loss = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, VOCAB), tokens[:, 1:].reshape(-1)
    )
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

steps = np.array(history["step"])
first, repeated = np.array(history["first"]), np.array(history["repeat"])
induction = np.array(history["induction"])  # (eval, layer, head)
previous = np.array(history["previous"])
for i in range(0, len(steps), 4):
    print(
        f"step {steps[i]:4d}: loss first copy {first[i]:.2f}, repeat "
        f"{repeated[i]:.2f}; best induction head {induction[i, 1].max():.2f}"
    )

# %%
# ## The phase change
#
# The loss on the repeat falls in one short stretch of training, while the loss on the unpredictable first copy
# stays near ln 64. In that same stretch the heads of layer 1 start attending to the token after the earlier twin
# (induction), and a head of layer 0 starts attending to the previous token: the two halves of the circuit form
# together, because neither is useful without the other. Layer 0's heads never become induction heads: they cannot,
# since finding "the token after my earlier twin" needs the previous-token information that only layer 0 can
# write.

drop = int(
    np.argmin(np.diff(repeated))
)  # the largest fall between evaluations
rise = int(np.argmax(np.diff(induction[:, 1].mean(-1))))
print(
    f"largest fall of the repeat loss: steps {steps[drop]}-{steps[drop + 1]}; "
    "largest rise of layer 1's induction: "
    f"steps {steps[rise]}-{steps[rise + 1]}"
)
print(f"end: repeat loss {repeated[-1]:.2f}, first-copy loss {first[-1]:.2f}")
print("end: layer 1 induction scores", induction[-1, 1].round(2))
print("end: layer 0 previous-token scores", previous[-1, 0].round(2))
assert repeated[steps.tolist().index(400)] > 3 and repeated[-1] < 1, repeated
assert first[-1] > 3.9, first[-1]
assert 400 <= steps[drop] <= 1400 and abs(rise - drop) <= 4, (drop, rise)
assert induction[-1, 1].min() > 0.5 and induction[-1, 0].max() < 0.3
assert previous[-1, 0].max() > 0.3 > previous[0, 0].max()

fig, axes = plt.subplots(1, 2, figsize=(6.8, 2.8), constrained_layout=True)
axes[0].plot(steps, first, label="first copy (random)")
axes[0].plot(steps, repeated, label="repeat (copyable)")
axes[0].axvspan(steps[drop], steps[drop + 1], color="tab:orange", alpha=0.2)
axes[0].set_xlabel("training step")
axes[0].set_ylabel("loss (nats)")
axes[0].set_title("Loss", fontsize=10)
axes[0].legend(fontsize=8)
for head in range(HEADS):
    axes[1].plot(steps, induction[:, 1, head], color="tab:blue", lw=1)
    axes[1].plot(steps, previous[:, 0, head], color="tab:green", lw=1, ls="--")
axes[1].plot([], [], color="tab:blue", label="layer 1 heads: induction")
axes[1].plot(
    [], [], color="tab:green", ls="--", label="layer 0: previous token"
)
axes[1].axvspan(steps[drop], steps[drop + 1], color="tab:orange", alpha=0.2)
axes[1].set_xlabel("training step")
axes[1].set_ylabel("attention score")
axes[1].set_title("Heads", fontsize=10)
axes[1].legend(fontsize=8, loc="center left")
plt.show()

# %%
# ## Assumptions and failure modes
#
# - The task is made for induction: every sequence contains a repeat. In natural text the same circuit forms, but
#   more slowly and mixed with other skills, and the phase change shows as a bump in the loss curve rather than a
#   cliff (Olsson et al., figure 2).
# - The step at which it happens depends on the random seed, the learning rate and the model size; what is robust is that
#   the loss drop and the two heads appear together.
# - The scores are attention weights, which show where a head looks, not what it copies; Olsson et al. also test
#   that the induction head's output raises the logit of the copied token.
