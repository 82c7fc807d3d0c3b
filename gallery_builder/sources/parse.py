"""Parse a gallery script into a title, an introduction and cells.

The format is sphinx-gallery's, so scripts written for sphinx-gallery or mkdocs-gallery render
unedited:

- a module docstring whose first heading is the title: a Markdown ``# Title`` or a reST title
  underlined (and optionally overlined) with ``===``;
- then cells separated by ``# %%`` lines (or sphinx-gallery's older line of 20+ ``#``);
  the comment lines right after a separator are Markdown prose, the rest is code;
- per-script settings as comments ``# gallery_<name> = <value>`` (``sphinx_gallery_<name>`` and
  ``mkdocs_gallery_<name>`` are read too), which are dropped from the code shown on the page.
"""

from __future__ import annotations

import ast
import inspect
import re
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SEPARATOR = re.compile(r"^(# ?%%.*|#{20,})\s*$")
SETTING = re.compile(r"^#\s*(?:gallery|sphinx_gallery|mkdocs_gallery)_(\w+)\s*=\s*(.+?)\s*$")
REST_UNDERLINE = re.compile(r"^([=\-~*#^])\1{2,}\s*$")
KNOWN_SETTINGS = {
    "timeout", "expect_failure", "thumbnail_number", "thumbnail_panel", "thumbnail_path", "multi_image", "live",
}


class ScriptError(Exception):
    """A problem in a gallery script, reported with its file and line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Cell:
    kind: Literal["markdown", "code"]
    source: str
    line: int  # 1-based line in the script where the cell's text starts
    multi_image: str = ""  # `# gallery_multi_image_block = "multi"` in this cell: overrides the script's


@dataclass(frozen=True)
class SyntaxProblem:
    """A script that Python cannot parse: still rendered, with this error at its line."""

    line: int
    summary: str  # "SyntaxError: invalid syntax"
    text: str  # Python's own message, with the line and a caret


@dataclass(frozen=True)
class ParsedScript:
    title: str
    intro: str  # Markdown that follows the title in the docstring
    cells: tuple[Cell, ...]
    settings: dict[str, object] = field(default_factory=dict)
    markup: Literal["markdown", "rst"] = "markdown"  # of the prose: a reST-underlined title means reST
    syntax_error: SyntaxProblem | None = None

    @property
    def description(self) -> str:
        """The intro's first paragraph on one line: the gallery card's text."""
        first = self.intro.strip().split("\n\n", 1)[0]
        return " ".join(first.split())

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.kind == "code")


def parse_script(path: Path, text: str | None = None) -> ParsedScript:
    """Parse the script at `path`. Raises ScriptError naming the file and line on bad input."""
    source = path.read_text(encoding="utf-8") if text is None else text
    syntax_error: SyntaxProblem | None = None
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence" in a docstring: not the reader's concern
            warnings.simplefilter("ignore")
            module = ast.parse(source, filename=path.name)
        doc = _docstring_node(module)
        found = (doc.lineno, doc.end_lineno or doc.lineno, ast.get_docstring(module, clean=True) or "") if doc else None
    except SyntaxError as err:
        # Still show the title, the text and the code, with the error at its line (as sphinx-gallery does).
        text = "".join(traceback.format_exception_only(SyntaxError, err)).rstrip()
        syntax_error = SyntaxProblem(err.lineno or 1, f"SyntaxError: {err.msg}", text)
        found = _docstring_by_text(source)
        if found is None:
            raise ScriptError(path, err.lineno or 1, f"syntax error: {err.msg}") from None

    lines = source.splitlines()
    if found is None:
        raise ScriptError(path, 1, "no module docstring: start the script with a docstring holding a `# Title`")
    doc_line, doc_end, doc_text = found
    title, intro, markup = _split_title(path, doc_line, doc_text)
    settings = _settings(path, lines)
    body = lines[doc_end:]
    cells = _cells(body, first_line=doc_end + 1)
    return ParsedScript(
        title=title, intro=intro, cells=tuple(cells), settings=settings, markup=markup, syntax_error=syntax_error
    )


_DOCSTRING = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*[rRuU]?(\"\"\"|\'\'\')(.*?)\1", re.DOTALL)


def _docstring_by_text(source: str) -> tuple[int, int, str] | None:
    """The module docstring of a script that does not parse: (first line, last line, cleaned text)."""
    match = _DOCSTRING.match(source)
    if match is None:
        return None
    start = source.count("\n", 0, match.start(1)) + 1
    end = source.count("\n", 0, match.end()) + 1
    return start, end, inspect.cleandoc(match.group(2))


def _docstring_node(module: ast.Module) -> ast.Expr | None:
    if module.body and isinstance(module.body[0], ast.Expr):
        value = module.body[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return module.body[0]
    return None


def _split_title(path: Path, line: int, doc: str) -> tuple[str, str, Literal["markdown", "rst"]]:
    """Find the first heading of the docstring; return it, the text after it and the prose's markup."""
    rows = doc.splitlines()
    for i, row in enumerate(rows):
        stripped = row.strip()
        if not stripped or REST_UNDERLINE.match(stripped) or stripped.startswith(".. _"):
            continue  # blank, an overline, or a reST label before the title
        if stripped.startswith("# "):
            return stripped[2:].strip(), "\n".join(rows[i + 1 :]).strip(), "markdown"
        if i + 1 < len(rows) and REST_UNDERLINE.match(rows[i + 1].strip()):
            return stripped, "\n".join(rows[i + 2 :]).strip(), "rst"
        break
    raise ScriptError(
        path, line, "the docstring has no title: begin it with `# Title` or a reST title underlined with ==="
    )


