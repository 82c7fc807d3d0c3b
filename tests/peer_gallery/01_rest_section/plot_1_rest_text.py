r"""
.. _rest-text:

Prose in reST
=============

Roles such as :func:`numpy.cumsum` and :class:`~collections.OrderedDict`, a `link <https://arxiv.org/abs/1706.03762>`_.
"""

# %%
# Section title in a cell
# -----------------------
#
# Inline math :math:`a^2 + b^2 = c^2` and a block:
#
# .. math::
#
#    \sum_{i=1}^{n} i = \frac{n(n+1)}{2}
#
# .. note::
#
#    A note with ``x < y`` in code.
#
# .. warning::
#
#    A warning.

import matplotlib.pyplot as plt

plt.plot([1, 2, 3])

# %%

# a comment after a blank line is code

print("\n".join(f"line {i}" for i in range(200)))
