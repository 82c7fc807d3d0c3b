"""
# Toy models of superposition: more features than dimensions

Train tiny models that must squeeze more features than they have dimensions, and watch them store extra features in superposition once the features are sparse.

Elhage et al. (2022), "Toy Models of Superposition", asked when a network represents more features than it has
neurons. Their toy model compresses n features into m < n dimensions with a matrix W and reads them back with
ReLU(Wᵀ W x + b). Each feature has an importance, and is present (a uniform value in [0, 1]) only with some
probability. When features are dense the model keeps the m most important ones, one per dimension. When they are
sparse it packs in more, at angles to each other, and accepts some interference because two sparse features are
rarely active at once. This page trains the model in the build, for several feature probabilities at once, and
draws the paper's two views: the features' directions in the hidden space, and the matrix Wᵀ W.
"""

# %%
# ## The model, trained for four sparsities at once
#
# One set of weights per feature probability, trained side by side with Adam on the importance-weighted squared
# error. Importance decays as 0.9 to the power of the feature index, so feature 0 matters most. The run is seeded
# and takes a few seconds: 3,000 steps of 256 samples for 5 features in 2 dimensions, 2,000 for 20 in 5.

import matplotlib.pyplot as plt
import numpy as np
import torch

torch.manual_seed(0)
PROBABILITIES = [1.0, 0.3, 0.1, 0.03]  # how often each feature is present


def train(n_features, n_hidden, steps, batch=256, lr=1e-2):
    k = len(PROBABILITIES)
    scale = (2 / (n_features + n_hidden)) ** 0.5
    W = torch.nn.Parameter(torch.randn(k, n_hidden, n_features) * scale)
    b = torch.nn.Parameter(torch.zeros(k, n_features))
    importance = 0.9 ** torch.arange(n_features)
    present = torch.tensor(PROBABILITIES).view(k, 1, 1)
    optimizer = torch.optim.Adam([W, b], lr=lr)
    for _ in range(steps):
        x = torch.rand(k, batch, n_features)
        x = x * (torch.rand(k, batch, n_features) < present)
        hidden = torch.einsum("kmn,kbn->kbm", W, x)
        out = torch.einsum("kmn,kbm->kbn", W, hidden) + b[:, None]
        loss = (importance * (x - torch.relu(out)) ** 2).sum(-1).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return W.detach(), b.detach()


small_W, small_b = train(5, 2, steps=3000)
large_W, large_b = train(20, 5, steps=2000)


def represented(W):
    """Features whose column of W has a norm over 0.5: the model stores
    them."""
    return W.norm(dim=-2) > 0.5


for p, kept in zip(PROBABILITIES, represented(small_W)):
    print(f"5 features in 2 dimensions, p = {p}: stores {kept.tolist()}")

# %%
# ## Five features in two dimensions
#
# Each arrow is a column of W: where a feature points in the 2-dimensional hidden space, coloured by importance
# (darkest: the most important).
# With dense features (p = 1) the model stores the two most important features and drops the rest. As features get
# sparser it stores more of them: four at right angles (two antipodal pairs), then all five as a regular pentagon,
# 72° apart, where each feature interferes a little with its neighbours.

fig, axes = plt.subplots(1, 4, figsize=(6.8, 2.2), constrained_layout=True)
colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, 5))
for ax, p, W in zip(axes, PROBABILITIES, small_W):
    for j in range(W.shape[1]):
        x, y = W[:, j].tolist()
        ax.plot([0, x], [0, y], color=colours[j], lw=2)
        ax.plot([x], [y], "o", color=colours[j], ms=4)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.tick_params(labelsize=7)
    ax.set_title(f"p = {p}", fontsize=9)
    ax.set_xlabel("hidden 1", fontsize=8)
axes[0].set_ylabel("hidden 2", fontsize=8)
plt.show()


def neighbour_angles(W, stored):
    """Angles in degrees between neighbouring stored features, all round."""
    x, y = W[0, stored].numpy(), W[1, stored].numpy()
    angles = np.sort(np.degrees(np.arctan2(y, x)))
    return np.diff(np.r_[angles, angles[0] + 360])


kept = represented(small_W)
assert kept[0].tolist() == [True, True, False, False, False], kept[0]
square = neighbour_angles(small_W[1], kept[1])
print("p = 0.3: angles between neighbours", square.round(0))
assert int(kept[1].sum()) == 4 and np.abs(square - 90).max() < 10, square
for W, stored in zip(small_W[2:], kept[2:]):
    pentagon = neighbour_angles(W, stored)
    print("pentagon: angles between neighbours", pentagon.round(0))
    assert stored.all() and np.abs(pentagon - 72).max() < 10, pentagon

# %%
# ## Twenty features in five dimensions: Wᵀ W
#
# The paper's other view. Entry (i, j) of Wᵀ W is how much reading feature j picks up when feature i is present:
# the diagonal holds what each feature keeps of itself, and everything off the diagonal is interference. Dense
# features give a clean identity block of five features, the rest zero. Sparser features give more stored features
# and off-diagonal entries, the signature of superposition; the model's negative bias (not drawn) filters the small
# interference out through the ReLU.

counts = represented(large_W).sum(-1).tolist()
print("features stored out of 20, by p:", dict(zip(PROBABILITIES, counts)))
assert counts[0] == 5 and counts == sorted(counts) and counts[-1] > 10, counts
sparse_bias = large_b[-1][represented(large_W)[-1]].mean().item()
print(f"mean bias of the stored features at p = 0.03: {sparse_bias:.2f}")
assert sparse_bias < 0, sparse_bias

fig, axes = plt.subplots(1, 4, figsize=(6.8, 2.2), constrained_layout=True)
for ax, p, W, count in zip(axes, PROBABILITIES, large_W, counts):
    image = ax.imshow(W.T @ W, cmap="RdBu", vmin=-1.2, vmax=1.2)
    ax.set_title(f"p = {p}: {count} stored", fontsize=9)
    ax.set_xticks([0, 19])
    ax.set_yticks([0, 19])
    ax.tick_params(labelsize=7)
    ax.set_xlabel("feature", fontsize=8)
axes[0].set_ylabel("feature", fontsize=8)
fig.colorbar(image, ax=axes, shrink=0.8, label="WᵀW")
plt.show()

# %%
# ## Assumptions and failure modes
#
# - The features here are defined by construction: independent, uniform when present, with known importances.
#   Real features are neither independent nor labelled, which is why finding them in a trained model takes methods
#   such as sparse autoencoders.
# - The geometry depends on the optimizer and the random seed at the margins: a run can leave one feature dead where the
#   paper's ideal has it stored (at p = 0.3 this run keeps four features, but not the most important one).
# - A toy model shows that superposition is a good solution under sparsity and a ReLU readout. It does not show
#   how much of it a given language model uses.
