"""Matplotlib animations, captured as a player that works offline (inside the worker).

A ``FuncAnimation`` (any ``matplotlib.animation.Animation``) held by a variable of the script
whose figure is still open when the cell ends, or at ``plt.show()``, becomes:

- an interactive player: matplotlib's ``to_jshtml()``, every frame a PNG inside the HTML, shown as a
  view (views.py) like bertviz's; no ffmpeg needed. matplotlib's player draws its buttons with Font
  Awesome from a CDN: here they are plain characters, and the random id matplotlib gives its
  elements (a fresh uuid per animation) becomes one derived from the animation's content, so the
  page is the same from one build to the next;
- a still of the last frame, the example's thumbnail when it has no other figure;
- the same player drawn again after `dark_figures.darken`, for dark pages: the view shows the one
  that matches the page's scheme (`in_both_schemes`, styled by templates/view_frame.css).

The figure is then closed, so that it is not also saved as a PNG of its empty axes.
This is how sphinx-gallery finds animations too (variables of the script).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

# Font Awesome icons of matplotlib's player, as characters any font has.
_GLYPHS = {
    "fa-minus": "\u2212",  # slower
    "fa-fast-backward": "\u21e4",  # first frame
    "fa-step-backward": "\u2190",
    "fa-play fa-flip-horizontal": "\u25c0",  # play backwards
    "fa-pause": "||",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u2192",
    "fa-fast-forward": "\u21e5",  # last frame
    "fa-plus": "+",  # faster
}
_ICON = re.compile(r'<i class="fa ([^"]+)"></i>')
_REMOTE_CSS = re.compile(r'<link rel="stylesheet"\s+href="https?://[^"]+"\s*/?>\s*')
# The uuid4().hex that matplotlib's HTMLWriter puts in its element ids (`_anim_img<id>`, ...).
_RANDOM_ID = re.compile(r"_anim_img([0-9a-f]{32})\b")
MAX_FRAMES = 200  # matplotlib's own default limit on saved frames is 100 for a generator without a count


def animations_in(namespace: dict[str, Any]) -> list[Any]:
    """Animations held by the script's variables whose figures are still open, in name order."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation

    found: list[Any] = []
    for value in namespace.values():
        if isinstance(value, Animation) and id(value) not in {id(a) for a in found}:
            figure = getattr(value, "_fig", None)
            if figure is not None and plt.fignum_exists(figure.number):
                found.append(value)
    return found


def offline_player(animation: Any, number: int) -> str:
    """The animation as matplotlib's JavaScript player, with nothing loaded from another site."""
    html = animation.to_jshtml(default_mode="loop")
    html = _REMOTE_CSS.sub("", html)
    html = _ICON.sub(lambda m: f'<span aria-hidden="true">{_GLYPHS.get(m.group(1), "•")}</span>', html)
    found = _RANDOM_ID.search(html)
    if found is None:
        return html
    uuid = found.group(1)
    stable = hashlib.sha256(html.replace(uuid, "").encode()).hexdigest()[:16]
    return html.replace(uuid, f"{number}_{stable}")


def redraw_later(animation: Any) -> None:
    """Make the next offline_player draw the frames again (matplotlib keeps the first HTML)."""
    animation.__dict__.pop("_html_representation", None)


def in_both_schemes(light: str, dark: str) -> str:
    """Both players in one view; the view's scheme (data-gv-scheme) shows one of them."""
    return f'<div class="gv-only-light">{light}</div>\n<div class="gv-only-dark">{dark}</div>'

