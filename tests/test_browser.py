"""Browser tests: the built site in Debian's chromium, driven by Playwright, with no network.

Two sites are built with the real mkdocs.yml and the real `mkdocs build --strict`:
- the project's own site (or the folder in $GALLERY_SITE_DIR, when a build already exists);
- a showcase gallery (tests/browser_helpers.py) that holds every kind of view: head view,
  sentence pair, model view, neuron view, hostile token text, a pandas Styler, custom HTML.
Each is served on 127.0.0.1; every request to any other host is aborted and recorded.

The fixtures (chromium, browser, real_site, showcase_site, real_server, showcase_server,
offline) live in tests/conftest.py. Screenshots go to test-artifacts/ (or $GALLERY_ARTIFACTS).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_helpers import (
    FRAME_INFO_JS,
    HOSTILE_TOKENS,
    OfflineContext,
    check_images,
    colour_distance,
    cut_off,
    dominant_colour,
    expand_neuron_view,
    head_view_line_pixels,
    luminance,
    toggle_palette,
    view_frames,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("GALLERY_ARTIFACTS", ROOT / "test-artifacts"))
SHOWCASE_VIEWS = "gallery/views/bertviz-views/"
SHOWCASE_OTHER = "gallery/views/other-html/"


def _gallery_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).parent.as_posix() + "/"
        for p in (site / "gallery").rglob("index.html")
        if "_vendor" not in p.parts
    )


def _view_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / "gallery").rglob("view-*.html"))


def _frame_info(frame) -> dict:
    return frame.evaluate(FRAME_INFO_JS)


def _check_sizes(page, frames) -> list[str]:
    problems = []
    for handle, frame in frames:
        info = _frame_info(frame)
        height = handle.evaluate("el => el.getBoundingClientRect().height")
        where = f"{page.url} {handle.get_attribute('src')}"
        if info["rootHeight"] is None or abs(height - info["rootHeight"]) > 2:
            problems.append(f"{where}: iframe {height}px tall, content {info['rootHeight']}px")
        if info["scrollHeight"] > info["clientHeight"] + 1:
            problems.append(f"{where}: content overflows vertically {info}")
        if info["scrollWidth"] > info["clientWidth"] + 1 and not info["scrollX"]:
            problems.append(f"{where}: content overflows sideways {info}")
        if not info["managed"]:
            problems.append(f"{where}: the page script never reached the view")
    return problems


def _visit_gallery(ctx: OfflineContext, base: str, pages: list[str]) -> dict:
    """Open every page: views load, draw and fit; images load. Returns {page: [frame info]}."""
    seen = {}
    problems = []
    for path in pages:
        page = ctx.new_page()
        page.goto(base + path, wait_until="load")
        frames = view_frames(page)
        seen[path] = [_frame_info(frame) for _, frame in frames]
        problems += [f"{path}: image did not load: {src}" for src in check_images(page)]
        problems += _check_sizes(page, frames)
        for handle, frame in frames:
            if frame.evaluate("typeof window.__pwned") != "undefined":
                problems.append(f"{path}: a view ran injected code")
            assert handle.get_attribute("loading") == "lazy"
        page.close()
    assert problems == [], "\n".join(problems)
    return seen


# --------------------------------------------------------------------------------------------
# The project's site
# --------------------------------------------------------------------------------------------

def test_real_site_pages_render_offline(offline, real_site, real_server):
    pages = _gallery_pages(real_site)
    assert pages, "the built site has no gallery pages"
    ctx = offline(real_server)
    seen = _visit_gallery(ctx, real_server, pages)
    assert ctx.errors == [], "\n".join(ctx.errors)
    kinds = [info["kind"] for infos in seen.values() for info in infos]
    assert any(k == "bertviz-head" for k in kinds), f"no bertviz head view on the site: {kinds}"
    for infos in seen.values():
        for info in infos:
            if info["kind"].startswith("bertviz"):
                assert info["svgElements"] > 0, info


# Code blocks of the scripts' cells; outputs (.gallery-output, .gallery-stderr) may scroll in their boxes.
WIDE_CODE_JS = """() => [...document.querySelectorAll('.md-typeset pre > code')]
    .filter(c => !c.closest('.gallery-output, .gallery-stderr'))
    .filter(c => c.scrollWidth > c.clientWidth + 1)
    .map(c => c.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''))"""


def test_real_site_code_blocks_fit_the_column(offline, real_site, real_server):
    """At 1280 px no code block of an example page scrolls sideways: readers see every line they
    would copy (tests/test_static.py keeps the scripts at the width that makes this true)."""
    pages = [p for p in _gallery_pages(real_site) if (real_site / p / "index.html").read_text().count("<pre")]
    assert len(pages) > 10, pages
    ctx = offline(real_server, viewport=DESKTOP)
    wide = {}
    for path in pages:
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        if lines := page.evaluate(WIDE_CODE_JS):
            wide[path] = lines
        page.close()
    assert wide == {}, "\n".join(f"{path}: {len(lines)} code blocks scroll, e.g. {lines[0]!r}"
                                 for path, lines in wide.items())


def test_real_site_view_files_render_on_their_own(offline, real_site, real_server):
    views = _view_files(real_site)
    assert views, "the built site has no view-N.html files"
    _open_views_alone(offline(real_server), real_server, views)


# Material's own bundle names two unpkg.com scripts that it loads only when needed: a
# ResizeObserver polyfill (for browsers without ResizeObserver) and mermaid (for pages with a
# mermaid diagram). Neither is requested here (the request-blocking tests above would fail);
# they are listed exactly so that any other CDN URL still fails this test.
MATERIAL_DORMANT_CDN_URLS = (
    "https://unpkg.com/resize-observer-polyfill",
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
)
CDN_RE = re.compile(
    r"(?:https?:)?//[\w.-]*(?:cdnjs|jsdelivr|unpkg\.com|googleapis\.com|gstatic\.com|code\.jquery\.com"
    r"|bootstrapcdn|cdn\.plot\.ly)[^\s\"'<>)]*",
    re.IGNORECASE,
)


def test_real_site_has_no_cdn_urls(real_site):
    offenders = []
    for path in sorted(real_site.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".js", ".css", ".json", ".map", ".xml", ".txt", ".svg"):
            continue
        rel = path.relative_to(real_site).as_posix()
        for match in CDN_RE.finditer(path.read_text(errors="replace")):
            url = match.group(0)
            dormant = rel.startswith("assets/javascripts/bundle.") and url.rstrip("\\") in MATERIAL_DORMANT_CDN_URLS
            if not dormant:
                offenders.append(f"{rel}: {url}")
    assert offenders == [], "\n".join(offenders)


def test_real_site_search_works_on_a_page_with_a_view(offline, real_site, real_server):
    pages = [p for p in _gallery_pages(real_site) if list((real_site / p).glob("view-*.html"))]
    assert pages, "no gallery page holds a view"
    ctx = offline(real_server)
    page = ctx.new_page()
    page.goto(real_server + pages[0], wait_until="load")
    view_frames(page)
    _search(page, "attention")
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_real_site_head_view_in_light_and_dark(offline, real_site, real_server):
    """Screenshots of the site's own head view, before and after the reader flips the toggle."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = offline(real_server)
    # The BERT head view of the interactive section first, if there is one.
    for path in sorted(_gallery_pages(real_site), key=lambda p: ("interactive/" not in p, p)):
        if not list((real_site / path).glob("view-*.html")):
            continue
        page = ctx.new_page()
        page.goto(real_server + path, wait_until="load")
        heads = [(h, f) for h, f in view_frames(page) if _frame_info(f)["kind"] == "bertviz-head"]
        if not heads:
            page.close()
            continue
        handle, frame = heads[0]
        assert _frame_info(frame)["scheme"] == "light"
        handle.scroll_into_view_if_needed()
        handle.screenshot(path=str(ARTIFACTS / "site-head-view-light.png"))
        toggle_palette(page)
        frame.wait_for_function("() => document.documentElement.dataset.gvScheme === 'dark'")
        page.wait_for_timeout(300)
        assert luminance(_frame_info(frame)["background"]) < 0.05
        handle.scroll_into_view_if_needed()
        handle.screenshot(path=str(ARTIFACTS / "site-head-view-dark.png"))
        assert ctx.errors == [], "\n".join(ctx.errors)
        return
    pytest.fail("no page of the site holds a bertviz head view")


