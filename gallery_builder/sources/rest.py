"""reST text cells and headers, rendered with docutils into HTML that a Markdown page can hold.

sphinx-gallery scripts write their prose in reST. Rendered here with docutils itself (not with
regular expressions):

- Sphinx's cross-reference roles (``:func:``, ``:class:``, ``:ref:``, ``:doc:``...) become code, or
  their label text; links to external URLs stay links;
- admonitions (``.. note::``, ``.. warning::``, ``.. seealso::``...) become Material admonitions;
- ``:math:`` and ``.. math::`` become ``\\(...\\)`` and ``\\[...\\]`` for KaTeX (katex.py);
- underlined titles become headings, one level below the page title;
- Sphinx-only directives that mean nothing on a static page (``.. currentmodule::``, ``.. toctree::``,
  ``.. autosummary::``...) are dropped; ``.. code-block::`` is a code block.

Raw HTML and file inclusion are disabled: prose cannot inject HTML or read files.
"""

from __future__ import annotations

import functools
import re
from typing import Any

CODE_ROLES = (
    "func",
    "meth",
    "class",
    "attr",
    "mod",
    "obj",
    "data",
    "exc",
    "const",
    "attribute",
    "method",
    "function",
    "module",
    "envvar",
    "file",
    "command",
    "program",
    "option",
    "samp",
    "kbd",
    "mailheader",
    "makevar",
    "mimetype",
    "newsgroup",
    "regexp",
    "menuselection",
    "guilabel",
    "confval",
    "dfn",
)
TEXT_ROLES = ("ref", "doc", "term", "numref", "any", "download", "pep", "rfc", "abbr", "keyword", "token")
DROPPED_DIRECTIVES = (
    "currentmodule",
    "module",
    "toctree",
    "autosummary",
    "automodule",
    "autoclass",
    "autofunction",
    "highlight",
    "index",
    "only",
    "minigallery",
    "rst-class",
    "tabularcolumns",
    "sectionauthor",
    "codeauthor",
    "moduleauthor",
    "glossary",
    "plot",
    "literalinclude",
    "include",
)
VERSION_DIRECTIVES = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}


@functools.cache
def _register() -> None:
    """Teach docutils the Sphinx roles and directives found in gallery scripts (once per process)."""
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives, roles
    from docutils.statemachine import StringList

    def code_role(
        name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
    ) -> tuple[list[Any], list[Any]]:
        label, target = _split_label(text)
        if label is None and target.startswith("~"):
            target = target[1:].split(".")[-1]
        return [nodes.literal(rawtext, label or target)], []

    def text_role(
        name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None
    ) -> tuple[list[Any], list[Any]]:
        label, target = _split_label(text)
        return [nodes.inline(rawtext, label or target)], []

    for domain in ("", "py:", "std:"):
        for name in CODE_ROLES:
            roles.register_local_role(domain + name, code_role)
        for name in TEXT_ROLES:
            roles.register_local_role(domain + name, text_role)

    class Dropped(Directive):  # type: ignore[misc]  # docutils has no type hints
        has_content = True
        optional_arguments = 10
        final_argument_whitespace = True
        option_spec: Any = _AnyOptions()

        def run(self) -> list[Any]:
            return []

    for name in DROPPED_DIRECTIVES:
        directives.register_directive(name, Dropped)

    class SeeAlso(Directive):  # type: ignore[misc]  # docutils has no type hints
        has_content = True
        optional_arguments = 1
        final_argument_whitespace = True

        def run(self) -> list[Any]:
            node = nodes.admonition(classes=["seealso"])
            node += nodes.title("", "See also")
            lines = StringList([*self.arguments, *self.content])
            self.state.nested_parse(lines, self.content_offset, node)
            return [node]

    directives.register_directive("seealso", SeeAlso)

    class Version(Directive):  # type: ignore[misc]  # docutils has no type hints
        has_content = True
        required_arguments = 1
        optional_arguments = 1
        final_argument_whitespace = True

        def run(self) -> list[Any]:
            words = f"{VERSION_DIRECTIVES[self.name]} {self.arguments[0]}"
            lines = StringList([*self.arguments[1:], *self.content])
            paragraph = nodes.paragraph("", "", nodes.emphasis("", words + (": " if lines else ".")))
            if not lines:
                return [paragraph]
            inner = nodes.container()
            self.state.nested_parse(lines, self.content_offset, inner)
            if inner.children and isinstance(inner.children[0], nodes.paragraph):
                paragraph += inner.children.pop(0).children
            return [paragraph, *inner.children]

    for name in VERSION_DIRECTIVES:
        directives.register_directive(name, Version)


class _AnyOptions(dict[str, Any]):
    """An option_spec that accepts every option (for directives whose options are ignored)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return lambda value: value


def _split_label(text: str) -> tuple[str | None, str]:
    from docutils.utils import unescape

    text = unescape(text)
    match = re.match(r"^(.*?)\s*<([^<>]*)>$", text, re.DOTALL)
    if match and match.group(1):
        return match.group(1), match.group(2)
    return None, text.lstrip("!")


@functools.cache
def _writer_class() -> Any:
    from docutils.writers import html5_polyglot

    class Translator(html5_polyglot.HTMLTranslator):  # type: ignore[misc]
        def visit_literal(self, node: Any) -> None:  # ``code`` as <code>, as Markdown makes it
            self.body.append("<code>" + self.encode(node.astext()) + "</code>")
            raise _skip_node()

        def visit_admonition(self, node: Any) -> None:
            node["classes"] = [c if c != "admonition-see-also" else "seealso" for c in node["classes"]]
            self.body.append(self.starttag(node, "div", CLASS="admonition"))

        def depart_admonition(self, node: Any = None) -> None:
            self.body.append("</div>\n")

    class Writer(html5_polyglot.Writer):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.translator_class = Translator

    return Writer


def _skip_node() -> Exception:
    from docutils import nodes

    skip: Exception = nodes.SkipNode()
    return skip


class RestError(Exception):
    """reST that docutils reports as an error, with the line (1-based, in the text given)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def rest_to_html(text: str, *, strict: bool = False) -> str:
    """The HTML body of reST `text`; section titles become <h2> and below.

    strict: raise RestError for the first error docutils reports (used for headers); otherwise
    errors are left out of the page."""
    from docutils.core import publish_parts
    from docutils.utils import SystemMessage

    _register()
    settings = {
        "report_level": 5,
        "halt_level": 3 if strict else 5,
        "raw_enabled": False,
        "file_insertion_enabled": False,
        "math_output": "MathJax",  # \( \) and \[ \] in the HTML, typeset by KaTeX in the browser
        "doctitle_xform": False,
        "initial_header_level": 2,
        "syntax_highlight": "none",
        "warning_stream": False,
        "embed_stylesheet": False,
        "section_self_link": False,
    }
    try:
        parts = publish_parts(text, writer=_writer_class()(), settings_overrides=settings)
    except SystemMessage as error:
        match = re.search(r":(\d+): \(\w+/\d\) (.*)", str(error))
        line, message = (int(match.group(1)), match.group(2)) if match else (1, str(error))
        raise RestError(line, message) from None
    return str(parts["body"]).strip()


def rest_block(text: str) -> str:
    """reST as a raw HTML block for a Markdown page (blank lines around it keep Markdown out)."""
    body = rest_to_html(text)
    if not body:
        return ""
    return f'<div class="gallery-rest">\n{body}\n</div>'
