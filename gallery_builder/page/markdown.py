"""Markdown for the pages: fenced code, prose with its HTML escaped (reST through docutils), card
text, and links between examples. Text that comes from scripts is never trusted as HTML: prose may
use Markdown but not raw HTML."""

from __future__ import annotations

import re
from pathlib import Path

from ..sources import rest

_RELATIVE_LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|/|#)([^)\s#]+)(#[^)\s]*)?(\))", re.IGNORECASE)


def link_examples(markdown: str, script_dir: Path, url_dir: str, pages: dict[Path, str]) -> str:
    """Point relative links at other examples to their pages here.

    mkdocs-gallery writes a link to another example as the path of its generated `.md` (or of its
    script) relative to the script's folder; this gallery's pages live elsewhere
    (`<section>/<example>/index.md`). Links to anything else are left as they are (and checked by mkdocs)."""

    def replace(match: re.Match[str]) -> str:
        target = (script_dir / match.group(2)).resolve()
        script = target.with_suffix(".py")
        if target.suffix not in (".md", ".py") or script not in pages:
            return match.group(0)
        depth = url_dir.count("/") + 1
        page = "../" * depth + pages[script]
        new = f"{page}/{script.name}" if target.suffix == ".py" else f"{page}/index.md"
        return f"{match.group(1)}{new}{match.group(3) or ''}{match.group(4)}"

    out: list[str] = []
    end = 0
    for match in _PROTECTED.finditer(markdown):  # not inside code: there a link is text to read
        out += [_RELATIVE_LINK.sub(replace, markdown[end : match.start()]), match.group(0)]
        end = match.end()
    out.append(_RELATIVE_LINK.sub(replace, markdown[end:]))
    return "".join(out)


# Figures go side by side only when each fits in half of the text column (688 CSS px at 1280 px):
# a wider figure shown at half size would shrink its text below what a reader can read.
def fence(text: str, language: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * (longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


# Code spans of any number of backticks, fences, and math ($...$, $$...$$) are left to Markdown's
# own escaping (code) or to arithmatex (math).
_PROTECTED = re.compile(
    r"(?P<fence>```.*?```)"
    r"|(?P<code>(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<math>\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)[^$\n]+?(?<=[^\s\\])\$(?![\w$]))",
    re.DOTALL,
)


def prose(text: str, markup: str) -> str:
    """Text of a header or a text cell, as Markdown for the page (reST through docutils: rest.py)."""
    return rest.rest_block(text) if markup == "rst" else escape_prose(text)


def escape_prose(markdown: str) -> str:
    """Keep Markdown, but show `<` and `&` literally: prose cannot inject HTML into a page.

    Code spans are escaped by Markdown itself (escaping them here would show `&lt;`); in math,
    `<` becomes KaTeX's `\\lt`, which no HTML parser reads as a tag."""
    out: list[str] = []
    end = 0
    for match in _PROTECTED.finditer(markdown):
        out.append(_escape_html(markdown[end : match.start()]))
        text = match.group(0)
        out.append(text.replace("<", "\\lt ") if match.group("math") else text)
        end = match.end()
    out.append(_escape_html(markdown[end:]))
    return "".join(out)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]|<(https?://[^>\s]+)>")
_REST_ROLE = re.compile(r":[\w:+-]+:`([^`]*)`")
_REST_LINK = re.compile(r"`([^`<]+?)\s*<[^`>]+>`__?|`([^`]+)`_\b")


def _role_text(match: re.Match[str]) -> str:
    content = match.group(1)
    labelled = re.match(r"(.*?)\s*<[^>]*>$", content)
    if labelled:
        return labelled.group(1)
    if content.startswith("~"):
        content = content[1:].split(".")[-1]
    return f"`{content}`"


def plain_text(text: str) -> str:
    """Card text: links become their words (the whole card is one link, and a relative link would
    point elsewhere from the gallery page); reST roles become code, reST references their words."""
    text = _REST_LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _REST_ROLE.sub(_role_text, text)
    text = _MD_LINK.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    return text.replace("``", "`")


def escape_inline(text: str) -> str:
    return escape_prose(" ".join(text.split()))


def escape_link_text(text: str) -> str:
    return escape_inline(text).replace("[", "\\[").replace("]", "\\]")


def text_file(text: str) -> bytes:
    return (text.rstrip() + "\n").encode("utf-8")
