"""Render examples into Markdown pages and the files they show, for mkdocs.

Every generated page is an ``index.md`` inside its own folder (``gallery/<section>/<example>/``),
so a relative link means the same thing to Markdown and to the browser, with or without
directory URLs. The nav is a literate-nav ``SUMMARY.md``: adding a script needs no mkdocs.yml edit.

Text that comes from scripts is never trusted as HTML: prose may use Markdown but not raw HTML,
and outputs are shown as literal text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..capture import thumbnails
from ..capture.capture import Output
from ..run import provenance
from ..run.results import ExampleResult
from ..sources import rest
from ..sources.headers import HeaderError
from ..sources.project import Gallery, Section
from ..views import standalone, vendored
from ..views.layout import GALLERY_DIR, SITE_VENDOR_DIR
from . import downloads, katex

NAV_FILE = "SUMMARY.md"  # read by mkdocs-literate-nav
SCRIPTS_ZIP = "gallery-scripts.zip"
# Gallery and section pages use the page's whole width for their grid of cards.
WIDE_PAGE = "---\nhide:\n  - navigation\n  - toc\n---\n"
HOME_STRIP_MARKER = "<!-- gallery:strip -->"  # docs/index.md: where the strip of thumbnails goes
HOME_STRIP_SIZE = 6

Files = dict[str, "bytes | Path"]  # by path under docs/: generated content, or a file to publish as it is


def file_bytes(value: bytes | Path) -> bytes:
    """The content of a generated file, whichever way it is given."""
    return value.read_bytes() if isinstance(value, Path) else value


def render_gallery(gallery: Gallery, results: list[ExampleResult], show_times: bool = True) -> Files:
    """All generated files, by path under the docs folder.

    show_times: print measured run times. Reproducible builds (SOURCE_DATE_EPOCH set) leave
    them out, since no two runs take the same time.
    """
    files: Files = {}
    by_section: dict[Path, list[ExampleResult]] = {}
    for result in results:
        by_section.setdefault(result.example.section.path, []).append(result)
    sections = _shown_sections(gallery.sections(), by_section)
    pages = {r.example.path: r.example.url_dir for r in results}
    for result in results:
        files.update(render_example(result, show_times, pages))
    for section in sections:
        page = _section_page(section, [s for s in sections if s.parent == section], by_section)
        files[f"{GALLERY_DIR}/{section.url_dir}/index.md"] = _text(page)
    files[f"{GALLERY_DIR}/index.md"] = _text(_gallery_page(gallery, sections, by_section))
    files[f"{GALLERY_DIR}/times.md"] = _text(_times_page(results, show_times))
    files[f"{GALLERY_DIR}/{NAV_FILE}"] = _text(_summary(sections, by_section))
    files[f"{GALLERY_DIR}/{SCRIPTS_ZIP}"] = downloads.scripts_zip(
        {p.relative_to(gallery.root).as_posix(): p.read_bytes() for p in sorted(gallery.root.rglob("*.py"))}
    )
    for name, data in vendored.vendor_files().items():
        files[f"{GALLERY_DIR}/{SITE_VENDOR_DIR}/{name}"] = data
    files.update(katex.katex_files())
    return files


def render_example(result: ExampleResult, show_times: bool = True, pages: dict[Path, str] | None = None) -> Files:
    """The example's page and files. `pages`: every example's url_dir by script, for links between them."""
    base = f"{GALLERY_DIR}/{result.example.url_dir}"
    files: Files = {}
    lines = [f"# {escape_inline(result.title)}", ""]
    if result.failure and not result.expected_failure:
        lines += _failure_banner(result)
    if result.parsed is None:
        files[f"{base}/index.md"] = _text("\n".join(lines))
        return files
    def text(source: str) -> str:
        if result.parsed is not None and result.parsed.markup == "markdown" and pages:
            source = link_examples(source, result.example.path.parent, result.example.url_dir, pages)
        return prose(source, result.parsed.markup if result.parsed else "markdown")

    if result.parsed.intro:
        lines += [text(result.parsed.intro), ""]
    script_name = result.example.path.name
    notebook_name = result.example.path.with_suffix(".ipynb").name
    files[f"{base}/{script_name}"] = result.example.path.read_bytes()
    files[f"{base}/{notebook_name}"] = downloads.notebook(result.parsed)
    lines += [
        f"[Download the script]({script_name}){{ .md-button download }} "
        f"[Download the notebook]({notebook_name}){{ .md-button download }}",
        "",
    ]
    view_count = 0
    code_index = 0
    for cell in result.parsed.cells:
        if cell.kind == "markdown":
            lines += [text(cell.source), ""]
            continue
        lines += [fence(cell.source, "python"), ""]
        if code_index < len(result.outputs):
            outputs = result.outputs[code_index]
            side_by_side = _side_by_side(outputs, cell.multi_image or result.parsed.settings.get("multi_image"))
            for number, output in enumerate(outputs):
                if output.kind == "html" and result.files_dir is not None:
                    view_count += 1
                    files[f"{base}/{output.file}"] = _output_file(result, output.file)
                    lines += [standalone.iframe_tag(output.file, f"{result.title}: interactive view {view_count}"), ""]
                else:
                    if number not in side_by_side:
                        lines += [_render_output(output), ""]
                    else:  # one HTML block: no blank line until it closes
                        opening = '<div class="gallery-multi-image">' if number - 1 not in side_by_side else ""
                        lines += [opening + _render_output(output)]
                        lines += ["</div>", ""] if number + 1 not in side_by_side else []
                    if output.kind == "image" and result.files_dir is not None:
                        for name in filter(None, (output.file, output.dark_file)):
                            files[f"{base}/{name}"] = _output_file(result, name)
        if result.failure and code_index == _failing_cell(result):
            lines += _traceback_block(result)
        code_index += 1
    if result.status in ("ran", "cached"):
        duration = result.duration if show_times else None
        lines += provenance.render(result.provenance, duration, result.computed_at)
    if _has_thumbnail(result) and result.files_dir is not None:
        for name in (thumbnails.FILE, thumbnails.DARK_FILE):
            files[f"{base}/{name}"] = _output_file(result, name)
    files[f"{base}/index.md"] = _text("\n".join(lines))
    return files


def _output_file(result: ExampleResult, name: str) -> bytes | Path:
    """A file the run wrote, published from its cache entry; a failed run's folder is deleted
    once the pages are rendered (build.discard_failed_runs), so its files are read now."""
    assert result.files_dir is not None
    path = result.files_dir / name
    return path.read_bytes() if result.status == "failed" else path


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
SIDE_BY_SIDE_MAX_WIDTH = 344


def _side_by_side(outputs: list[Output], multi_image: object) -> set[int]:
    """Indexes of a cell's figures shown in one row: runs of 2+ consecutive figures, as sphinx-gallery
    shows them, unless the script sets `multi_image = "single"` or a figure is too wide to halve
    (`multi_image = "multi"` insists)."""
    if multi_image == "single":
        return set()
    found: set[int] = set()
    run: list[int] = []
    for number, output in enumerate([*outputs, Output("text")]):
        narrow = multi_image == "multi" or 0 < output.width <= SIDE_BY_SIDE_MAX_WIDTH
        if output.kind == "image" and narrow:
            run.append(number)
            continue
        if len(run) > 1:
            found.update(run)
        run = []
    return found


def _failing_cell(result: ExampleResult) -> int:
    """The code cell after which the error shows: the last that ran, or the one holding the error's line."""
    if result.outputs:
        return len(result.outputs) - 1
    if result.parsed is None or result.failure is None:
        return -1
    cells = result.parsed.code_cells
    return max((i for i, c in enumerate(cells) if c.line <= result.failure.line), default=0)


