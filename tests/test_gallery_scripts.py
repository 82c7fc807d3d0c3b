"""Every real gallery script runs, on the real embedded models, and shows something.

Uses the project's own output cache (.cache/gallery): a cached result counts, since it is used
only while everything that shapes its outputs is unchanged (CONTRIBUTING.md, "What reruns a
script"). A fresh clone (as in CI) runs every script.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from gallery_builder.build import BuildReport, build_gallery
from gallery_builder.options import BuildOptions
from gallery_builder.sources.project import Gallery

EXAMPLES = Gallery.load(ROOT / "gallery_src").examples()
ORIGINAL_TUTORIAL_VIEWS = {  # the five views of the tutorial the gallery started from
    "attributions/averaged-gradient-is-flat",
    "attention/one-head",
    "attention/all-heads-one-layer",
    "hidden-states/token-across-layers",
    "interactive/head-view",
}


@pytest.fixture(scope="module")
def report() -> tuple[dict, BuildReport]:
    files, report = build_gallery(BuildOptions.for_project(ROOT))
    return files, report


def test_the_original_tutorials_views_and_enough_examples_exist() -> None:
    urls = {e.url_dir for e in EXAMPLES}
    assert urls >= ORIGINAL_TUTORIAL_VIEWS, ORIGINAL_TUTORIAL_VIEWS - urls
    assert len(EXAMPLES) >= 28


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.url_dir)
def test_script_runs_and_shows_output(report, example) -> None:
    files, built = report
    result = next(r for r in built.results if r.example.path == example.path)
    assert result.status != "failed", f"{result.location}: {result.failure and result.failure.summary}"
    shown = [o for cell in result.outputs for o in cell if o.kind in ("image", "html")]
    assert shown, f"{result.display_path} shows no figure or view"
    assert result.parsed and result.parsed.description, "the card needs a one-line description"
    page = files[f"gallery/{example.url_dir}/index.md"].decode()
    assert page.startswith(f"# {result.parsed.title}")
