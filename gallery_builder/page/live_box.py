"""The "your own text" box under a view whose script says `# gallery_live = "<widget>"`.

The box is plain HTML with no text from the reader; gallery_builder/live/js/live-page.mjs, a
small module loaded by the page, wires it up and loads everything else only when the reader
presses Run. Unknown widgets are reported on the page, not silently ignored.
"""

from __future__ import annotations

import html

from ..live.models import WIDGETS
from ..live.publish import LIVE_DIR, VENDOR_DIR
from ..run.results import ExampleResult


def live_widget(result: ExampleResult) -> str | None:
    """The widget the script asks for, or None."""
    value = result.parsed.settings.get("live") if result.parsed else None
    return value if isinstance(value, str) and value else None


def live_box(result: ExampleResult, view_file: str) -> list[str]:
    """Markdown lines for the box that redraws `view_file` for the reader's text."""
    widget = live_widget(result)
    if widget is None:
        return []
    if widget not in WIDGETS:
        known = ", ".join(sorted(WIDGETS))
        return [f'!!! failure "Unknown live widget {html.escape(widget)!r} (known: {known})"', ""]
    model = WIDGETS[widget]
    up = "../" * (result.example.section.depth + 1)
    field = f"gallery-live-{html.escape(view_file.removesuffix('.html'))}"
    return [
        f'<div class="gallery-live" data-widget="{widget}" data-model="{model.name}" data-view="{view_file}" '
        f'data-live="{up}{LIVE_DIR}/" data-vendor="{up}{VENDOR_DIR}/">',
        '<form class="gallery-live__form">',
        f'<label class="gallery-live__label" for="{field}">Run it on your own sentence</label>',
        '<div class="gallery-live__row">',
        f'<input id="{field}" class="gallery-live__input" type="text" maxlength="2000" autocomplete="off" '
        'spellcheck="false" placeholder="Type a sentence, then press Enter">',
        '<button class="md-button md-button--primary gallery-live__run" type="submit">Run</button>',
        "</div>",
        "</form>",
        f'<p class="gallery-live__status" role="status" aria-live="polite">{html.escape(model.hub_id)} runs in '
        f"your browser, from this site's files: the model is downloaded once, when you press Run. "
        f"Up to {model.max_tokens} tokens.</p>",
        "</div>",
        f'<script type="module" src="{up}{LIVE_DIR}/js/live-page.mjs"></script>',
        "",
    ]
