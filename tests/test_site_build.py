"""The real `mkdocs build --strict` on a small fixture gallery: pages, images, iframes, cache, failures."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from conftest import ROOT, mkdocs_build

SUMMARY = re.compile(r"^gallery: (\d+) ran, (\d+) cached, (\d+) failed in [\d.]+ s$", re.M)


def counts(stderr: str) -> tuple[int, int, int]:
    found = SUMMARY.findall(stderr)
    assert len(found) == 1, stderr
    return tuple(int(n) for n in found[0])  # type: ignore[return-value]


def test_fixture_site_builds_then_reuses_the_cache(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = mkdocs_build(project, cache)
    assert first.returncode == 0, first.stderr
    assert counts(first.stderr) == (3, 0, 0)
    assert re.search(r"^gallery: \[\d/3\] ran +gallery_src/01_basics/01_figures_and_text.py \([\d.]+ s\)$",
                     first.stderr, re.M)

    site = project / "site" / "gallery"
    figures = site / "basics" / "figures-and-text"
    page = (figures / "index.html").read_text()
    images = re.findall(r'<img[^>]+src="(image-\d+\.png)#only-light"', page)
    assert images == ["image-1.png", "image-2.png", "image-3.png"]
    dark = re.findall(r'<img[^>]+src="(image-\d+-dark\.png)#only-dark"', page)
    assert dark == ["image-1-dark.png", "image-2-dark.png", "image-3-dark.png"]
    for light_name, dark_name in zip(images, dark, strict=True):
        light_bytes, dark_bytes = (figures / light_name).read_bytes(), (figures / dark_name).read_bytes()
        assert len(light_bytes) > 1000 and len(dark_bytes) > 1000 and light_bytes != dark_bytes
    assert "hello from a helper" in page and "Run time" in page

    html_page = (site / "basics" / "html-outputs" / "index.html").read_text()
    frames = re.findall(r'<iframe[^>]+src="(view-\d+\.html)"', html_page)
    assert frames == ["view-1.html", "view-2.html", "view-3.html"]
    for name in frames:
        view = (site / "basics" / "html-outputs" / name).read_text()
        assert view.lower().startswith("<!doctype html>")

    index = (site / "index.html").read_text()
    assert "Figures and text" in index and "basics/figures-and-text/thumb.png#only-light" in index
    assert "basics/figures-and-text/thumb-dark.png#only-dark" in index
    assert (site / "basics" / "figures-and-text" / "thumb.png").exists()
    assert (site / "basics" / "figures-and-text" / "thumb-dark.png").exists()
    nav_links = re.findall(r'href="([^"]*basics/[^"]*)"', index)
    assert any("html-outputs" in link for link in nav_links)  # the nav lists every example

    # The site publishes no build input (docs/gen_gallery.py is the generator's entry point); the
    # only scripts are the examples' downloads, in the gallery.
    built = project / "site"
    outside_gallery = [p.relative_to(built) for p in built.rglob("*.py") if p.relative_to(built).parts[0] != "gallery"]
    assert [p.as_posix() for p in outside_gallery] == []

    # No path of the build machine on any page.
    for built in (project / "site").rglob("*.html"):
        text = built.read_text(errors="replace")
        for secret in (str(project), str(ROOT), sys.prefix):
            assert secret not in text, f"{built} shows {secret}"

    second = mkdocs_build(project, cache)
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr) == (0, 3, 0)

    script = project / "gallery_src" / "01_basics" / "02_html_outputs.py"
    script.write_text(script.read_text().replace("custom html", "edited html"))
    third = mkdocs_build(project, cache)
    assert counts(third.stderr) == (1, 2, 0)
    assert "edited html" in (site / "basics" / "html-outputs" / "view-3.html").read_text()


def test_editing_a_helper_module_reruns_its_importer(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert mkdocs_build(project, cache).returncode == 0
    helper = project / "gallery_src" / "01_basics" / "_shared.py"
    helper.write_text(helper.read_text().replace("hello from a helper", "changed helper"))
    rebuilt = mkdocs_build(project, cache)
    assert counts(rebuilt.stderr) == (1, 2, 0)
    assert "changed helper" in (project / "site/gallery/basics/figures-and-text/index.html").read_text()


def test_a_failing_script_fails_the_strict_build_and_names_its_line(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = project / "gallery_src" / "01_basics" / "03_raises.py"
    bad.write_text('"""\n# Raises\n\nFails on purpose.\n"""\n\n# %%\nx = 1\nraise RuntimeError("broken <script>")\n')
    strict = mkdocs_build(project, cache)
    assert strict.returncode != 0
    assert "gallery_src/01_basics/03_raises.py:9: RuntimeError: broken <script>" in strict.stderr
    assert counts(strict.stderr) == (3, 0, 1)  # the other scripts still built
    entries = list((cache / "entries").iterdir())
    assert len(entries) == 3  # and nothing is cached for the failure

    # Without --strict (as in `mkdocs serve`), the page shows the error instead.
    relaxed = mkdocs_build(project, cache, "--no-strict")
    assert relaxed.returncode == 0, relaxed.stderr
    assert counts(relaxed.stderr) == (0, 3, 1)
    page = (project / "site/gallery/basics/raises/index.html").read_text()
    assert "failed at line 9 of gallery_src/01_basics/03_raises.py" in page
    assert "broken &lt;script&gt;" in page and "broken <script>" not in page


def test_hostile_text_renders_as_text(project: Path, tmp_path: Path) -> None:
    built = mkdocs_build(project, tmp_path / "cache")
    assert built.returncode == 0, built.stderr
    folder = project / "site/gallery/basics/hostile-text"
    page = (folder / "index.html").read_text()
    body = page.split('<article', 1)[1]
    for injected in ('<script>alert("prose")', "<img src=x", "<script>alert('alt')", "alert('stdout')>"):
        assert injected not in body, injected
    assert "&lt;script&gt;alert(&quot;prose&quot;)&lt;/script&gt;" in body or '&lt;script&gt;alert("prose")' in body
    alts = re.findall(r'<img class="gallery-image"[^>]* alt="([^"]*)"', body)
    assert len(alts) == 2 and alts[0] == alts[1]  # the light and the dark version
    assert alts[0].startswith("&lt;script&gt;alert(") and "&amp; &quot;quotes&quot;" in alts[0]
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<text>" not in title and "&lt;text&gt;" in title
    view = (folder / "view-1.html").read_text()
    # The only </script> closings are the document's own script tags: token text cannot close them.
    assert view.count("</script>") == view.count("<script")
    assert "<script>alert('view')" not in view
