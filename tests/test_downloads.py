"""The downloads offered with each example: a notebook that Jupyter opens, with the script's cells."""

from __future__ import annotations

from pathlib import Path

import nbformat

from gallery_builder.page.downloads import notebook
from gallery_builder.sources.parse import parse_script

SCRIPT = '''"""
Two cells
=========

What the reader will see.
"""

# %%
# Some *prose* before the code.

import math

print(math.pi)

# %%
value = "ünïcode"
value
'''


def test_notebook_is_valid_and_holds_the_scripts_cells(tmp_path: Path) -> None:
    parsed = parse_script(tmp_path / "two.py", SCRIPT)
    data = notebook(parsed)
    book = nbformat.reads(data.decode("utf-8"), as_version=4)
    nbformat.validate(book)
    kinds = [cell.cell_type for cell in book.cells]
    assert kinds == ["markdown"] + [cell.kind for cell in parsed.cells]
    assert book.cells[0].source.startswith("# Two cells")
    code = [cell.source for cell in book.cells if cell.cell_type == "code"]
    assert code == [cell.source for cell in parsed.cells if cell.kind == "code"]
    assert "ünïcode" in data.decode("utf-8")  # kept as text, not escaped
    assert notebook(parsed) == data  # the same bytes every build