def test_real_site_views_read_in_both_schemes_and_at_both_widths(offline, real_site, real_server):
    """Every view of the site, at 1280 px in light and dark mode and at 390 px: on the page's
    background; head-view lines as visible in dark mode as in light mode; model and neuron views
    at a readable zoom on a desktop; nothing scrolling sideways or cut off on a phone.
    Screenshots: test-artifacts/site-views/. Pages without a view keep their table of contents."""
    shots = ARTIFACTS / "site-views"
    shots.mkdir(parents=True, exist_ok=True)
    pages = [p for p in _gallery_pages(real_site) if list((real_site / p).glob("view-*.html"))]
    assert pages, "no gallery page holds a view"
    lines: dict[tuple[str, int], dict[str, float]] = {}
    problems = []
    for scheme, viewport in (("light", DESKTOP), ("dark", DESKTOP), ("light", PHONE), ("dark", PHONE)):
        ctx = offline(real_server, viewport=viewport, color_scheme=scheme)
        for path in pages:
            page = ctx.new_page()
            page.goto(real_server + path, wait_until="load")
            page_bg = _page_background(page)
            for n, (handle, frame) in enumerate(view_frames(page)):
                info = _frame_info(frame)
                where = f"{path} view {n + 1} ({info['kind']}, {scheme}, {viewport['width']} px)"
                handle.scroll_into_view_if_needed()
                png = handle.screenshot(path=str(shots / f"{path.strip('/').replace('/', '-')}-{n + 1}-"
                                                          f"{viewport['width']}-{scheme}.png"))
                picture_bg = dominant_colour(png)  # animations too: they have a dark variant
                if info["background"] != page_bg or colour_distance(picture_bg, page_bg) >= 2:
                    seen = f"{info['background']} / {dominant_colour(png)}"
                    problems.append(f"{where}: background {seen}, page {page_bg}")
                if info["scrollX"] or info["scrollWidth"] > info["clientWidth"] + 1 or cut_off(frame):
                    problems.append(f"{where}: does not fit its frame: {info}, cut off {cut_off(frame)}")
                if viewport is DESKTOP:
                    if info["kind"] in ("bertviz-model", "bertviz-neuron") and float(info["zoom"]) < MIN_DESKTOP_ZOOM:
                        problems.append(f"{where}: zoom {info['zoom']}")
                    if info["kind"] == "bertviz-head":
                        lines.setdefault((path, n), {})[scheme] = head_view_line_pixels(page, handle, frame)
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                problems.append(f"{path} ({scheme}, {viewport['width']} px): the page scrolls sideways")
            page.close()
        problems += ctx.errors
    assert lines, "no head view on the site"
    for (path, n), seen in lines.items():
        if seen["dark"] < DARK_LIGHT_LINE_RATIO * seen["light"]:
            problems.append(f"{path} view {n + 1}: head-view lines cover {seen['dark']:.3f} of the band in "
                            f"dark mode, {seen['light']:.3f} in light mode")
    assert problems == [], "\n".join(problems)

    # The layout change is for pages with views only.
    plain = [p for p in _gallery_pages(real_site)
             if not list((real_site / p).glob("view-*.html")) and list((real_site / p).glob("*.png"))]
    if plain:
        page = offline(real_server, viewport=DESKTOP).new_page()
        page.goto(real_server + plain[0], wait_until="load")
        assert page.evaluate("getComputedStyle(document.querySelector('.md-sidebar--secondary')).display") != "none"


