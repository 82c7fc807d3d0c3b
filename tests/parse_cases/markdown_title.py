"""
# One head's attention

Shows a heatmap of one head.

How to read it: rows are queries.
"""

# %%
# Load the model.
#
# A second prose paragraph.

import torch

x = torch.ones(3)

# %%
# Now plot.
#   indented prose keeps its indent

print(x)  # a trailing comment stays code
# a comment inside code stays code
y = 2
