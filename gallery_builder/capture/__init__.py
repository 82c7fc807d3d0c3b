"""What a cell shows, turned into files: printed text, rich reprs and figures (capture.py), their
dark variants (dark_figures.py), reader checks on their text and panels (figure_checks.py),
animations (animation.py) and the gallery thumbnails (thumbnails.py)."""