def _search(page, query: str) -> None:
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=30)
    page.wait_for_function(
        "() => document.querySelectorAll('.md-search-result__item').length > 0", timeout=15_000
    )
    meta = page.locator(".md-search-result__meta").inner_text()
    assert re.match(r"[1-9]\d* matching document", meta), meta


# --------------------------------------------------------------------------------------------
# The showcase
# --------------------------------------------------------------------------------------------

def test_showcase_renders_offline(offline, showcase_site, showcase_server):
    ctx = offline(showcase_server)
    seen = _visit_gallery(ctx, showcase_server, [SHOWCASE_VIEWS, SHOWCASE_OTHER])
    assert ctx.errors == [], "\n".join(ctx.errors)
    assert [i["kind"] for i in seen[SHOWCASE_VIEWS]] == [
        "bertviz-head", "bertviz-head", "bertviz-model", "bertviz-neuron"
    ]
    assert [i["kind"] for i in seen[SHOWCASE_OTHER]] == ["bertviz-head", "html", "html"]
    for info in seen[SHOWCASE_VIEWS]:
        assert info["svgElements"] > 100, info
    # The model view is 970 px wide: it is shrunk to fit the content column, not clipped.
    model = seen[SHOWCASE_VIEWS][2]
    assert float(model["zoom"]) < 1 and model["scrollWidth"] <= model["clientWidth"] + 1


