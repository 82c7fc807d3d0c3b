"""
# Hostile <text> & "quotes"

Prose with <script>alert("prose")</script> & an <img src=x onerror=alert(1)> must show as text.
"""

# %%
# Token text that tries to break out: </script><script>alert("token")</script>

import matplotlib.pyplot as plt
import torch
from bertviz import head_view

tokens = ["[CLS]", "</script><script>alert('view')</script>", "<b>&amp;\"'", "[SEP]"]
print("printed: </script><img src=x onerror=alert('stdout')>")
fig, ax = plt.subplots()
ax.set_title("<script>alert('alt')</script> & \"quotes\"")
ax.bar(range(len(tokens)), [1, 2, 3, 4])
plt.show()
head_view([torch.full((1, 1, 4, 4), 0.25)], tokens)