def _settings(path: Path, lines: list[str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for number, row in enumerate(lines, start=1):
        match = SETTING.match(row.strip())
        if not match:
            continue
        name, raw = match.groups()
        if name not in KNOWN_SETTINGS:
            continue  # other sphinx-gallery settings are accepted and ignored
        try:
            found[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            raise ScriptError(path, number, f"setting {name!r} needs a Python literal, got {raw!r}") from None
    return found


def _cells(body: list[str], first_line: int) -> list[Cell]:
    """Split the lines after the docstring into Markdown and code cells."""
    cells: list[Cell] = []
    prose: list[str] = []
    code: list[str] = []
    prose_start = code_start = first_line
    in_prose = False

    block_setting = ""

    def flush_code() -> None:
        nonlocal code, block_setting
        text, offset = _trim(code)
        if text:
            cells.append(Cell("code", text, code_start + offset, block_setting))
        code = []
        block_setting = ""

    def flush_prose() -> None:
        nonlocal prose
        text, offset = _trim(prose)
        if text:
            cells.append(Cell("markdown", text, prose_start + offset))
        prose = []

    for number, row in enumerate(body, start=first_line):
        if SEPARATOR.match(row):
            flush_code()
            flush_prose()
            in_prose, prose_start = True, number + 1
            continue
        setting = SETTING.match(row.strip())
        if setting:
            if setting.group(1) == "multi_image_block":
                block_setting = str(setting.group(2)).strip("'\"")
            if in_prose:
                continue  # a setting among the prose's comments does not end the prose
            row = ""
        # Prose is the comment block right after the separator, as in sphinx-gallery: after a blank
        # line, comments are code.
        if in_prose and row.startswith("#"):
            prose.append(row[2:] if row.startswith("# ") else row[1:])
            continue
        if in_prose:
            flush_prose()
            in_prose, code_start = False, number
        code.append(row)
    flush_code()
    flush_prose()
    return cells


def _trim(rows: list[str]) -> tuple[str, int]:
    """Drop blank lines at both ends; return the text and how many lines were dropped in front."""
    start = 0
    while start < len(rows) and not rows[start].strip():
        start += 1
    end = len(rows)
    while end > start and not rows[end - 1].strip():
        end -= 1
    return "\n".join(rows[start:end]), start