def test_views_are_idle_once_drawn(offline, showcase_server):
    """A view measures itself when it changes, not in a loop (a loop costs CPU on every page)."""
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    frames = view_frames(page)
    page.wait_for_timeout(500)
    count = "() => window.galleryView.measurements()"
    before = [frame.evaluate(count) for _, frame in frames]
    page.wait_for_timeout(1000)
    after = [frame.evaluate(count) for _, frame in frames]
    assert after == before
    # ...and it does measure again when the reader changes it.
    frames[0][1].select_option("#layer", "3")
    page.wait_for_timeout(300)
    assert frames[0][1].evaluate(count) > before[0]
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_showcase_view_files_render_on_their_own(offline, showcase_site, showcase_server):
    views = _view_files(showcase_site)
    assert views, "the showcase site has no view-N.html files"
    _open_views_alone(offline(showcase_server), showcase_server, views)


def _open_views_alone(ctx, server: str, views: list[str]) -> None:
    """Open each view document by itself; every bertviz view must draw SVG, with no console error."""
    for path in views:
        page = ctx.new_page()
        page.goto(server + path, wait_until="load")
        page.wait_for_function(
            "() => !(document.documentElement.dataset.gvKind || '').startsWith('bertviz')"
            " || document.querySelectorAll('svg *').length > 0",
            timeout=20_000,
        )
        page.close()
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_hostile_tokens_show_as_text(offline, showcase_server):
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_OTHER, wait_until="load")
    _, frame = view_frames(page)[0]
    texts = frame.evaluate("() => Array.from(document.querySelectorAll('#left text')).map(t => t.textContent)")
    assert texts == HOSTILE_TOKENS
    assert frame.evaluate("document.querySelectorAll('img, b').length") == 0
    assert frame.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_iframe_follows_content_height(offline, showcase_server):
    """Picking another block of a sentence pair changes the view's height; the iframe follows."""
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    handle, frame = view_frames(page)[1]
    before = handle.evaluate("el => el.getBoundingClientRect().height")
    frame.select_option("#filter", label="Sentence A -> Sentence A")
    page.wait_for_function("([el, h]) => el.getBoundingClientRect().height < h - 20", arg=[handle, before])
    page.wait_for_timeout(300)
    assert _check_sizes(page, [(handle, frame)]) == []
    frame.select_option("#filter", label="All")
    page.wait_for_function("([el, h]) => Math.abs(el.getBoundingClientRect().height - h) < 2", arg=[handle, before])
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_views_fit_a_phone_screen(offline, showcase_server):
    """On a phone, every view shrinks to the width of the screen: no frame scrolls sideways and
    nothing is cut off, not even the neuron view's expanded query/key detail (1000 px wide)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = offline(showcase_server, viewport={"width": 390, "height": 844})
    for path in (SHOWCASE_VIEWS, SHOWCASE_OTHER):
        page = ctx.new_page()
        page.goto(showcase_server + path, wait_until="load")
        frames = view_frames(page)
        assert _check_sizes(page, frames) == []
        for _, frame in frames:
            info = _frame_info(frame)
            assert not info["scrollX"] and info["scrollWidth"] <= info["clientWidth"] + 1, info
            assert cut_off(frame) == [], info
        if path == SHOWCASE_VIEWS:
            zooms = [float(_frame_info(f)["zoom"]) for _, f in frames]
            assert all(z < 1 for z in zooms[2:]), zooms  # the model and neuron views shrink
            handle, neuron = frames[3]
            expand_neuron_view(page, neuron)
            page.wait_for_timeout(300)
            info = _frame_info(neuron)
            assert float(info["zoom"]) < zooms[3], info  # it shrinks further...
            assert not info["scrollX"] and info["scrollWidth"] <= info["clientWidth"] + 1, info
            assert cut_off(neuron) == [], info  # ...and its softmax column stays in the frame
            assert _check_sizes(page, [(handle, neuron)]) == []
            handle.scroll_into_view_if_needed()
            handle.screenshot(path=str(ARTIFACTS / "neuron-view-expanded-phone.png"))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.close()
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_views_follow_the_light_dark_toggle(offline, showcase_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    frames = view_frames(page)
    head_handle, head = frames[0]
    model_handle, model = frames[2]
    neuron_handle, neuron = frames[3]
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"

    def model_background(frame):
        return frame.evaluate("document.querySelector('#vis svg').getAttribute('fill')")

    def page_background():
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    wait_model_bg = ("bg => document.querySelector('#vis svg') && "
                     "document.querySelector('#vis svg').getAttribute('fill') === bg")
    wait_neuron_bg = ("bg => { const d = document.querySelector('[id^=bertviz-]');"
                      " return d && getComputedStyle(d).backgroundColor === bg; }")

    def token_colour(frame):
        return frame.evaluate("getComputedStyle(document.querySelector('#left text')).fill")

    assert _frame_info(head)["scheme"] == "light"
    assert luminance(_frame_info(head)["background"]) > 0.8
    assert luminance(token_colour(head)) < 0.1
    assert model_background(model) == page_background() == "rgb(255, 255, 255)"
    head_handle.scroll_into_view_if_needed()
    head_handle.screenshot(path=str(ARTIFACTS / "head-view-light.png"))
    model_handle.scroll_into_view_if_needed()
    model_handle.screenshot(path=str(ARTIFACTS / "model-view-light.png"))

    toggle_palette(page)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    head.wait_for_function("() => document.documentElement.dataset.gvScheme === 'dark'")
    # Views with a display_mode draw themselves again, in bertviz's dark palette, on the page's
    # own background (bertviz's is black).
    page_bg = page_background()
    model.wait_for_function(wait_model_bg, arg=page_bg)
    neuron.wait_for_function(wait_neuron_bg, arg=page_bg)
    page.wait_for_timeout(500)
    info = _frame_info(head)
    assert luminance(info["background"]) < 0.05
    assert info["background"] == page_bg
    assert luminance(token_colour(head)) > 0.5  # light text on the dark page
    head_handle.scroll_into_view_if_needed()
    head_handle.screenshot(path=str(ARTIFACTS / "head-view-dark.png"))
    model_handle.scroll_into_view_if_needed()
    model_handle.screenshot(path=str(ARTIFACTS / "model-view-dark.png"))
    neuron_handle.scroll_into_view_if_needed()
    neuron_handle.screenshot(path=str(ARTIFACTS / "neuron-view-dark.png"))
    assert _check_sizes(page, frames) == []

    toggle_palette(page)
    head.wait_for_function("() => document.documentElement.dataset.gvScheme === 'light'")
    model.wait_for_function(wait_model_bg, arg="rgb(255, 255, 255)")
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_views_start_dark_on_a_dark_page(offline, showcase_server):
    """A reader whose system is dark gets Material's slate scheme; views draw dark at once."""
    ctx = offline(showcase_server, color_scheme="dark")
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    frames = view_frames(page)
    assert [_frame_info(f)["scheme"] for _, f in frames] == ["dark"] * 4
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert frames[2][1].evaluate("document.querySelector('#vis svg').getAttribute('fill')") == page_bg
    assert ctx.errors == [], "\n".join(ctx.errors)


