"""Rendering the site from the results: example pages and their files (render.py), the gallery and
section pages with their cards (indexes.py), Markdown and escaping (markdown.py), notebook and
zip downloads (downloads.py), and the vendored KaTeX for math (katex.py)."""