def _render_output(output: Output) -> str:
    if output.kind == "image":
        alt = html.escape(output.alt or "figure", quote=True)
        width = f' width="{output.width}"' if output.width else ""
        if output.text_px:  # the smallest font at the figure's own width, for the readability tests
            width += f' data-text-px="{output.text_px:g}"'
        if not output.dark_file:
            return f'<img class="gallery-image" src="{output.file}" alt="{alt}"{width} loading="lazy">'
        # Material shows the `#only-light` image in light mode and the `#only-dark` one in dark mode.
        return "".join(
            f'<img class="gallery-image" src="{name}#only-{mode}" alt="{alt}"{width} loading="lazy">'
            for name, mode in ((output.file, "light"), (output.dark_file, "dark"))
        )
    css = "gallery-stderr" if output.kind == "stderr" else "gallery-output"
    return f'<div class="{css}" markdown>\n\n{fence(output.text.rstrip(), "text")}\n\n</div>'


def _failure_banner(result: ExampleResult) -> list[str]:
    failure = result.failure
    summary = failure.summary if failure else "the script failed"
    return [
        f'!!! failure "This example failed at line {failure.line if failure else 1} of {result.display_path}"',
        "",
        f"    {escape_inline(summary)}",
        "",
        "    Its outputs below are incomplete; the build reports this failure.",
        "",
    ]


