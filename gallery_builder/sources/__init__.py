"""What the gallery holds, read before anything runs: the sections and examples (project.py),
their header files (headers.py), the [tool.gallery] settings (settings.py), each script's
title, introduction and cells (parse.py), and reST prose for sphinx-gallery scripts (rest.py)."""
