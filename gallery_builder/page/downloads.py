"""Downloads offered with each example: the script, a Jupyter notebook, and a zip of all scripts.

Both are built deterministically: notebook cell ids come from their position, and the zip's
entries carry a fixed date (SOURCE_DATE_EPOCH when set), so unchanged sources give identical bytes.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile

import nbformat

from ..sources.parse import ParsedScript

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook(parsed: ParsedScript) -> bytes:
    """The script as a notebook: the title and intro, then its prose and code cells in order.
    Cells are plain nbformat 4.5 dicts, validated once as a whole (nbformat's cell helpers
    validate every cell, which made notebooks a third of an unchanged build's gallery time)."""
    header = f"# {parsed.title}\n\n{parsed.intro}".strip()
    cells = [_cell("markdown", header, "cell-0")]
    for number, cell in enumerate(parsed.cells, start=1):
        cells.append(_cell(cell.kind, cell.source, f"cell-{number}"))
    book = {
        "cells": cells,
        "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    nbformat.validate(book, version=4)
    return json.dumps(book, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def _cell(kind: str, source: str, cell_id: str) -> dict[str, object]:
    lines = source.splitlines(keepends=True)
    if kind == "markdown":
        return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": lines}
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {}, "outputs": [], "source": lines}


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