def _traceback_block(result: ExampleResult) -> list[str]:
    failure = result.failure
    if failure is None:
        return []
    text = failure.traceback or failure.summary
    kind = "quote" if result.expected_failure else "failure"
    title = "Expected error" if result.expected_failure else f"Error at {result.location}"
    body = "\n".join("    " + row for row in fence(text, "pytb").splitlines())
    return [f'!!! {kind} "{title}"', "", body, ""]


def _has_thumbnail(result: ExampleResult) -> bool:
    return result.files_dir is not None and (result.files_dir / thumbnails.FILE).exists()


def _card(result: ExampleResult, prefix: str) -> str:
    """One card: thumbnail, title and at most two lines of text, all one link to the example.

    `prefix` leads from the page to the section folder. The link is Markdown, so mkdocs checks it."""
    folder = f"{prefix}{result.example.slug}"
    title = escape_link_text(result.title)
    if _has_thumbnail(result):
        pictures = "".join(
            f"![]({folder}/{name}#only-{mode}){{ .gallery-card__thumb .off-glb loading=lazy }}"
            for name, mode in ((thumbnails.FILE, "light"), (thumbnails.DARK_FILE, "dark"))
        )
    else:
        pictures = f'<span class="gallery-card__thumb gallery-card__thumb--none">{title}</span>'
    description = plain_text(result.parsed.description) if result.parsed else "This example failed to build."
    text = f'<span class="gallery-card__text">{escape_link_text(description)}</span>'
    heading = f'<span class="gallery-card__title">{title}</span>'
    return f"[{pictures}{heading}{text}]({folder}/index.md){{ .gallery-card }}"


def _grid(cards: list[str], css: str = "gallery-grid") -> list[str]:
    """Cards as paragraphs of one grid (the blank lines make each card its own grid item)."""
    return [f'<div class="{css}" markdown>', "", "\n\n".join(cards), "", "</div>", ""]


def _cards(results: list[ExampleResult], prefix: str) -> list[str]:
    return _grid([_card(r, prefix) for r in results])


