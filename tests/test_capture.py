"""Output capture in a real worker process: plt.show(), display(), returned HTML, stdout/stderr."""

from __future__ import annotations

import struct
from pathlib import Path

from conftest import FIXTURE_GALLERY

from gallery_builder.run.execute import Job
from gallery_builder.run.workers import RunOutcome, run_all
from gallery_builder.sources.parse import parse_script

BASICS = FIXTURE_GALLERY / "01_basics"


def run_script(script: Path, out_dir: Path, timeout: float = 120) -> RunOutcome:
    parsed = parse_script(script)
    job = Job(script, script.name, parsed.title, parsed.cells, out_dir, project_root=script.parent, timeout=timeout)
    (outcome,) = run_all([job], 1)
    return outcome


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_figures_text_and_last_value(tmp_path: Path) -> None:
    outcome = run_script(BASICS / "01_figures_and_text.py", tmp_path / "out")
    assert outcome.failure is None
    assert outcome.record is not None
    first, second = outcome.record.cells
    assert [o.kind for o in first] == ["stdout", "stderr", "image", "image"]
    assert first[0].text == "hello from a helper\n"
    assert first[1].text == "to stderr\n"
    assert [o.alt for o in first[2:]] == ["First figure", "Second figure"]
    # As in Jupyter: the last expression's value, then the figure left open, saved at the cell's end.
    assert [o.kind for o in second] == ["text", "image"]
    assert second[0].text.strip() == "{'answer': 42}"
    assert second[1].alt == "Left open"
    # PNGs are written at twice the CSS width recorded for the page.
    image = first[2]
    assert png_size(tmp_path / "out" / image.file)[0] == 2 * image.width
    # The helper module it imported is recorded as a dependency, for the cache.
    assert "_shared.py" in outcome.record.deps.files


def test_html_from_display_return_and_repr_html(tmp_path: Path) -> None:
    outcome = run_script(BASICS / "02_html_outputs.py", tmp_path / "out")
    assert outcome.failure is None
    assert outcome.record is not None
    bare, returned, custom = outcome.record.cells
    # Each HTML output becomes a standalone view document, numbered in order.
    assert [o.kind for o in bare] == ["html"]  # three display() calls joined into one view
    assert [bare[0].file, returned[0].file, custom[0].file] == ["view-1.html", "view-2.html", "view-3.html"]
    first, second, third = ((tmp_path / "out" / f"view-{n}.html").read_text() for n in (1, 2, 3))
    assert "requirejs(" in first and '<div id="bertviz-view-1"' in first
    assert "requirejs(" in second and '<div id="bertviz-view-2"' in second
    assert "<table><tr><td>custom html</td></tr></table>" in third
    assert all(view.startswith("<!doctype html>") and "<title>HTML outputs</title>" in view for view in (first, third))


def test_a_view_that_needs_the_network_fails_at_its_line(tmp_path: Path) -> None:
    script = tmp_path / "cdn.py"
    script.write_text(
        '"""\n# CDN\n\nNeeds a CDN.\n"""\n\n# %%\nfrom IPython.display import HTML, display\n\n'
        'display(HTML(\'<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>\'))\n'
    )
    outcome = run_script(script, tmp_path / "out")
    assert outcome.failure is not None and outcome.failure.line == 8
    assert outcome.failure.summary.startswith("ViewError:")


def test_failure_points_at_the_script_line(tmp_path: Path) -> None:
    script = tmp_path / "boom.py"
    script.write_text('"""\n# Boom\n\nFails.\n"""\n\n# %%\nprint("before")\n\n\ndef f():\n    return 1 / 0\n\n\nf()\n')
    outcome = run_script(script, tmp_path / "out")
    assert outcome.failure is not None
    assert outcome.failure.line == 12  # inside f(), the innermost line of the script
    assert outcome.failure.summary == "ZeroDivisionError: division by zero"
    assert "gallery_builder" not in outcome.failure.traceback  # the runner's frames are cut
    assert 'line 15' in outcome.failure.traceback and "line 12" in outcome.failure.traceback
    assert outcome.record is not None
    assert outcome.record.cells[0][0].text == "before\n"
