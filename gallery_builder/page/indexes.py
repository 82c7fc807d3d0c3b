"""The pages that lead to the examples: the gallery page, a page per section, the cards on them,
the strip of thumbnails on the home page, the table of run times, and the literate-nav file."""

from __future__ import annotations

from pathlib import Path

from ..capture import thumbnails
from ..run.results import ExampleResult
from ..sources.headers import HeaderError
from ..sources.project import Gallery, Section
from ..views.layout import GALLERY_DIR
from .markdown import escape_inline, escape_link_text, plain_text, prose

NAV_FILE = "SUMMARY.md"  # read by mkdocs-literate-nav
SCRIPTS_ZIP = "gallery-scripts.zip"
# Gallery and section pages use the page's whole width for their grid of cards.
WIDE_PAGE = "---\nhide:\n  - navigation\n  - toc\n---\n"
HOME_STRIP_MARKER = "<!-- gallery:strip -->"  # docs/index.md: where the strip of thumbnails goes
HOME_STRIP_SIZE = 6


def has_thumbnail(result: ExampleResult) -> bool:
    return result.files_dir is not None and (result.files_dir / thumbnails.FILE).exists()


def _card(result: ExampleResult, prefix: str) -> str:
    """One card: thumbnail, title and at most two lines of text, all one link to the example.

    `prefix` leads from the page to the section folder. The link is Markdown, so mkdocs checks it."""
    folder = f"{prefix}{result.example.slug}"
    title = escape_link_text(result.title)
    if has_thumbnail(result):
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


def shown_sections(sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> list[Section]:
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


def section_page(section: Section, subsections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = [WIDE_PAGE, f"# {escape_inline(section.title)}", "", *_header_error(section.error)]
    lines += [prose(section.intro, section.markup), ""]
    lines += _cards(by_section.get(section.path, []), "")
    for sub in subsections:
        lines += [f"## [{escape_link_text(sub.title)}]({sub.slug}/index.md)", "", *_header_error(sub.error)]
        lines += _cards(by_section.get(sub.path, []), f"{sub.slug}/")
    return "\n".join(lines)


def gallery_page(gallery: Gallery, sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
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
        if has_thumbnail(result) and result.status != "failed":
            by_section.setdefault(result.example.section.path, []).append(result)
    columns = [by_section[key] for key in by_section]
    taken = [column[i] for i in range(max(map(len, columns), default=0)) for column in columns if i < len(column)]
    cards = [_card(r, f"{GALLERY_DIR}/{r.example.section.url_dir}/") for r in taken[:HOME_STRIP_SIZE]]
    return "\n".join(_grid(cards, "gallery-grid gallery-grid--strip"))


def times_page(results: list[ExampleResult], show_times: bool) -> str:
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


def nav_file(sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = ["* [Overview](index.md)"]
    for section in sections:
        indent = "    " * (section.depth - 1)
        lines.append(f"{indent}* {escape_link_text(section.title)}")
        lines.append(f"{indent}    * [{escape_link_text(section.title)}]({section.url_dir}/index.md)")
        for r in by_section.get(section.path, []):
            lines.append(f"{indent}    * [{escape_link_text(r.title)}]({r.example.url_dir}/index.md)")
    lines.append("* [Computation times](times.md)")
    return "\n".join(lines) + "\n"
