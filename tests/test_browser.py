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
    handle, frame = view_frames(page)[0]
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
    """On a narrow screen, wide views shrink (down to half size, then scroll sideways)."""
    ctx = offline(showcase_server, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    frames = view_frames(page)
    assert _check_sizes(page, frames) == []
    zooms = [float(_frame_info(f)["zoom"]) for _, f in frames]
    assert all(z < 1 for z in zooms[2:]), zooms  # model and neuron views
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
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

    def token_colour(frame):
        return frame.evaluate("getComputedStyle(document.querySelector('#left text')).fill")

    assert _frame_info(head)["scheme"] == "light"
    assert luminance(_frame_info(head)["background"]) > 0.8
    assert luminance(token_colour(head)) < 0.1
    assert model_background(model) == "white"
    head_handle.scroll_into_view_if_needed()
    head_handle.screenshot(path=str(ARTIFACTS / "head-view-light.png"))
    model_handle.scroll_into_view_if_needed()
    model_handle.screenshot(path=str(ARTIFACTS / "model-view-light.png"))

    toggle_palette(page)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    head.wait_for_function("() => document.documentElement.dataset.gvScheme === 'dark'")
    # Views with a display_mode draw themselves again, in bertviz's dark palette.
    model.wait_for_function("() => document.querySelector('#vis svg') && "
                            "document.querySelector('#vis svg').getAttribute('fill') === 'black'")
    neuron.wait_for_function("() => { const d = document.querySelector('[id^=bertviz-]');"
                             " return d && getComputedStyle(d).backgroundColor === 'rgb(0, 0, 0)'; }")
    page.wait_for_timeout(500)
    info = _frame_info(head)
    assert luminance(info["background"]) < 0.05
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
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
    model.wait_for_function("() => document.querySelector('#vis svg') && "
                            "document.querySelector('#vis svg').getAttribute('fill') === 'white'")
    assert ctx.errors == [], "\n".join(ctx.errors)


def test_views_start_dark_on_a_dark_page(offline, showcase_server):
    """A reader whose system is dark gets Material's slate scheme; views draw dark at once."""
    ctx = offline(showcase_server, color_scheme="dark")
    page = ctx.new_page()
    page.goto(showcase_server + SHOWCASE_VIEWS, wait_until="load")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    frames = view_frames(page)
    assert [_frame_info(f)["scheme"] for _, f in frames] == ["dark"] * 4
    assert frames[2][1].evaluate("document.querySelector('#vis svg').getAttribute('fill')") == "black"
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
