"""The decoder's "your prompt" page in the real browser: SmolLM2's ONNX export runs the reader's
prompt with onnxruntime-web from the site's own files (every other request blocked), draws the
top-10 next tokens with a temperature slider and the logit lens grid, and keeps hostile text as text.

Builds a site with only this page (the live exports come from the live cache, GALLERY_LIVE_CACHE).
"""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
from browser_helpers import serve
from conftest import ROOT, _build_site, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "gallery/decoder/your-prompt/"
SCRIPT = ROOT / "gallery_src/05_decoder/06_your_prompt.py"
HOSTILE = """</script><img src=x onerror="window.__pwned=1"> & "quotes" 'single' <b>bold</b>"""


@pytest.fixture(scope="module")
def prompt_server(tmp_path_factory, chromium):
    base = tmp_path_factory.mktemp("prompt")
    gallery = base / "gallery_src"
    (gallery / "05_decoder").mkdir(parents=True)
    for name in ("README.md", "ruff.toml"):
        shutil.copy(ROOT / "gallery_src" / name, gallery / name)
    shutil.copy(ROOT / "gallery_src/05_decoder/README.md", gallery / "05_decoder/README.md")
    shutil.copy(SCRIPT, gallery / "05_decoder" / SCRIPT.name)
    project = make_project(base / "project", gallery)
    site = base / "site"
    _build_site(project, site, env={"GALLERY_CACHE": str(base / "cache")})
    with serve(site) as url:
        yield url


def _run(page, text: str) -> str:
    box = page.locator(".gallery-live").first
    box.locator(".gallery-live__input").fill(text)
    box.locator(".gallery-live__input").press("Enter")
    page.wait_for_function(
        "() => /^(Ran|Could not)/.test(document.querySelector('.gallery-live__status').textContent)",
        timeout=300_000,
    )
    return box.locator(".gallery-live__status").text_content() or ""


def _bars(page) -> list[tuple[str, float]]:
    tokens = page.locator(".dp-bars .dp-token").all_text_contents()
    probs = page.locator(".dp-bars .dp-prob").all_text_contents()
    return [(t, float(p)) for t, p in zip(tokens, probs, strict=True)]


def test_paris_is_the_top_token_and_the_lens_grid_is_layers_by_tokens(offline, prompt_server) -> None:
    ctx = offline(prompt_server)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(prompt_server + PAGE, wait_until="load")
    assert not any("/_live/smollm2/" in u or "onnxruntime" in u for u in requested), "downloaded before asked"
    status = _run(page, "The capital of France is")
    assert status.startswith("Ran in"), status
    assert "4-bit" in status and "top-10 the same" in status
    bars = _bars(page)
    assert len(bars) == 10 and bars[0][0] == "␣Paris"
    assert [p for _, p in bars] == sorted((p for _, p in bars), reverse=True)
    # the lens grid: one row per layer, one cell per prompt token, top row = the model's answer
    rows = page.locator("table.dp-lens tbody tr")
    assert rows.count() == 30
    cells = page.locator("table.dp-lens tbody tr").first.locator("td")
    header = page.locator("table.dp-lens thead th").all_text_contents()[1:]
    assert header == ["The", "␣capital", "␣of", "␣France", "␣is"]
    assert cells.count() == len(header)
    assert cells.last.locator(".dp-top").text_content() == "␣Paris"
    assert page.locator("table.dp-lens td").count() == 30 * len(header)
    # the slider recomputes from the logits: a colder temperature sharpens the top token, same order
    page.locator(".dp-temperature").fill("0.5")
    colder = _bars(page)
    assert [t for t, _ in colder] == [t for t, _ in bars] and colder[0][1] > bars[0][1]
    # a second run reads only the prompt box (the slider is an input too), and keeps one text in the link
    again = _run(page, "The capital of France is")
    assert again.startswith("Ran in") and _bars(page)[0][0] == "␣Paris", again
    assert page.url.endswith("#text=The%20capital%20of%20France%20is"), page.url
    assert ctx.errors == [], ctx.errors


def test_hostile_text_stays_text_typed_or_linked(offline, prompt_server) -> None:
    ctx = offline(prompt_server)
    for how in ("typed", "linked"):
        page = ctx.new_page()
        suffix = "#text=" + quote(HOSTILE) if how == "linked" else ""
        page.goto(prompt_server + PAGE + suffix, wait_until="load")
        if how == "linked":
            page.wait_for_timeout(300)
            assert page.locator(".gallery-live__input").input_value() == HOSTILE
            assert page.locator("table.dp-lens").count() == 0, "a link ran the model"
        images = page.evaluate("() => document.images.length")
        status = _run(page, HOSTILE)
        assert status.startswith("Ran in"), status
        header = "".join(page.locator("table.dp-lens thead th").all_text_contents())
        assert "img" in header and "&" in header
        assert page.evaluate("() => window.__pwned === undefined")
        assert page.evaluate("() => document.querySelector('.gallery-live img, .gallery-live b') === null")
        assert page.evaluate("() => document.images.length") == images
        page.close()
    assert ctx.errors == [], ctx.errors


def test_a_long_prompt_is_cut_and_390_px_fits(offline, prompt_server) -> None:
    ctx = offline(prompt_server, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(prompt_server + PAGE, wait_until="load")
    status = _run(page, "one two three four five six seven eight nine ten " * 5)
    assert status.startswith("Ran in") and "only its last 32 were kept" in status, status
    assert page.locator("table.dp-lens thead th").count() == 33
    # the page does not scroll sideways; the grid scrolls inside its own box
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = page.locator(".dp-scroll").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("() => document.querySelector('.dp-scroll').scrollWidth") > box["width"]
    assert ctx.errors == [], ctx.errors
