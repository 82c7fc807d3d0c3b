"""Turn captured HTML output (bertviz views, any `_repr_html_`) into standalone view documents.

Each view is written as its own HTML file and embedded in its page by an <iframe>, so that
require.js and the view's styles never touch Material's own JavaScript.

What `standalone_view` does to a captured fragment:

- wraps it in a complete document (doctype, charset, escaped <title>) with a small inline script
  that follows the embedding page's light/dark scheme and reports the content height to the page
  (`docs/assets/gallery-views.js` listens and sizes the iframe);
- points every CDN copy of require.js, d3 5 and jQuery 2 (bertviz's `<script src>` loader and its
  `require.config` paths) at the vendored files in `gallery_builder/vendor/`, which the renderer
  copies to `gallery/_vendor/` (`VENDOR_FILES`); any other remote script, stylesheet or image,
  and any CDN URL left anywhere, is a `ViewError`, so the build fails instead of shipping a
  blank view;
- for bertviz views: replaces the random `bertviz-<uuid>` ids with ids derived from `view_id`,
  rounds the attention values (and the neuron view's query/key vectors) in the view's JSON
  params to a few significant digits, re-serialises those params with `<`, `>` and `&` escaped
  so that token text can never close the <script> element, and lets the view pick its
  `display_mode` from the page's colour scheme;
- for bertviz views: rewrites a few lines of bertviz's JS (`_BERTVIZ_FIXUPS`) so that its
  colours come from the page: one distinct colour per head, attention lines that stay visible on
  a dark page, the page's background instead of black;
- escapes `</` as `<\\/` inside the remaining script content;
- adds a Content-Security-Policy that forbids loading anything from another origin.

The output depends only on the arguments: no uuids, no dates, no environment.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

_TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["VENDOR_FILES", "LIBRARIES", "ViewError", "standalone_view", "iframe_tag"]

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"


class ViewError(ValueError):
    """A captured fragment cannot be made into a view that works offline."""


@dataclass(frozen=True)
class Library:
    """A vendored JavaScript library, byte-identical to the file in its npm package."""

    name: str  # the AMD module name bertviz's require.config uses
    npm: str  # npm package and version the file was taken from
    file: str  # vendored file name (also its name under gallery/_vendor/)
    license_file: str
    spdx: str
    sha256: str

    @property
    def module_path(self) -> str:
        """The file name without ".js", as require.config `paths` want it."""
        return self.file[: -len(".js")]


# Provenance and licences: gallery_builder/vendor/README.md. The hashes pin the exact bytes.
LIBRARIES: tuple[Library, ...] = (
    Library(
        "requirejs", "requirejs@2.3.6", "require-2.3.6.js", "require-2.3.6.LICENSE.txt", "MIT",
        "9485f0917f97fcf4f63a5ea365200ffd57f123f451382a2f9a1ad2e2fd51ac9b",
    ),
    Library(
        "d3", "d3@5.7.0", "d3-5.7.0.min.js", "d3-5.7.0.LICENSE.txt", "BSD-3-Clause",
        "bdad5585ef9a965ff25458738309b006058c55f2c78d794d25fbecae35014609",
    ),
    Library(
        "jquery", "jquery@2.2.4", "jquery-2.2.4.min.js", "jquery-2.2.4.LICENSE.txt", "MIT",
        "05b85d96f41fff14d8f608dad03ab71e2c1017c2da0914d7c59291bad7a54f8e",
    ),
)
_LIB = {lib.name: lib for lib in LIBRARIES}


def _load_vendor_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for lib in LIBRARIES:
        data = (VENDOR_DIR / lib.file).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != lib.sha256:
            raise RuntimeError(
                f"gallery_builder/vendor/{lib.file} does not match {lib.npm} "
                f"(sha256 {digest}, expected {lib.sha256}); restore it from the npm package"
            )
        files[lib.file] = data
        files[lib.license_file] = (VENDOR_DIR / lib.license_file).read_bytes()
    return files


# Files copied into the site once, under `<site>/gallery/_vendor/`: {name: bytes}.
# The licence files travel with the libraries (BSD-3-Clause and MIT require the notice).
VENDOR_FILES: dict[str, bytes] = _load_vendor_files()

# Significant digits kept for floats in bertviz's params (3-4 is far below what a colour or an
# opacity can show; the neuron view carries 5x more numbers, so it keeps 3).
ROUND_DIGITS = {"bertviz-head": 4, "bertviz-model": 4, "bertviz-neuron": 3}

# Hosts that serve libraries to pages; none of them may appear in a built view.
CDN_HOSTS = (
    "cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "ajax.googleapis.com",
    "code.jquery.com", "cdn.plot.ly", "stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com",
    "cdn.skypack.dev", "esm.sh", "ga.jspm.io", "fonts.googleapis.com", "fonts.gstatic.com",
    "ajax.aspnetcdn.com", "cdn.bokeh.org", "requirejs.org/docs/release", "d3js.org/d3.",
)
CDN_URL_RE = re.compile(
    r"(?:https?:)?//(?:[a-z0-9-]+\.)*(?:" + "|".join(re.escape(h) for h in CDN_HOSTS) + r")",
    re.IGNORECASE,
)

_UUID_ID_RE = re.compile(r"bertviz-[0-9a-f]{32}")
_PARAMS_START_RE = re.compile(r'\{\s*"attention"\s*:')
_PARAMS_ASSIGN_RE = re.compile(r"(?:\bconst\s+params|\bwindow\.bertviz_params)\s*=\s*\Z")
_SCRIPT_RE = re.compile(r"(<script\b[^>]*>)(.*?)(</script\s*>)", re.IGNORECASE | re.DOTALL)
_SRC_ATTR_RE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_TYPE_ATTR_RE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_URL_LITERAL_RE = re.compile(r"""(["'])((?:https?:)?//[^"'\s]+)\1""")
_REMOTE_RESOURCE_RE = re.compile(
    r"""<(?:link|img|iframe|embed|source|video|audio|object|input)\b[^>]*?"""
    r"""\b(?:src|href|data|srcset|poster)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_CSS_REMOTE_RE = re.compile(r"""(?:@import|url\()\s*["']?\s*((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "application/json",
             "application/ld+json", "importmap"}
_DOC_WRAPPER_RE = re.compile(r"<!doctype[^>]*>|</?(?:html|head|body)\b[^>]*>", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Library URLs
# --------------------------------------------------------------------------------------------

def _library_for(url: str) -> Library | None:
    """Which vendored library a CDN URL means, or None. Raises for a version we do not ship."""
    low = url.lower().split("?")[0].split("#")[0]
    name = low.rsplit("/", 1)[-1]
    if re.fullmatch(r"require(?:\.min)?(?:\.js)?", name):
        wanted, lib = re.search(r"(?:require\.?js[/@]|requirejs@)(\d+)\.", low), _LIB["requirejs"]
        major = "2"
    elif re.fullmatch(r"d3(?:\.v\d+)?(?:\.min)?(?:\.js)?", name):
        wanted, lib, major = re.search(r"d3(?:/|@|\.v)(\d+)", low), _LIB["d3"], "5"
    elif re.fullmatch(r"jquery(?:-[\d.]+)?(?:\.min)?(?:\.js)?", name):
        wanted, lib, major = re.search(r"jquery[/@-](\d+)\.", low), _LIB["jquery"], "2"
    else:
        return None
    if wanted is not None and wanted.group(1) != major:
        raise ViewError(
            f"the view loads {url}, major version {wanted.group(1)}; only {lib.npm} is vendored "
            f"(gallery_builder/vendor/README.md says how to add a library)"
        )
    return lib


def _vendored_url(url: str, vendor_href: str) -> str | None:
    lib = _library_for(url)
    if lib is None:
        return None
    # require.config `paths` omit ".js"; <script src> keeps it.
    path = lib.module_path if not url.split("?")[0].endswith(".js") else lib.file
    return vendor_href + path


# --------------------------------------------------------------------------------------------
# bertviz params
# --------------------------------------------------------------------------------------------

def _round_floats(value, digits: int):
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return value
        return float(f"{value:.{digits}g}")
    if isinstance(value, list):
        return [_round_floats(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _round_floats(v, digits) for k, v in value.items()}
    return value


def _bertviz_kind(params) -> str | None:
    if not isinstance(params, dict) or "attention" not in params or "root_div_id" not in params:
        return None
    if "bidirectional" in params:
        return "bertviz-neuron"
    if "display_mode" in params:
        return "bertviz-model"
    return "bertviz-head"


def script_json(value) -> str:
    """JSON for use inside a <script> element: `<`, `>` and `&` become \\u escapes (and non-ASCII
    is escaped too), so no string in it can end the element or open a comment."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _rewrite_params(fragment: str) -> tuple[str, str | None]:
    """Round, escape and wrap every bertviz params object. Returns (fragment, kind).

    bertviz substitutes its params for *every* "PYTHON_PARAMS" in its JS, including the one in
    the comment `// HACK: PYTHON_PARAMS is a template marker...`, so each view carries a second,
    unescaped copy of its data inside a JS comment (half the file, and a way out of the <script>
    for token text). Copies that are not the value of the params assignment get the marker back.
    """
    decoder = json.JSONDecoder()
    out: list[str] = []
    pos = 0
    kind = None
    while True:
        match = _PARAMS_START_RE.search(fragment, pos)
        if match is None:
            break
        start = match.start()
        try:
            params, end = decoder.raw_decode(fragment, start)
        except json.JSONDecodeError:
            out.append(fragment[pos : start + 1])
            pos = start + 1
            continue
        this_kind = _bertviz_kind(params)
        out.append(fragment[pos:start])
        pos = end
        if this_kind is None:
            out.append(fragment[start:end])
        elif _PARAMS_ASSIGN_RE.search(fragment, max(0, start - 80), start):
            kind = kind or this_kind
            params = _round_floats(params, ROUND_DIGITS[this_kind])
            # galleryView.params (defined in the document head) sets display_mode from the page.
            out.append(f"window.galleryView.params({script_json(params)})")
        else:
            out.append("PYTHON_PARAMS")
    out.append(fragment[pos:])
    return "".join(out), kind


# --------------------------------------------------------------------------------------------
# bertviz fix-ups: colours and sizes that read on the page, in light and dark mode
# --------------------------------------------------------------------------------------------

# (view kinds, bertviz's code, what it becomes). Each rewrite hands one decision to
# `window.galleryView` (templates/view_frame.js), which knows the page's scheme and colours.
# A rewrite whose code is not found (another bertviz version) is skipped: the view still works,
# with bertviz's own look; tests/test_views.py checks that all of them apply to the pinned one.
_BERTVIZ_FIXUPS: tuple[tuple[tuple[str, ...], re.Pattern, str], ...] = (
    # Head colours: d3's 10-colour palette repeats from head 10 on; one colour per head, lighter
    # on a dark page.
    (("bertviz-head",), re.compile(r"d3\.scaleOrdinal\(d3\.schemeCategory10\)"),
     "window.galleryView.headColors(d3, params)"),
    # Line opacity: weight / active heads is a few thousandths for most lines; on a dark page
    # such strokes vanish (and round to near-black), so the view raises them, keeping the order.
    (("bertviz-head",), re.compile(r"return d / activeHeads\(\)"),
     "return window.galleryView.lineOpacity(d / activeHeads())"),
    # Switched-off heads are drawn lighter, which on a dark page makes them stand out instead.
    (("bertviz-head",), re.compile(r"lighten\(headColors\(i\)\)"),
     "window.galleryView.inactiveColor(headColors(i), lighten)"),
    # The head view has no display_mode: it draws itself again when the reader flips the scheme.
    (("bertviz-head",), re.compile(r"(initialize\(\);\s*renderVis\(\);)"),
     r"\1 window.galleryView.redraw(renderVis);"),
    # Model and neuron views: their backgrounds (black in dark mode) become the page's.
    (("bertviz-model", "bertviz-neuron"), re.compile(r"const PALETTE = (\{[^{}]*\{[^{}]*\}[^{}]*\{[^{}]*\}\s*\})"),
     r"const PALETTE = window.galleryView.palette(\1)"),
)


def _bertviz_fixups(fragment: str, kind: str | None) -> str:
    """Apply the rewrites of `_BERTVIZ_FIXUPS` that concern a view of this kind."""
    for kinds, pattern, replacement in _BERTVIZ_FIXUPS:
        if kind in kinds:
            fragment = pattern.sub(replacement, fragment, count=1)
    return fragment


def _stable_ids(fragment: str, view_id: str) -> str:
    mapping: dict[str, str] = {}
    for found in _UUID_ID_RE.findall(fragment):
        if found not in mapping:
            n = len(mapping) + 1
            mapping[found] = f"bertviz-{view_id}" + ("" if n == 1 else f"-{n}")
    return _UUID_ID_RE.sub(lambda m: mapping[m.group(0)], fragment)


# --------------------------------------------------------------------------------------------
# Scripts and remote resources
# --------------------------------------------------------------------------------------------

def _attr(regex: re.Pattern, tag: str) -> str | None:
    m = regex.search(tag)
    if m is None:
        return None
    return next(g for g in m.groups() if g is not None)


def _rewrite_scripts(fragment: str, vendor_href: str) -> tuple[str, list[str], bool]:
    """Point library URLs at the vendored files; escape `</` in script bodies.

    Returns (fragment, the JS bodies, whether the fragment loads require.js itself)."""
    has_loader = False
    script_bodies: list[str] = []

    def fix_url_literal(m: re.Match) -> str:
        url = m.group(2)
        new = _vendored_url(url, vendor_href)
        if new is None:
            if CDN_URL_RE.match(url):
                raise ViewError(f"the view's script loads {url} from a CDN, and it is not vendored")
            return m.group(0)
        return m.group(1) + new + m.group(1)

    def fix_script(m: re.Match) -> str:
        nonlocal has_loader
        open_tag, body, close_tag = m.groups()
        src = _attr(_SRC_ATTR_RE, open_tag)
        if src is not None:
            src = html.unescape(src)
            if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", src, re.IGNORECASE):
                new = _vendored_url(src, vendor_href)
                if new is None:
                    raise ViewError(
                        f"the view loads the script {src} from another site; it would be blank "
                        f"offline. Vendor it (gallery_builder/vendor/README.md) or inline it."
                    )
                open_tag = _SRC_ATTR_RE.sub(
                    lambda _m: f'src="{html.escape(new, quote=True)}"', open_tag, count=1
                )
            if re.search(r"(?:^|/)require(?:-[\d.]+)?(?:\.min)?\.js$", src.split("?")[0]):
                has_loader = True
        script_type = (_attr(_TYPE_ATTR_RE, open_tag) or "").strip().lower()
        if script_type not in _JS_TYPES:
            return open_tag + body + close_tag
        body = _URL_LITERAL_RE.sub(fix_url_literal, body)
        # Inside a script, "</" can only end the element early and "<!--" can make a later
        # "</script>" not end it; "<\/" means "</" in JS strings, regexes and JSON alike.
        body = body.replace("</", "<\\/")
        if script_type in ("application/json", "application/ld+json", "importmap"):
            body = body.replace("<!--", "\\u003c!--")
        else:
            body = body.replace("<!--", "\\x3C!--")
        script_bodies.append(body)
        return open_tag + body + close_tag

    return _SCRIPT_RE.sub(fix_script, fragment), script_bodies, has_loader


def _check_remote_resources(fragment: str) -> None:
    outside_scripts = _SCRIPT_RE.sub("", fragment)
    for regex in (_REMOTE_RESOURCE_RE, _CSS_REMOTE_RE):
        m = regex.search(outside_scripts)
        if m is not None:
            raise ViewError(
                f"the view loads {m.group(1)} from another site; it would be missing offline"
            )


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------

# Everything the browser may load comes from the site itself; inline scripts and styles are
# what bertviz and `_repr_html_` outputs are made of, so they stay allowed.
_CSP = (
    "default-src 'self' 'unsafe-inline' data: blob:; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'"
)

# Shared by every view: follows the parent's colour scheme, reports the content height.
# Protocol (window.postMessage, {gv: 1, type, ...}):
#   view -> page: {type: "hello"} when loaded, {type: "size", height} when the content changes;
#   page -> view: {type: "theme", scheme, bg, fg} on "hello" and when the reader toggles.
_FRAME_JS = (_TEMPLATES / "view_frame.js").read_text()

_FRAME_CSS = (_TEMPLATES / "view_frame.css").read_text()


def _sanitize_id(view_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", view_id).strip("-")
    return cleaned or "view"


def standalone_view(fragment: str, *, title: str, vendor_href: str, view_id: str) -> str:
    """Return a complete HTML document showing `fragment`.

    fragment: HTML as captured (may contain <script> tags, bertviz's CDN loader among them).
    title: plain text for <title> (escaped here).
    vendor_href: URL of the vendored-libraries folder relative to the view file, ending in "/".
    view_id: stable id for this view, unique on its page (e.g. "view-3").

    Raises ViewError when the fragment needs something from another site that is not vendored.
    """
    if vendor_href and not vendor_href.endswith("/"):
        vendor_href += "/"
    if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", vendor_href, re.IGNORECASE):
        raise ViewError(f"vendor_href must be a relative URL, not {vendor_href!r}")
    view_id = _sanitize_id(view_id)

    body = fragment
    if re.match(r"\s*(?:<!doctype|<html)", body, re.IGNORECASE):
        body = _DOC_WRAPPER_RE.sub("", body)
    body = _stable_ids(body, view_id)
    body, kind = _rewrite_params(body)
    body = _bertviz_fixups(body, kind)
    body, scripts, has_loader = _rewrite_scripts(body, vendor_href)
    _check_remote_resources(body)
    needs_loader = any(re.search(r"\brequire(?:js)?\s*(?:\(|\.config\b)", js) for js in scripts)
    if needs_loader and not has_loader:
        loader = html.escape(vendor_href + _LIB["requirejs"].file, quote=True)
        body = f'<script src="{loader}"></script>\n' + body

    document = (
        "<!doctype html>\n"
        f'<html lang="en" data-gv-kind="{kind or "html"}" data-gv-id="{view_id}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{_FRAME_CSS}</style>\n"
        f"<script>{_FRAME_JS}</script>\n"
        "</head>\n"
        "<body>\n"
        f'<div id="gv-root">\n{body.strip()}\n</div>\n'
        "</body>\n"
        "</html>\n"
    )
    leftover = CDN_URL_RE.search(document)
    if leftover is not None:
        context = document[max(0, leftover.start() - 60) : leftover.end() + 60]
        raise ViewError(f"a CDN URL is left in the view: ...{context}...")
    return document


def iframe_tag(src: str, title: str) -> str:
    """HTML that embeds the view document `src` (a URL relative to the page) in a page.

    A raw-HTML block for Markdown: put it on its own, with blank lines around it.
    `docs/assets/gallery-views.js` sizes the iframe and passes the colour scheme to it."""
    src_attr = html.escape(src, quote=True)
    title_attr = html.escape(title, quote=True)
    return (
        '<div class="gallery-view">'
        f'<iframe class="gallery-view__frame" src="{src_attr}" title="{title_attr}" '
        'loading="lazy" height="320"></iframe>'
        f'<a class="gallery-view__open" href="{src_attr}" target="_blank" rel="noopener">'
        "Open this view on its own page</a>"
        "</div>"
    )
