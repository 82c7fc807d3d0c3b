"""HTML hardening for captured view fragments: nothing loads from another site, and no text can
leave the <script> element it is in.

- `rewrite_scripts` points every CDN copy of a vendored library (vendored.py) at the site's own
  file, both in `<script src>` and in URL literals inside scripts (bertviz's `require.config`),
  and escapes `</` and `<!--` in script bodies;
- `check_remote_resources` refuses any other remote script, stylesheet, image or frame;
- `script_json` serialises data for a <script> element with `<`, `>` and `&` escaped;
- CDN_URL_RE finds a CDN URL anywhere, for a last check of the finished document.

Each refusal is a ViewError: the build fails instead of shipping a view that is blank offline.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .vendored import UnvendoredVersion, vendored_url


class ViewError(ValueError):
    """A captured fragment cannot be made into a view that works offline."""


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

SCRIPT_RE = re.compile(r"(<script\b[^>]*>)(.*?)(</script\s*>)", re.IGNORECASE | re.DOTALL)
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
_JSON_TYPES = ("application/json", "application/ld+json", "importmap")
REMOTE_URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_LOADER_RE = re.compile(r"(?:^|/)require(?:-[\d.]+)?(?:\.min)?\.js$")


def script_json(value: Any) -> str:
    """JSON for use inside a <script> element: `<`, `>` and `&` become \\u escapes (and non-ASCII
    is escaped too), so no string in it can end the element or open a comment."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attr(regex: re.Pattern[str], tag: str) -> str | None:
    m = regex.search(tag)
    if m is None:
        return None
    return next(g for g in m.groups() if g is not None)


def _vendored(url: str, vendor_href: str) -> str | None:
    try:
        return vendored_url(url, vendor_href)
    except UnvendoredVersion as error:
        raise ViewError(str(error)) from None


class _ScriptRewriter:
    """What `rewrite_scripts` does to each <script> element (see there)."""

    def __init__(self, vendor_href: str) -> None:
        self.vendor_href = vendor_href
        self.has_loader = False  # the fragment loads require.js itself
        self.bodies: list[str] = []  # JavaScript bodies, after rewriting

    def url_literal(self, m: re.Match[str]) -> str:
        url = m.group(2)
        new = _vendored(url, self.vendor_href)
        if new is None:
            if CDN_URL_RE.match(url):
                raise ViewError(f"the view's script loads {url} from a CDN, and it is not vendored")
            return m.group(0)
        return m.group(1) + new + m.group(1)

    def script(self, m: re.Match[str]) -> str:
        open_tag, body, close_tag = m.groups()
        src = _attr(_SRC_ATTR_RE, open_tag)
        if src is not None:
            src = html.unescape(src)
            if REMOTE_URL_RE.match(src):
                new = _vendored(src, self.vendor_href)
                if new is None:
                    raise ViewError(
                        f"the view loads the script {src} from another site; it would be blank "
                        f"offline. Vendor it (gallery_builder/vendor/README.md) or inline it."
                    )
                replacement = f'src="{html.escape(new, quote=True)}"'
                open_tag = _SRC_ATTR_RE.sub(lambda _m: replacement, open_tag, count=1)
            if _LOADER_RE.search(src.split("?")[0]):
                self.has_loader = True
        script_type = (_attr(_TYPE_ATTR_RE, open_tag) or "").strip().lower()
        if script_type not in _JS_TYPES:
            return str(open_tag + body + close_tag)
        body = _URL_LITERAL_RE.sub(self.url_literal, body)
        # Inside a script, "</" can only end the element early and "<!--" can make a later
        # "</script>" not end it; "<\/" means "</" in JS strings, regexes and JSON alike.
        body = body.replace("</", "<\\/")
        body = body.replace("<!--", "\\u003c!--" if script_type in _JSON_TYPES else "\\x3C!--")
        self.bodies.append(body)
        return str(open_tag + body + close_tag)


def rewrite_scripts(fragment: str, vendor_href: str) -> tuple[str, list[str], bool]:
    """Point library URLs at the vendored files; escape `</` in script bodies.

    Returns (fragment, the JS bodies, whether the fragment loads require.js itself)."""
    rewriter = _ScriptRewriter(vendor_href)
    rewritten = SCRIPT_RE.sub(rewriter.script, fragment)
    return rewritten, rewriter.bodies, rewriter.has_loader


def check_remote_resources(fragment: str) -> None:
    outside_scripts = SCRIPT_RE.sub("", fragment)
    for regex in (_REMOTE_RESOURCE_RE, _CSS_REMOTE_RE):
        m = regex.search(outside_scripts)
        if m is not None:
            raise ViewError(f"the view loads {m.group(1)} from another site; it would be missing offline")
