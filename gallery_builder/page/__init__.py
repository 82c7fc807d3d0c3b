"""Rendering the site from the results: Markdown pages and their files (render.py), notebook and
zip downloads (downloads.py), and the vendored KaTeX for math (katex.py)."""
