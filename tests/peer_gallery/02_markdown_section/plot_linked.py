"""
Underlined title, Markdown text
===============================

An underlined title is Markdown too, as in mkdocs-gallery: this section's header is Markdown, so
this is **Markdown**, and [the math example](./plot_math.md) links to its page here.
"""

# %%
# The link as code stays as written: `[math](./plot_math.md)`.

print("linked")
