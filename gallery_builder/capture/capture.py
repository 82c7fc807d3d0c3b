"""Capture what a script shows, cell by cell: figures, HTML, text.

Runs inside the worker process that executes a script:

- matplotlib uses the Agg backend; ``plt.show()`` saves every open figure instead of blocking,
  and figures still open at the end of a cell are saved too. PNGs are written at 2x with no
  metadata that changes between builds, twice: as drawn, and restyled for dark pages, most from
  the same drawing (raster.py, dark_figures.py). Each figure's panel boxes and text sizes are
  recorded (figure_checks.py).
- IPython's ``display()`` reaches a real (headless) InteractiveShell whose display publisher
  records the MIME bundles, so a bare bertviz ``head_view(...)`` is captured; its consecutive
  HTML and JavaScript pieces are joined into one HTML fragment.
- stdout and stderr are collected as text.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # matplotlib is imported only where figures are saved, in the workers
    from .figure_checks import Box

OutputKind = Literal["stdout", "stderr", "text", "image", "html"]
IMAGE_SCALE = 2  # PNGs are rendered at 2x their CSS size


@dataclass
class Output:
    kind: OutputKind
    text: str = ""  # stdout / stderr / text: the text; html: the fragment
    file: str = ""  # image: file name in the output folder
    dark_file: str = ""  # image: the same figure restyled for dark pages ("" for other images)
    width: int = 0  # image: CSS pixels
    alt: str = ""  # image: plain-text description
    panels: list[Box] = field(default_factory=list)  # image: each axes' box, for thumbnails
    text_px: float = 0.0  # image: smallest font in CSS px at `width`
    overlaps: list[str] = field(default_factory=list)  # image: texts that collide
    still: str = ""  # html of an animation: a PNG of its last frame, for the thumbnail
    dark_still: str = ""  # html of an animation: the same frame as drawn for dark pages

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", 0, 0.0, [])}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Output:
        data = dict(data)
        if "panels" in data:
            data["panels"] = [tuple(box) for box in data["panels"]]
        return cls(**data)


class CellCapture:
    """Collects the outputs of one script, cell after cell, into `out_dir`."""

    def __init__(self, out_dir: Path, redact: Callable[[str], str], panels: bool = True, thumbnail: int = 0) -> None:
        self.out_dir = out_dir
        self.redact = redact
        self.panels = panels  # record figures' panel boxes (a thumbnail is cropped to one)
        # Finding the boxes lays out every axes again: with `thumbnail` N > 0 only the Nth image
        # (and the first, the thumbnail when there are fewer) gets them; else every figure.
        self.thumbnail = thumbnail
        self.outputs: list[Output] = []
        self.image_count = 0
        self.stdout = _Stream(self, "stdout")
        self.stderr = _Stream(self, "stderr")
        self._pending_html: list[str] = []
        self.namespace: dict[str, Any] = {}  # the script's variables, where its animations are found
        self._animations_seen: set[int] = set()

    # -- text -------------------------------------------------------------
    def add_text(self, kind: OutputKind, text: str) -> None:
        if not text:
            return
        self._flush_html()
        text = self.redact(text)
        if self.outputs and self.outputs[-1].kind == kind:
            self.outputs[-1].text += text
        else:
            self.outputs.append(Output(kind, text=text))

    # -- figures ----------------------------------------------------------
    def save_open_figures(self) -> None:
        import matplotlib.pyplot as plt

        from .figure_checks import measure
        from .raster import darkened_png, draw_both, one_draw, png

        self.stdout.flush()
        self.stderr.flush()
        self._flush_html()
        self._save_animations()
        for number in plt.get_fignums():
            figure = plt.figure(number)
            self.image_count += 1
            name = f"image-{self.image_count}.png"
            dark_name = f"image-{self.image_count}-dark.png"
            dark: bytes | None = None
            panels = self.panels and (self.thumbnail <= 0 or self.image_count in (1, self.thumbnail))
            if one_draw(figure) == "":
                (light, dark), measured = measure(figure, partial(draw_both, figure, IMAGE_SCALE), panels)
            else:
                light, measured = measure(figure, partial(png, figure, IMAGE_SCALE), panels)
            (self.out_dir / name).write_bytes(light)
            output = Output(
                "image",
                file=name,
                dark_file=dark_name,
                width=round(figure.get_figwidth() * figure.dpi),
                alt=self.redact(_figure_alt(figure)),
                panels=measured.panels,
                text_px=measured.text_px,
                overlaps=measured.overlaps,
            )
            if dark is None:
                dark = darkened_png(figure, IMAGE_SCALE)
            (self.out_dir / dark_name).write_bytes(dark)
            self.outputs.append(output)
        plt.close("all")

    def _save_animations(self) -> None:
        """Each new animation of the script as an offline player, and a still for the thumbnail."""
        import matplotlib.pyplot as plt

        from .animation import animations_in, in_both_schemes, offline_player, redraw_later
        from .dark_figures import DARK_BACKGROUND
        from .raster import darkened_png, png

        for animation in animations_in(self.namespace):
            if id(animation) in self._animations_seen:
                continue
            self._animations_seen.add(id(animation))
            number = len(self._animations_seen)
            light = offline_player(animation, number)
            still = f"animation-{number}.png"
            (self.out_dir / still).write_bytes(png(animation._fig, IMAGE_SCALE))  # the last frame, as the player ends
            dark_still = f"animation-{number}-dark.png"
            (self.out_dir / dark_still).write_bytes(darkened_png(animation._fig, IMAGE_SCALE))
            # The player's frames cannot be transparent (matplotlib composites them onto white).
            animation._fig.patch.set_facecolor(DARK_BACKGROUND)
            redraw_later(animation)
            self._pending_html.append(in_both_schemes(light, offline_player(animation, number)))
            self._flush_html()
            self.outputs[-1].still, self.outputs[-1].dark_still = still, dark_still
            plt.close(animation._fig)

    # -- rich display -----------------------------------------------------
    def add_mime_bundle(self, data: dict[str, Any]) -> None:
        """Record one display() call or a cell's last value, formatted as a MIME bundle."""
        self.stdout.flush()
        self.stderr.flush()
        if "text/html" in data:
            self._pending_html.append(str(data["text/html"]))
        elif "application/javascript" in data:
            script = str(data["application/javascript"])
            self._pending_html.append(f'<script type="text/javascript">\n{script}\n</script>')
        elif "image/png" in data:
            self._flush_html()
            self.image_count += 1
            name = f"image-{self.image_count}.png"
            raw = data["image/png"]
            (self.out_dir / name).write_bytes(base64.b64decode(raw) if isinstance(raw, str) else raw)
            self.outputs.append(Output("image", file=name, alt="image"))
        elif "text/plain" in data:
            self.add_text("text", str(data["text/plain"]) + "\n")

    def end_cell(self) -> list[Output]:
        """Save what the cell left behind and hand back its outputs."""
        self.save_open_figures()
        outputs, self.outputs = self.outputs, []
        return outputs

    def _flush_html(self) -> None:
        if self._pending_html:
            fragment = "\n".join(self._pending_html)
            self._pending_html = []
            self.outputs.append(Output("html", text=self.redact(fragment)))


