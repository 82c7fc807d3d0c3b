"""What a reader meets on the real site, measured in Debian's chromium at 1280 px and 390 px wide.

The gallery index is a grid of distinct thumbnails; every figure has a dark version that the
palette switch shows; figure text is at least 9 px where it is shown; every example page links to
the next; no page scrolls sideways on a phone; no page uses the project's internal word "seed".
Fixtures (the built site, its server, offline browser contexts) live in conftest.py.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from browser_helpers import toggle_palette

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MIN_TEXT_PX = 9.0


def example_pages(site: Path) -> list[str]:
    """URL paths of the example pages: gallery/<section>/<example>/."""
    return sorted(
        p.relative_to(site).parent.as_posix() + "/"
        for p in (site / "gallery").glob("*/*/index.html")
        if "_vendor" not in p.parts
    )


def section_pages(site: Path) -> list[str]:
    """URL paths of the section pages: gallery/<section>/, the folders that hold examples."""
    return sorted(
        p.relative_to(site).parent.as_posix() + "/"
        for p in (site / "gallery").glob("*/index.html")
        if any(p.parent.glob("*/index.html"))
    )


ROWS_JS = """sel => {
  const tops = [...document.querySelectorAll(sel)].map(el => Math.round(el.getBoundingClientRect().top));
  const rows = new Map();
  for (const top of tops) rows.set(top, (rows.get(top) || 0) + 1);
  return [...rows.values()];
}"""


def test_gallery_index_is_a_grid_of_cards(offline, real_server, real_site) -> None:
    ctx = offline(real_server, viewport=DESKTOP)
    for path in ["gallery/", *section_pages(real_site)]:
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        rows = page.evaluate(ROWS_JS, "a.gallery-card")
        assert rows, f"{path}: no cards"
        if sum(rows) >= 3:
            assert rows[0] >= 3, f"{path}: {rows[0]} cards in the first row at 1280 px"
        heights = page.evaluate("[...document.querySelectorAll('.gallery-card__text')].map(e => e.clientHeight)")
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.gallery-card__text')).lineHeight)")
        assert max(heights) <= 2 * line + 1, f"{path}: card text longer than two lines"
        page.close()
    phone = offline(real_server, viewport=PHONE)
    page = phone.new_page()
    page.goto(real_server + "gallery/", wait_until="load")
    assert 1 <= max(page.evaluate(ROWS_JS, "a.gallery-card")) <= 2
    home = phone.new_page()
    home.goto(real_server, wait_until="load")
    strip = home.locator(".gallery-grid--strip a.gallery-card")
    assert strip.count() >= 4, "the home page has no strip of thumbnails"
    assert all("gallery/" in (strip.nth(i).get_attribute("href") or "") for i in range(strip.count()))


def test_every_thumbnail_is_distinct_and_follows_the_palette(offline, real_server, real_site) -> None:
    index = (real_site / "gallery" / "index.html").read_text()
    light = re.findall(r'src="([^"]+/thumb\.png)#only-light"', index)
    dark = re.findall(r'src="([^"]+/thumb-dark\.png)#only-dark"', index)
    assert len(light) == len(dark) == len(example_pages(real_site))
    digests = [hashlib.sha256((real_site / "gallery" / src).read_bytes()).hexdigest() for src in light + dark]
    assert len(set(digests)) == len(digests), "two thumbnails are the same picture"

    ctx = offline(real_server, viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(real_server + "gallery/", wait_until="load")
    visible = "[...document.querySelectorAll('.gallery-card__thumb')].filter(i => i.offsetParent).map(i => i.src)"
    shown = page.evaluate(visible)
    assert shown and all("#only-light" in src for src in shown)
    toggle_palette(page)
    shown = page.evaluate(visible)
    assert shown and all("#only-dark" in src for src in shown)


VISIBLE_FIGURES_JS = """() => [...document.querySelectorAll('img.gallery-image')]
  .filter(img => img.offsetParent !== null)
  .map(img => ({src: img.getAttribute('src'), textPx: parseFloat(img.dataset.textPx || '0'),
                width: parseFloat(img.getAttribute('width') || '0'), shown: img.getBoundingClientRect().width}))"""


def test_figures_switch_with_the_palette_and_their_text_is_readable(offline, real_server, real_site) -> None:
    ctx = offline(real_server, viewport=DESKTOP)
    problems = []
    pages_with_figures = 0
    for path in example_pages(real_site):
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        light = page.evaluate(VISIBLE_FIGURES_JS)
        if light:
            pages_with_figures += 1
            toggle_palette(page)
            dark = page.evaluate(VISIBLE_FIGURES_JS)
            if not dark or {f["src"] for f in dark} & {f["src"] for f in light}:
                problems.append(f"{path}: dark mode shows {[f['src'] for f in dark]}")
            for figure in light:
                shown_px = figure["textPx"] * figure["shown"] / figure["width"] if figure["width"] else 0
                if shown_px < MIN_TEXT_PX:
                    problems.append(f"{path}{figure['src']}: smallest text {shown_px:.1f} px at 1280 px")
        page.close()
    assert pages_with_figures >= 10
    assert problems == [], "\n".join(problems)


def test_a_reader_downloads_only_the_figures_of_their_mode(offline, real_server, real_site) -> None:
    """The dark versions double the site's size on disk, not what a page costs a reader."""
    path = next(p for p in example_pages(real_site) if "-dark.png" in (real_site / p / "index.html").read_text())
    ctx = offline(real_server, viewport=DESKTOP)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(real_server + path, wait_until="load")
    page.evaluate("async () => { for (let y = 0; y < document.body.scrollHeight; y += 400) {"
                  " window.scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); } }")
    page.wait_for_timeout(300)
    pngs = [url for url in requested if url.endswith(".png")]
    assert pngs and not [url for url in pngs if url.endswith("-dark.png")], pngs


