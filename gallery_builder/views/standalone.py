"""Turn captured HTML output (bertviz views, any `_repr_html_`) into standalone view documents.

Each view is written as its own HTML file and embedded in its page by an <iframe>, so that
require.js and the view's styles never touch Material's own JavaScript.

What `standalone_view` does to a captured fragment, with the help of three modules:

- bertviz_fixups.py: stable ids instead of bertviz's random ones, rounded and escaped params,
  colours and line opacities taken from the page;
- view_safety.py: every CDN copy of require.js, d3 and jQuery pointed at the vendored files
  (vendored.py, copied to `gallery/_vendor/`), `</` escaped in scripts, and a ViewError for
  anything else that would load from another site, so the build fails instead of shipping a
  blank view;
- here: a complete document (doctype, charset, escaped <title>) with a small inline script that
  follows the embedding page's light/dark scheme and reports the content height to the page
  (`docs/assets/gallery-views.js` listens and sizes the iframe), and a Content-Security-Policy
  that forbids loading anything from another origin.

The output depends only on the arguments: no uuids, no dates, no environment.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .bertviz_fixups import apply_fixups, rewrite_params, stable_ids
from .safety import CDN_URL_RE, REMOTE_URL_RE, ViewError, check_remote_resources, rewrite_scripts
from .vendored import BY_NAME

__all__ = ["ViewError", "iframe_tag", "standalone_view"]

_TEMPLATES = Path(__file__).parents[1] / "templates"
_DOC_WRAPPER_RE = re.compile(r"<!doctype[^>]*>|</?(?:html|head|body)\b[^>]*>", re.IGNORECASE)


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
    if REMOTE_URL_RE.match(vendor_href):
        raise ViewError(f"vendor_href must be a relative URL, not {vendor_href!r}")
    view_id = _sanitize_id(view_id)

    body = fragment
    if re.match(r"\s*(?:<!doctype|<html)", body, re.IGNORECASE):
        body = _DOC_WRAPPER_RE.sub("", body)
    body = stable_ids(body, view_id)
    body, kind = rewrite_params(body)
    body = apply_fixups(body, kind)
    body, scripts, has_loader = rewrite_scripts(body, vendor_href)
    check_remote_resources(body)
    needs_loader = any(re.search(r"\brequire(?:js)?\s*(?:\(|\.config\b)", js) for js in scripts)
    if needs_loader and not has_loader:
        loader = html.escape(vendor_href + BY_NAME["requirejs"].file, quote=True)
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
