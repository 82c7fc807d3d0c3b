"""Helpers for the browser tests: a local server, an offline Chromium, and a showcase gallery.

Nothing here talks to the internet: the server binds 127.0.0.1, and `OfflineContext` aborts
(and records) every request that is not for that server.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import textwrap
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Uncaught errors inside any frame also reach the console as errors, whatever Playwright
# forwards from subframes on its own.
REPORT_ERRORS_SCRIPT = """
window.addEventListener("error", function (e) {
  console.error("uncaught: " + (e.message || (e.target && (e.target.src || e.target.href)) || e));
}, true);
window.addEventListener("unhandledrejection", function (e) {
  console.error("unhandled rejection: " + e.reason);
});
"""


def find_chromium() -> str | None:
    for candidate in (os.environ.get("GALLERY_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 at a free port; yields the base URL ("http://127.0.0.1:N/")."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class OfflineContext:
    """A browser context where only `base` answers. Records what tried to leave, and errors."""

    browser: object
    base: str
    color_scheme: str = "light"
    viewport: dict = field(default_factory=lambda: {"width": 1280, "height": 900})
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.context = self.browser.new_context(color_scheme=self.color_scheme, viewport=self.viewport)
        self.context.add_init_script(REPORT_ERRORS_SCRIPT)
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))
        return page

    def _console(self, page, msg):
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self.errors.append(f"{page.url}: console error: {msg.text} ({where})")

    def close(self):
        self.context.close()


# --------------------------------------------------------------------------------------------
# Views inside a page
# --------------------------------------------------------------------------------------------

FRAME_INFO_JS = """() => {
  const doc = document.documentElement;
  const root = document.getElementById("gv-root");
  return {
    kind: doc.dataset.gvKind || null,
    scheme: doc.dataset.gvScheme || null,
    svgElements: document.querySelectorAll("svg *").length,
    rootHeight: root ? root.getBoundingClientRect().height : null,
    scrollHeight: doc.scrollHeight,
    clientHeight: doc.clientHeight,
    scrollWidth: doc.scrollWidth,
    clientWidth: doc.clientWidth,
    zoom: root ? (root.style.zoom || "1") : null,
    background: getComputedStyle(doc).backgroundColor,
    managed: doc.classList.contains("gv-managed"),
    scrollX: doc.classList.contains("gv-scroll-x"),
  };
}"""

BERTVIZ_DRAWN_JS = """() => {
  const kind = document.documentElement.dataset.gvKind || "";
  return !kind.startsWith("bertviz") || document.querySelectorAll("svg *").length > 0;
}"""


def view_frames(page, timeout: float = 20_000):
    """Scroll every gallery view into view (they load lazily) and wait until each has loaded,
    reported its size and, for bertviz, drawn. Returns [(iframe element, frame)]."""
    out = []
    handles = page.query_selector_all("iframe.gallery-view__frame")
    for handle in handles:  # start them all loading...
        handle.scroll_into_view_if_needed()
        page.wait_for_timeout(50)
    for handle in handles:  # ...then wait for each
        handle.scroll_into_view_if_needed()
        page.wait_for_function("el => el.hasAttribute('data-gv-sized')", arg=handle, timeout=timeout)
        frame = handle.content_frame()
        frame.wait_for_function(BERTVIZ_DRAWN_JS, timeout=timeout)
        out.append((handle, frame))
    # Let the last size messages land.
    page.wait_for_timeout(300)
    return out


def check_images(page, timeout: float = 10_000) -> list[str]:
    """Scroll to every shown <img> (they may be lazy), wait for it, return the ones that did not
    load. Images the page does not show (the other scheme's variant of a figure, `#only-dark` in
    light mode) never load; for those, the file is fetched instead."""
    bad = []
    for img in page.query_selector_all("img"):
        src = img.evaluate("img => img.currentSrc || img.src")
        if not img.evaluate("img => img.getClientRects().length > 0"):
            if not page.evaluate("src => fetch(src).then(r => r.ok, () => false)", src):
                bad.append(src)
            continue
        img.scroll_into_view_if_needed()
        with contextlib.suppress(Exception):  # reported below as not loaded
            page.wait_for_function("img => img.complete", arg=img, timeout=timeout)
        ok = img.evaluate("img => img.complete && img.naturalWidth > 0")
        if not ok:
            bad.append(src)
    return bad


def rgb_of(css_color: str) -> tuple[int, int, int]:
    """(r, g, b) of an "rgb(...)"/"rgba(...)" or "#rrggbb" colour."""
    css_color = css_color.strip()
    if css_color.startswith("#") and len(css_color) == 7:
        return tuple(int(css_color[i : i + 2], 16) for i in (1, 3, 5))
    inside = css_color[css_color.index("(") + 1 : css_color.index(")")]
    return tuple(round(float(x)) for x in inside.replace("/", ",").split(",")[:3])


def lab(css_color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a colour, for distances a reader can see (about 2.3 is just noticeable)."""

    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb_of(css_color))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def colour_distance(a: str, b: str) -> float:
    """CIE76 distance between two CSS colours."""
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