def test_every_example_links_to_the_next_and_fits_a_phone(offline, real_server, real_site) -> None:
    ctx = offline(real_server, viewport=PHONE)
    problems = []
    for path in example_pages(real_site):
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        if page.locator("a.md-footer__link--next").count() != 1:
            problems.append(f"{path}: no link to the next page")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{path}: the page scrolls sideways by {overflow} px at 390 px")
        page.close()
    assert problems == [], "\n".join(problems)


def test_no_table_hides_a_column_at_desktop_width(offline, real_server, real_site) -> None:
    ctx = offline(real_server, viewport=DESKTOP)
    problems = []
    for html_file in sorted(real_site.glob("*/index.html")):
        path = html_file.relative_to(real_site).parent.as_posix() + "/"
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        for wide in page.evaluate(
            "[...document.querySelectorAll('.md-typeset__scrollwrap')]"
            ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.textContent.slice(0, 60))"
        ):
            problems.append(f"{path}: a table scrolls sideways: {wide!r}")
        page.close()
    assert problems == [], "\n".join(problems)


def test_no_page_says_the_seed(real_site) -> None:
    jargon = re.compile(r"\bthe seed\b|\bseed tutorial\b|\bseed's\b", re.IGNORECASE)
    found = []
    for html_file in real_site.rglob("*.html"):
        text = re.sub(r"<[^>]+>", " ", html_file.read_text(errors="replace"))
        found += [f"{html_file.relative_to(real_site)}: {m.group(0)!r}" for m in jargon.finditer(text)]
    assert found == [], "\n".join(found)


# Material's slate background, the page behind a dark figure, and the share of a figure that may
# be pale (every channel >= 180 once composited on it): white blocks glare on a dark page.
SLATE = (30, 33, 41)
PALE_CHANNEL = 180
MAX_PALE_SHARE = 0.20


def pale_share(png: Path | bytes) -> float:
    import io

    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("RGBA")
    page = Image.new("RGBA", image.size, (*SLATE, 255))
    pixels = np.asarray(Image.alpha_composite(page, image).convert("RGB"))
    return float((pixels.min(axis=2) >= PALE_CHANNEL).mean())


def test_no_dark_figure_glares(real_site) -> None:
    """Dark-mode figures keep pale areas small: a diverging colormap's white centre becomes a
    dark-centred twin in the dark variant, masked cells show the page (capture/dark_figures.py).
    Animations' dark frames are checked too."""
    import base64

    images = sorted((real_site / "gallery").rglob("*-dark.png"))
    assert len(images) > 30, images
    pale = {p.relative_to(real_site).as_posix(): pale_share(p) for p in images}
    for view in sorted((real_site / "gallery").rglob("view-*.html")):
        dark = view.read_text().partition('class="gv-only-dark"')[2]
        # matplotlib's player writes each frame's base64 on lines ending in a backslash
        for n, data in enumerate(re.findall(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)", dark)):
            frame = base64.b64decode(re.sub(r"[\\\n]", "", data))
            pale[f"{view.relative_to(real_site).as_posix()} dark frame {n}"] = pale_share(frame)
    glaring = {name: round(share, 2) for name, share in pale.items() if share > MAX_PALE_SHARE}
    assert glaring == {}, f"{len(glaring)} of {len(pale)} dark figures are more than 20% pale"
