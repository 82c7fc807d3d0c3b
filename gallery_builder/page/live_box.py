"""The "your own text" box under a view whose script says `# gallery_live = "<widget>"`.

The box is plain HTML with no text from the reader; gallery_builder/live/js/live-page.mjs, a
small module loaded by the page, wires it up and loads everything else only when the reader
presses Run. Unknown widgets are reported on the page, not silently ignored.
"""

from __future__ import annotations

import html

from ..live.models import FIGURE_WIDGETS, WIDGETS
from ..live.publish import LIVE_DIR, VENDOR_DIR
from ..run.results import ExampleResult


def live_widget(result: ExampleResult) -> str | None:
    """The widget the script asks for, or None."""
    value = result.parsed.settings.get("live") if result.parsed else None
    return value if isinstance(value, str) and value else None


def wants_figure(result: ExampleResult) -> bool:
    """Whether the box goes under the page's first figure (a heatmap widget) instead of its first view."""
    return live_widget(result) in FIGURE_WIDGETS


def live_box(result: ExampleResult, view_file: str = "") -> list[str]:
    """Markdown lines for the box that redraws `view_file` (or, for a figure widget, draws its own
    heatmap) for the reader's text."""
    widget = live_widget(result)
    if widget is None:
        return []
    if widget not in WIDGETS:
        known = ", ".join(sorted(WIDGETS))
        return [f'!!! failure "Unknown live widget {html.escape(widget)!r} (known: {known})"', ""]
    model = WIDGETS[widget]
    up = "../" * (result.example.section.depth + 1)
    field = f"gallery-live-{html.escape(view_file.removesuffix('.html') or widget)}"
    if widget == "sentence_pair":
        label, inputs = "Run it on your own pair of sentences", [_input(field, "first sentence (A)"),
                                                                 _input(f"{field}-b", "second sentence (B)")]
    else:
        label, inputs = "Run it on your own sentence", [_input(field, "")]
    return [
        f'<div class="gallery-live" data-widget="{widget}" data-model="{model.name}" data-view="{view_file}" '
        f'data-live="{up}{LIVE_DIR}/" data-vendor="{up}{VENDOR_DIR}/">',
        '<form class="gallery-live__form">',
        f'<label class="gallery-live__label" for="{field}">{label}</label>',
        '<div class="gallery-live__row">',
        *inputs,
        '<button class="md-button md-button--primary gallery-live__run" type="submit">Run</button>',
        "</div>",
        "</form>",
        f'<p class="gallery-live__status" role="status" aria-live="polite">{html.escape(model.hub_id)} runs in '
        f"your browser, from this site's files: the model is downloaded once, when you press Run. "
        f"Up to {model.max_tokens} tokens.</p>",
        *(['<div class="gallery-live__figure"></div>'] if widget in FIGURE_WIDGETS else []),
        "</div>",
        f'<script type="module" src="{up}{LIVE_DIR}/js/live-page.mjs"></script>',
        "",
    ]


def _input(field: str, which: str) -> str:
    label = f' aria-label="{which}"' if which else ""
    placeholder = f"Type the {which}" if which else "Type a sentence, then press Enter"
    return (
        f'<input id="{field}" class="gallery-live__input" type="text" maxlength="2000" autocomplete="off" '
        f'spellcheck="false" placeholder="{placeholder}"{label}>'
    )