def stand_out_fraction(png: bytes, background: str, threshold: int = 16) -> float:
    """Share of the pixels of a screenshot that differ from `background` by more than
    `threshold` (0-255) in some channel: what a reader sees as drawn, not as background."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    difference = np.abs(pixels - np.array(rgb_of(background))).max(axis=2)
    return float((difference > threshold).mean())


def dominant_colour(png: bytes) -> str:
    """The most frequent colour of a screenshot, as "rgb(r, g, b)"."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    values, counts = np.unique(pixels, axis=0, return_counts=True)
    r, g, b = values[counts.argmax()]
    return f"rgb({r}, {g}, {b})"


# The box, in the frame's CSS pixels, of the head view's attention lines: the band between
# the two columns of tokens.
HEAD_VIEW_LINES_JS = """() => {
  const lines = document.querySelector('#attention');
  if (!lines) return null;
  const r = lines.getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""


def head_view_line_pixels(page, handle, frame, threshold: int = 16) -> float:
    """Share of the pixels between a head view's two token columns that stand out from the
    page's background. The band's two outermost pixel columns (where lines end) are left out."""
    handle.evaluate("el => el.scrollIntoView({block: 'center'})")
    # Nothing of the page's own may cover the band: the sticky header, the back-to-top button.
    hide = "v => document.querySelectorAll('.md-header, .md-top').forEach(e => { e.style.visibility = v; })"
    page.evaluate(hide, "hidden")
    page.wait_for_timeout(100)
    try:
        band = frame.evaluate(HEAD_VIEW_LINES_JS)
        assert band is not None and band["width"] > 20 and band["height"] > 20, band
        box = handle.bounding_box()
        clip = {"x": box["x"] + band["x"] + 2, "y": box["y"] + band["y"],
                "width": band["width"] - 4, "height": band["height"]}
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        png = page.screenshot(clip=clip)
    finally:
        page.evaluate(hide, "")
    return stand_out_fraction(png, background, threshold)


# What the view shows, in the frame's viewport: the box of every drawn top-level SVG child
# (hidden groups left out), for checks that nothing is cut off.
DRAWN_BOXES_JS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.ownerSVGElement) continue;
    for (const child of svg.children) {
      if (getComputedStyle(child).visibility === 'hidden' &&
          !child.querySelector('[visibility="visible"]')) continue;
      const r = child.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.push({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    }
  }
  return {boxes: out, width: document.documentElement.clientWidth,
          height: document.documentElement.clientHeight};
}"""


def cut_off(frame) -> list[dict]:
    """Drawn SVG parts that reach outside the frame's viewport (the frame does not scroll)."""
    drawn = frame.evaluate(DRAWN_BOXES_JS)
    return [b for b in drawn["boxes"]
            if b["left"] < -1 or b["right"] > drawn["width"] + 1 or b["bottom"] > drawn["height"] + 1]


def expand_neuron_view(page, frame, token: int = 2) -> None:
    """Open the neuron view's query/key detail: hover a token on the left, click its "+"."""
    row = frame.locator("#collapsed #leftText > g").nth(token)
    row.hover()
    row.locator("rect").last.click(force=True)
    frame.wait_for_function("() => document.querySelector('#expanded').getAttribute('visibility') === 'visible'")
    frame.locator("#expanded #leftText > g").nth(token).hover()
    page.wait_for_timeout(300)


def luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of an "rgb(...)"/"rgba(...)" colour."""
    r, g, b = (x / 255 for x in rgb_of(css_color))

    def lin(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def toggle_palette(page) -> None:
    """Click Material's light/dark toggle (the one label of the palette form that is visible)."""
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator('[data-md-component="palette"] label:visible').first.click()
    page.wait_for_function(
        "before => document.body.getAttribute('data-md-color-scheme') !== before", arg=before
    )


# --------------------------------------------------------------------------------------------
# A showcase gallery: every kind of view, whatever the real gallery holds today
# --------------------------------------------------------------------------------------------

