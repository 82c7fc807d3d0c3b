"""The parser on golden inputs: both title styles, cells with their line numbers, prose, settings."""

import json
from pathlib import Path

import pytest

from gallery_builder.sources.parse import ScriptError, parse_script

CASES = Path(__file__).parent / "parse_cases"


@pytest.mark.parametrize("script", sorted(CASES.glob("*.py")), ids=lambda p: p.stem)
def test_golden(script: Path) -> None:
    expected = json.loads(script.with_suffix(".json").read_text())
    parsed = parse_script(script)
    assert parsed.title == expected["title"]
    assert parsed.intro == expected["intro"]
    assert parsed.description == expected["description"]
    assert parsed.settings == expected["settings"]
    assert [[c.kind, c.line, c.source] for c in parsed.cells] == expected["cells"]


def test_code_cell_lines_point_at_the_script(tmp_path: Path) -> None:
    """Each code cell's first line is where its text starts in the file, so tracebacks match."""
    for script in CASES.glob("*.py"):
        lines = script.read_text().splitlines()
        for cell in parse_script(script).code_cells:
            assert lines[cell.line - 1] == cell.source.splitlines()[0]


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ('x = (\n', 1, "syntax error"),  # no docstring to show either
        ("x = 1\n", 1, "no module docstring"),
        ('"""\nJust prose, no heading.\n"""\n', 1, "no title"),
        ('"""\n# T\n"""\n\n# gallery_timeout = soon\n', 5, "needs a Python literal"),
    ],
)
def test_bad_scripts_name_file_and_line(tmp_path: Path, source: str, line: int, message: str) -> None:
    path = tmp_path / "bad.py"
    path.write_text(source)
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}:")


def test_a_syntax_error_keeps_title_text_and_code(tmp_path: Path) -> None:
    """A script Python cannot parse is still a page: title, text, code, and the error at its line."""
    path = tmp_path / "bad.py"
    path.write_text('"""\n# Title\n\nIntro.\n"""\n\n# %%\n# Prose.\n\nx = 1\ny = (\n')
    parsed = parse_script(path)
    assert (parsed.title, parsed.intro) == ("Title", "Intro.")
    assert [c.kind for c in parsed.cells] == ["markdown", "code"]
    assert parsed.syntax_error is not None and parsed.syntax_error.line == 11
    assert "SyntaxError" in parsed.syntax_error.text and str(tmp_path) not in parsed.syntax_error.text
