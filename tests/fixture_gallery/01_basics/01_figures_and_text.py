"""
# Figures and text

Two figures shown with plt.show(), one left open at the end of a cell, and printed text.
"""

# %%
# Print, draw, show.

import sys

import matplotlib.pyplot as plt

from _shared import GREETING

print(GREETING)
print("to stderr", file=sys.stderr)
plt.plot([1, 2, 3])
plt.title("First figure")
plt.show()
plt.bar(["a", "b"], [1, 2])
plt.title("Second figure")
plt.show()

# %%
# A figure nobody showed, and a last expression with a plain repr.

fig, ax = plt.subplots()
ax.set_title("Left open")
ax.plot([3, 2, 1])
{"answer": 42}
