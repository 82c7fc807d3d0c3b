"""What the build measures on each figure it saves, for thumbnails and for readability checks.

- `panel_boxes`: where each axes (with its labels) sits in the image, so a thumbnail can be
  cropped to one panel (`# gallery_thumbnail_panel = K`);
- `smallest_text_px`: the smallest font on the figure, in CSS pixels at the figure's own size
  (pages scale a figure down to fit the text column, and the browser tests check the result);
- `overlapping_labels`: pairs of visible texts whose boxes overlap, a sign of colliding labels.

All of them read the layout of a draw: call them from a `draw_event` handler with the event's
renderer, so that they see exactly what was saved (`measure`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the image
Saved = TypeVar("Saved")  # what `save` returns: the PNG, or the light and the dark one
OVERLAP_SHARE = 0.2  # of the smaller box's area: touching corners are not a collision


@dataclass
class FigureMeasures:
    panels: list[Box] = field(default_factory=list)
    text_px: float = 0.0
    overlaps: list[str] = field(default_factory=list)


def measure(figure: Figure, save: Callable[[], Saved], panels: bool = True) -> tuple[Saved, FigureMeasures]:
    """Call `save()` (which draws `figure`) and measure the figure as that draw laid it out.
    `panels`: also find the panel boxes (they cost a layout of every axes: only for thumbnails)."""
    found = FigureMeasures()
    dpi = figure.dpi  # savefig draws at its own dpi; CSS pixels follow the figure's

    def on_draw(event: Any) -> None:
        if panels:
            found.panels = panel_boxes(figure, event.renderer)
        found.text_px = smallest_text_px(figure, dpi)
        found.overlaps = overlapping_labels(figure, event.renderer)

    connection = figure.canvas.mpl_connect("draw_event", on_draw)
    try:
        saved = save()
    finally:
        figure.canvas.mpl_disconnect(connection)
    return saved, found


def panel_boxes(figure: Figure, renderer: Any) -> list[Box]:
    """Each axes' tight box (ticks and labels included), in `figure.axes` order."""
    width, height = figure.bbox.width, figure.bbox.height
    boxes: list[Box] = []
    for axes in figure.axes:
        box = axes.get_tightbbox(renderer) or axes.bbox
        left, top = max(0.0, box.x0 / width), max(0.0, 1 - box.y1 / height)
        right, bottom = min(1.0, box.x1 / width), min(1.0, 1 - box.y0 / height)
        boxes.append((round(float(left), 4), round(float(top), 4), round(float(right), 4), round(float(bottom), 4)))
    return boxes


def _undrawn_tick_labels(figure: Figure) -> set[int]:
    """Tick labels that are visible but never drawn: outside the view interval, or on a hidden axis."""
    hidden: set[int] = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            drawn = axes.get_visible() and axes.axison and axis.get_visible()  # set_axis_off() hides them all
            low, high = sorted(axis.get_view_interval())
            margin = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not drawn or not low - margin <= tick.get_loc() <= high + margin:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


def _visible_texts(figure: Figure) -> list[Text]:
    undrawn = _undrawn_tick_labels(figure)
    return [
        t
        for t in figure.findobj(Text)
        if isinstance(t, Text)
        and id(t) not in undrawn
        and t.get_visible()
        and t.get_text().strip()
        and t.get_alpha() != 0
    ]


def smallest_text_px(figure: Figure, dpi: float | None = None) -> float:
    """The smallest font size on the figure in CSS pixels (1 pt = dpi/72 px), 0 if it has no text."""
    sizes = [t.get_fontsize() for t in _visible_texts(figure)]
    return round(float(min(sizes)) * (dpi or figure.dpi) / 72, 2) if sizes else 0.0


def overlapping_labels(figure: Figure, renderer: Any, limit: int = 3) -> list[str]:
    """Up to `limit` descriptions of texts that overlap each other (sweep over sorted boxes)."""
    placed: list[tuple[Bbox, str]] = []
    for text in _visible_texts(figure):
        box = text.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            placed.append((box, text.get_text().strip()))
    placed.sort(key=lambda item: item[0].x0)
    found: list[str] = []
    for i, (box, label) in enumerate(placed):
        for other, other_label in placed[i + 1 :]:
            if other.x0 >= box.x1:
                break
            overlap = Bbox.intersection(box, other)
            if overlap is None:
                continue
            smaller = min(box.width * box.height, other.width * other.height)
            if overlap.width * overlap.height > OVERLAP_SHARE * smaller:
                found.append(f"{label[:30]!r} overlaps {other_label[:30]!r}")
                if len(found) >= limit:
                    return found
    return found