# --------------------------------------------------------------------------------------------
# Readable where shown: both schemes, desktop and phone widths
# --------------------------------------------------------------------------------------------

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# In dark mode the head view's lines must cover at least this share of the pixels they cover
# in light mode (bertviz's own colours on slate: 0.17-0.23; issue 10 asks for 0.7).
DARK_LIGHT_LINE_RATIO = 0.7
# Zoom below which a wide view is too small to read at desktop width.
MIN_DESKTOP_ZOOM = 0.9


def _page_background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def _head_views(frames):
    return [(h, f) for h, f in frames if _frame_info(f)["kind"] == "bertviz-head"]


def test_head_view_lines_are_as_visible_in_dark_as_in_light(offline, showcase_server):
    """The share of pixels between the token columns that stand out from the page: dark mode
    (after the reader flips the toggle, and when the page starts dark) against light mode.
    Also at a stricter threshold, so that faint smudges cannot pass for lines."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = offline(showcase_server, viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    heads = _head_views(view_frames(page))
    assert len(heads) == 2
    heads[0][1].select_option("#layer", "2")  # the reader's choice survives the redraw
    light = [[head_view_line_pixels(page, h, f, t) for t in (16, 32)] for h, f in heads]
    for n, (handle, _) in enumerate(heads):
        handle.screenshot(path=str(ARTIFACTS / f"head-view-{n + 1}-lines-light.png"))
    toggle_palette(page)
    for _, frame in heads:
        frame.wait_for_function("() => document.documentElement.dataset.gvScheme === 'dark'")
    page.wait_for_timeout(300)
    toggled = [[head_view_line_pixels(page, h, f, t) for t in (16, 32)] for h, f in heads]
    for n, (handle, _) in enumerate(heads):
        handle.screenshot(path=str(ARTIFACTS / f"head-view-{n + 1}-lines-dark.png"))
    assert heads[0][1].evaluate("document.querySelector('#layer').value") == "2"

    dark_ctx = offline(showcase_server, viewport=DESKTOP, color_scheme="dark")
    dark_page = dark_ctx.new_page()
    dark_page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    dark_heads = _head_views(view_frames(dark_page))
    dark_heads[0][1].select_option("#layer", "2")
    page.wait_for_timeout(200)
    started = [[head_view_line_pixels(dark_page, h, f, t) for t in (16, 32)] for h, f in dark_heads]

    for n in range(len(heads)):
        for k in range(2):
            assert light[n][k] > 0.1, light  # the measurement sees the lines at all
            for dark in (toggled, started):
                ratio = dark[n][k] / light[n][k]
                assert ratio >= DARK_LIGHT_LINE_RATIO, (n, k, light, toggled, started)
    assert ctx.errors == dark_ctx.errors == [], "\n".join(ctx.errors + dark_ctx.errors)


def test_view_backgrounds_are_the_page_background(offline, showcase_server):
    """In both schemes, what a view shows most is the page's own background (bertviz draws the
    model and neuron views on black in dark mode), and so are the model view's thumbnails."""
    for scheme in ("light", "dark"):
        ctx = offline(showcase_server, viewport=DESKTOP, color_scheme=scheme)
        for path in (SHOWCASE_VIEWS, SHOWCASE_OTHER):
            page = ctx.new_page()
            page.goto(showcase_server + path, wait_until="load")
            frames = view_frames(page)
            page_bg = _page_background(page)
            for handle, frame in frames:
                info = _frame_info(frame)
                assert info["background"] == page_bg, (scheme, info)
                handle.scroll_into_view_if_needed()
                shown = dominant_colour(handle.screenshot())
                assert colour_distance(shown, page_bg) < 2, (scheme, info["kind"], shown, page_bg)
                if info["kind"] == "bertviz-model":
                    fills = frame.evaluate("() => [...new Set([...document.querySelectorAll("
                                           "'rect.attn_background')].map(r => getComputedStyle(r).fill))]")
                    assert fills == [page_bg], (scheme, fills)
                if info["kind"] == "bertviz-neuron":
                    div = frame.evaluate("getComputedStyle(document.querySelector('[id^=bertviz-]')).backgroundColor")
                    assert div in (page_bg, "rgba(0, 0, 0, 0)"), (scheme, div)
            page.close()
        assert ctx.errors == [], "\n".join(ctx.errors)