class _Stream(io.TextIOBase):
    """A text stream that files what is written into the current cell's outputs."""

    def __init__(self, capture: CellCapture, kind: OutputKind) -> None:
        self._capture = capture
        self._kind = kind
        self._buffer: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer.append(text)
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            text = "".join(self._buffer)
            self._buffer = []
            self._capture.add_text(self._kind, _collapse_carriage_returns(text))

    def isatty(self) -> bool:
        return False


def _collapse_carriage_returns(text: str) -> str:
    """A carriage return means a progress bar redrawing itself: keep only its last state."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def _figure_alt(figure: Any) -> str:
    titles = []
    if figure._suptitle is not None and figure._suptitle.get_text():
        titles.append(figure._suptitle.get_text())
    titles.extend(ax.get_title() for ax in figure.axes if ax.get_title())
    text = "; ".join(titles[:3]) or "figure"
    return re.sub(r"\s+", " ", text).strip()


def install_display_hook(capture: CellCapture) -> Any:
    """Route IPython's display() to `capture`; return the shell (its formatter renders values)."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(
            self,
            data: dict[str, Any],
            metadata: Any = None,
            source: Any = None,
            *,
            transient: Any = None,
            update: bool = False,
            **kwargs: Any,
        ) -> None:
            capture.add_mime_bundle(data)

        def clear_output(self, wait: bool = False) -> None:
            pass

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.display_pub = Publisher(shell=shell)  # type: ignore[no-untyped-call]  # IPython is untyped
    return shell


_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}\b")


def last_value_bundle(
    shell: Any, value: Any, capture_repr: tuple[str, ...] | None = None, ignore_repr_types: str = ""
) -> dict[str, Any] | None:
    """Format a cell's last expression, or None to show nothing.

    capture_repr None: the way a notebook would, hiding matplotlib's return values (the project's
    default). A tuple of method names: sphinx-gallery's rule: the first of `_repr_html_`,
    `__repr__`, `__str__` that the value has and that returns a string other than "None",
    unless the value's type matches `ignore_repr_types`. Memory addresses ("at 0x7f...") are
    replaced, so that pages do not change from one build to the next."""
    if capture_repr is not None:
        return _sphinx_gallery_repr(value, capture_repr, ignore_repr_types)
    if value is None or _is_matplotlib_artist(value):
        return None
    if hasattr(value, "_repr_html_"):
        rendered = value._repr_html_()
        if rendered:
            return {"text/html": rendered}
    bundle, _ = shell.display_formatter.format(value)
    bundle = {k: v for k, v in bundle.items() if k in ("text/html", "image/png", "text/plain")}
    return bundle or None


def _is_matplotlib_artist(value: Any) -> bool:
    """Matplotlib return values (lines, texts, axes) are noise on a page, as in sphinx-gallery."""
    items = value if isinstance(value, (list, tuple)) and value else [value]
    return all(type(item).__module__.startswith("matplotlib") for item in items)


def _sphinx_gallery_repr(value: Any, methods: tuple[str, ...], ignore_repr_types: str) -> dict[str, Any] | None:
    if ignore_repr_types and re.search(ignore_repr_types, str(type(value))):
        return None
    for method in methods:
        try:
            shown = getattr(value, method)()
        except Exception:  # noqa: BLE001, S112 - a missing or failing method means: try the next one
            continue
        if not isinstance(shown, str):
            continue
        if shown == "None":
            return None
        shown = _ADDRESS.sub("at 0x…", shown)
        return {"text/html": shown} if method == "_repr_html_" else {"text/plain": shown}
    return None
