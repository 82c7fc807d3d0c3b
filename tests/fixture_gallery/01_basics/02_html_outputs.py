"""
# HTML outputs

A bertviz view called the seed's way, one returned as the last expression, and a custom object.
"""

# %%
# The seed's way: a bare call that goes through IPython's display().

import torch
from bertviz import head_view

tokens = ["[CLS]", "a", "<b>&", "[SEP]"]
attention = [torch.softmax(torch.arange(32.0).reshape(1, 2, 4, 4) % 5, dim=-1)]
head_view(attention, tokens)

# %%
# Returned with html_action="return" as the cell's last expression.

head_view(attention, tokens, html_action="return")

# %%
# Any object with `_repr_html_`.


class Table:
    def _repr_html_(self):
        return "<table><tr><td>custom html</td></tr></table>"


Table()