HOSTILE_TOKENS = [
    "[CLS]",
    "</script><img src=x onerror=window.__pwned=1>",
    "<!--",
    "<script>window.__pwned=2</script>",
    "a&amp;b & c",
    "\"double\" 'single'",
    "</SCRIPT >",
    "<b>bold?</b>",
    "[SEP]",
]

SHOWCASE = {
    "README.md": "# Showcase\n\nEvery kind of interactive view, for the browser tests.\n",
    "01_views/README.md": "# Views\n\nbertviz and other HTML outputs.\n",
    "01_views/01_bertviz_views.py": '''
        """
        # bertviz views

        The head view, a sentence pair, the model view and the neuron view of MiniLM.
        """

        # %%
        # The head view, called the original tutorial's way.

        import torch
        from bertviz import head_view, model_view
        from transformers import AutoModel, AutoTokenizer

        model_id = "sentence-transformers/all-MiniLM-L6-v2"
        tokenizer = AutoTokenizer.from_pretrained(model_id)
        model = AutoModel.from_pretrained(model_id, output_attentions=True)
        encoded = tokenizer("The quick brown fox jumps over the lazy dog.", return_tensors="pt")
        with torch.no_grad():
            attention = model(**encoded).attentions
        tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
        head_view(attention, tokens)

        # %%
        # A sentence pair: the filter menu picks which block of attention to show.

        pair = tokenizer("The cat sat on the mat.", "The dog lay on the rug.", return_tensors="pt")
        with torch.no_grad():
            pair_attention = model(**pair).attentions
        pair_tokens = tokenizer.convert_ids_to_tokens(pair["input_ids"][0])
        sentence_b_start = pair["token_type_ids"][0].tolist().index(1)
        head_view(pair_attention, pair_tokens, sentence_b_start=sentence_b_start)

        # %%
        # The model view.

        model_view(attention, tokens)

        # %%
        # The neuron view, from bertviz's own BERT classes and the same weights.

        import safetensors.torch
        from bertviz import neuron_view
        from bertviz.transformers_neuron_view import BertConfig, BertModel, BertTokenizer
        from huggingface_hub import snapshot_download
        from pathlib import Path

        folder = Path(snapshot_download(model_id))
        weights = folder / "model.safetensors"
        neuron_model = BertModel.from_pretrained(
            str(weights),
            config=BertConfig.from_json_file(str(folder / "config.json")),
            state_dict=safetensors.torch.load_file(str(weights)),
        )
        neuron_tokenizer = BertTokenizer.from_pretrained(str(folder))
        if neuron_model is None or neuron_tokenizer is None:
            raise RuntimeError("bertviz could not load the neuron-view model")
        neuron_view.show(neuron_model, "bert", neuron_tokenizer, "The quick brown fox jumps over the lazy dog.",
                         layer=2, head=0)
    ''',
    "01_views/02_other_html.py": '''
        """
        # Other HTML

        Token text that tries to break out of the view, a pandas Styler and a custom SVG.
        """

        # %%
        # Real attention, hostile token strings.

        import torch
        from bertviz import head_view
        from transformers import AutoModel, AutoTokenizer

        model_id = "sentence-transformers/all-MiniLM-L6-v2"
        tokenizer = AutoTokenizer.from_pretrained(model_id)
        model = AutoModel.from_pretrained(model_id, output_attentions=True)
        encoded = tokenizer("one two three four five six seven", return_tensors="pt")
        with torch.no_grad():
            attention = model(**encoded).attentions
        hostile = HOSTILE_TOKENS
        head_view(attention, hostile, html_action="return")

        # %%
        # A pandas Styler.

        import pandas as pd

        weights = attention[0][0, 0, 0].tolist()[:5]
        table = pd.DataFrame({"token": ["[CLS]", "one", "two", "three", "four"], "weight": weights})
        table.style.format(precision=3).background_gradient(cmap="Blues").set_uuid("weights")

        # %%
        # Any object with _repr_html_.


        class Bars:
            def _repr_html_(self):
                bars = "".join(
                    f'<rect x="{i * 30}" y="{100 - v}" width="24" height="{v}" fill="#3f51b5"/>'
                    for i, v in enumerate([20, 60, 45, 90])
                )
                return f'<svg width="120" height="100" role="img" aria-label="bars">{bars}</svg>'


        Bars()
    '''.replace("HOSTILE_TOKENS", repr(HOSTILE_TOKENS)),
}


def write_showcase(target: Path) -> Path:
    for name, text in SHOWCASE.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return target
