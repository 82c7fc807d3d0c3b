"""Downloads offered with each example: the script, a Jupyter notebook, and a zip of all scripts.

Both are built deterministically: notebook cell ids come from their position, and the zip's
entries carry a fixed date (SOURCE_DATE_EPOCH when set), so unchanged sources give identical bytes.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .parse import ParsedScript

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook(parsed: ParsedScript) -> bytes:
    """The script as a notebook: the title and intro, then its prose and code cells in order."""
    header = f"# {parsed.title}\n\n{parsed.intro}".strip()
    cells = [new_markdown_cell(header, id="cell-0")]
    for number, cell in enumerate(parsed.cells, start=1):
        make = new_markdown_cell if cell.kind == "markdown" else new_code_cell
        cells.append(make(cell.source, id=f"cell-{number}"))
    book = new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    nbformat.validate(book)
    text: str = nbformat.writes(book)
    return text.encode("utf-8") + b"\n"


def scripts_zip(scripts: dict[str, bytes]) -> bytes:
    """A zip of {archive name: content}, in name order, with a fixed timestamp on every entry."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, zip's earliest date
    stamp = datetime.datetime.fromtimestamp(max(epoch, 315532800), datetime.UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(scripts):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, scripts[name])
    return buffer.getvalue()
