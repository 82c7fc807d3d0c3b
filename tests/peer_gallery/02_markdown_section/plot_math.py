r"""
# Markdown math

Attention is $\mathrm{softmax}(QK^\top / \sqrt{d})V$, see [the paper](https://arxiv.org/abs/1706.03762).
"""

# %%
# A display formula:
#
# $$
# \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V
# $$

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1], [0, 1])
plt.show()