def _shown_sections(sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> list[Section]:
    """Sections with examples, with a sub-section that has some, or with a header error to show."""

    def shown(section: Section) -> bool:
        return section.path in by_section or section.error is not None

    return [
        s for s in sections if shown(s) or any(shown(sub) for sub in sections if sub.parent == s)
    ]


def _header_error(error: HeaderError | None) -> list[str]:
    if error is None:
        return []
    return [
        (
            f'!!! failure "This gallery header could not be read: {escape_inline(str(error.path.name))}, '
            f'line {error.line}"'
        ),
        "",
        f"    {escape_inline(error.message)}",
        "",
    ]


def _section_page(section: Section, subsections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = [WIDE_PAGE, f"# {escape_inline(section.title)}", "", *_header_error(section.error)]
    lines += [prose(section.intro, section.markup), ""]
    lines += _cards(by_section.get(section.path, []), "")
    for sub in subsections:
        lines += [f"## [{escape_link_text(sub.title)}]({sub.slug}/index.md)", "", *_header_error(sub.error)]
        lines += _cards(by_section.get(sub.path, []), f"{sub.slug}/")
    return "\n".join(lines)


def _gallery_page(gallery: Gallery, sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = [WIDE_PAGE, f"# {escape_inline(gallery.title)}", "", *_header_error(gallery.error)]
    lines += [prose(gallery.intro, gallery.markup), ""]
    lines += [f"[Download all scripts]({SCRIPTS_ZIP}){{ .md-button download }}", ""]
    for section in sections:
        level = "#" * (section.depth + 1)
        lines += [f"{level} [{escape_link_text(section.title)}]({section.url_dir}/index.md)", ""]
        lines += _header_error(section.error)
        lines += _cards(by_section.get(section.path, []), f"{section.url_dir}/")
    return "\n".join(lines)


def home_strip(results: list[ExampleResult]) -> str:
    """A row of thumbnails for the home page (a page at the docs root), leading into the gallery.

    Taken in turn from each section (every section's first example, then every second one...)."""
    by_section: dict[Path, list[ExampleResult]] = {}
    for result in results:
        if _has_thumbnail(result) and result.status != "failed":
            by_section.setdefault(result.example.section.path, []).append(result)
    columns = [by_section[key] for key in by_section]
    taken = [column[i] for i in range(max(map(len, columns), default=0)) for column in columns if i < len(column)]
    cards = [_card(r, f"{GALLERY_DIR}/{r.example.section.url_dir}/") for r in taken[:HOME_STRIP_SIZE]]
    return "\n".join(_grid(cards, "gallery-grid gallery-grid--strip"))


def _times_page(results: list[ExampleResult], show_times: bool) -> str:
    lines = [
        "# Computation times",
        "",
        "How long each example took to run, and whether this build ran it or reused its cached outputs.",
        "",
    ]
    if not show_times:
        lines += ["This is a reproducible build (`SOURCE_DATE_EPOCH` is set): run times are not recorded.", ""]
        results = sorted(results, key=lambda r: r.example.url_dir)
    lines += [
        "| Example | Run time | This build |",
        "| --- | ---: | --- |",
    ]
    for r in sorted(results, key=lambda r: -r.duration) if show_times else results:
        seconds = f"{r.duration:.1f} s" if show_times else "—"
        status = r.status if show_times else "—"
        lines.append(f"| [{escape_link_text(r.title)}]({r.example.url_dir}/index.md) | {seconds} | {status} |")
    if show_times:
        total = sum(r.duration for r in results)
        lines += ["", f"Total: {total:.1f} s of script run time over {len(results)} examples.", ""]
    return "\n".join(lines)


def _summary(sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = ["* [Overview](index.md)"]
    for section in sections:
        indent = "    " * (section.depth - 1)
        lines.append(f"{indent}* {escape_link_text(section.title)}")
        lines.append(f"{indent}    * [{escape_link_text(section.title)}]({section.url_dir}/index.md)")
        for r in by_section.get(section.path, []):
            lines.append(f"{indent}    * [{escape_link_text(r.title)}]({r.example.url_dir}/index.md)")
    lines.append("* [Computation times](times.md)")
    return "\n".join(lines) + "\n"


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


def _text(text: str) -> bytes:
    return (text.rstrip() + "\n").encode("utf-8")