def test_wide_views_open_at_a_readable_zoom_on_a_desktop(offline, showcase_server):
    """At 1280 px the model view (970 px wide) and the neuron view, collapsed and expanded, are
    shrunk by at most 10%: pages with views give the table of contents' column to them."""
    ctx = offline(showcase_server, viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    frames = view_frames(page)
    zooms = {_frame_info(f)["kind"]: float(_frame_info(f)["zoom"]) for _, f in frames}
    assert zooms["bertviz-model"] >= MIN_DESKTOP_ZOOM, zooms
    assert zooms["bertviz-neuron"] >= MIN_DESKTOP_ZOOM, zooms
    assert zooms["bertviz-head"] == 1, zooms
    assert page.evaluate("getComputedStyle(document.querySelector('.md-sidebar--secondary')).display") == "none"
    _, neuron = frames[3]
    expand_neuron_view(page, neuron)
    info = _frame_info(neuron)
    assert float(info["zoom"]) >= MIN_DESKTOP_ZOOM, info
    assert cut_off(neuron) == [] and not info["scrollX"], info
    assert _check_sizes(page, frames) == []
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_more_than_ten_heads_get_distinct_colours(offline, showcase_server):
    """MiniLM has 12 heads: 12 head colours, any two clearly apart, each clear of the page's
    background, in both schemes; the lines of head 10 are not drawn in head 0's colour."""
    for scheme in ("light", "dark"):
        ctx = offline(showcase_server, viewport=DESKTOP, color_scheme=scheme)
        page = ctx.new_page()
        page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
        _, frame = view_frames(page)[0]
        heads = frame.evaluate("() => document.querySelector('#attention').children.length")
        assert heads == 12
        boxes = frame.evaluate("() => [...document.querySelectorAll('#vis svg > g:last-child rect')]"
                               ".map(r => getComputedStyle(r).fill)")
        assert len(boxes) == heads and len(set(boxes)) == heads, boxes
        closest = min(colour_distance(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        assert closest > 15, (scheme, closest, boxes)
        page_bg = _page_background(page)
        assert min(colour_distance(c, page_bg) for c in boxes) > 40, (scheme, boxes)
        strokes = frame.evaluate("() => [...document.querySelectorAll('#attention > g')]"
                                 ".map(g => g.querySelector('line').getAttribute('stroke'))")
        assert strokes == boxes, (strokes, boxes)
        page.close()
        assert ctx.errors == [], "\n".join(ctx.errors)


def test_search_works_on_a_page_with_views(offline, showcase_server):
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    view_frames(page)
    _search(page, "neuron")
    titles = page.locator(".md-search-result__item").all_inner_texts()
    assert any("bertviz views" in t for t in titles), titles
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_blocking_really_blocks(offline, showcase_server):
    """The harness itself: a request to another host is aborted and recorded (so the
    no-request assertions above can fail)."""
    ctx = offline(showcase_server)
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_OTHER, wait_until="load")
    page.evaluate("() => fetch('https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min.js').catch(() => null)")
    page.wait_for_timeout(200)
    assert ctx.blocked == ["https://cdnjs.cloudflare.com/ajax/libs/d3/5.7.0/d3.min.js"]
    ctx.blocked.clear()
