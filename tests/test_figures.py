"""Dark variants, figure measurements and thumbnails, on real matplotlib figures (no mkdocs, no browser)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from PIL import Image  # noqa: E402

from gallery_builder.capture import thumbnails  # noqa: E402
from gallery_builder.capture.capture import CellCapture, Output  # noqa: E402
from gallery_builder.capture.dark_figures import DARK_BACKGROUND, LIGHT_TEXT, dark_colour, darken  # noqa: E402
from gallery_builder.capture.figure_checks import measure, overlapping_labels, panel_boxes, smallest_text_px  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def lightness(colour) -> float:
    r, g, b, _ = to_rgba(colour)
    return (r + g + b) / 3


def test_greys_are_inverted_between_the_page_colours_and_colours_keep_their_hue() -> None:
    assert dark_colour("white")[:3] == pytest.approx(DARK_BACKGROUND)
    assert dark_colour("black")[:3] == pytest.approx(LIGHT_TEXT)
    assert lightness(dark_colour("0.3")) > lightness(dark_colour("0.7"))
    assert dark_colour("#ff7f0e") == pytest.approx(to_rgba("#ff7f0e"))  # saturated: unchanged
    navy = dark_colour("navy")
    assert lightness(navy) > lightness("navy") and navy[2] > navy[0]  # lifted, still blue
    assert dark_colour((0, 0, 0, 0.4))[3] == 0.4  # transparency is kept


def heatmap_with_numbers():
    fig, (heat, line) = plt.subplots(1, 2, figsize=(6, 3))
    heat.imshow(np.arange(9).reshape(3, 3), cmap="viridis")
    cell = heat.text(1, 1, "4", color="black", ha="center", va="center")
    heat.set_title("cells")
    line.plot([0, 1], [1, 0], color="black")
    line.bar([0.5], [0.5], color="0.8")
    line.set_xlabel("position")
    return fig, heat, line, cell


def test_darken_keeps_data_colours_and_text_over_them() -> None:
    fig, heat, line, cell = heatmap_with_numbers()
    image_before = heat.images[0].get_cmap().name
    darken(fig)
    assert to_rgba(cell.get_color()) == to_rgba("black")  # chosen to contrast with its cell
    assert heat.images[0].get_cmap().name == image_before
    assert lightness(heat.title.get_color()) > 0.8  # titles, labels and ticks turn light
    assert lightness(line.xaxis.label.get_color()) > 0.8
    assert lightness(line.lines[0].get_color()) > 0.8
    assert lightness(line.patches[0].get_facecolor()) < 0.5  # a light grey bar turns dark grey
    assert to_rgba(fig.patch.get_facecolor())[3] == 0  # the page shows through
    assert to_rgba(line.patch.get_facecolor())[3] == 0


def test_capture_writes_a_light_and_a_dark_png_of_each_figure(tmp_path: Path) -> None:
    capture = CellCapture(tmp_path, lambda text: text)
    heatmap_with_numbers()
    capture.save_open_figures()
    (output,) = capture.outputs
    light = Image.open(tmp_path / output.file).convert("RGBA")
    dark = Image.open(tmp_path / output.dark_file).convert("RGBA")
    assert light.size == dark.size == (2 * output.width, 600)
    assert light.getpixel((2, 2))[:3] == (255, 255, 255)  # white corner in light mode
    assert dark.getpixel((2, 2))[3] == 0  # transparent corner in dark mode
    assert len(output.panels) == 2 and output.text_px == pytest.approx(10 * 100 / 72, abs=0.01)
    assert Output.from_json(json.loads(json.dumps(output.to_json()))) == output


def test_panel_boxes_follow_the_axes_order() -> None:
    fig, _, _, _ = heatmap_with_numbers()
    fig.canvas.draw()
    left, right = panel_boxes(fig, fig.canvas.get_renderer())
    assert 0 <= left[0] < left[2] <= right[0] < right[2] <= 1
    assert all(0 <= top < bottom <= 1 for _, top, _, bottom in (left, right))


def test_smallest_text_and_colliding_labels_are_measured() -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xticks(range(20))
    ax.set_xticklabels([f"token{i}" for i in range(20)], fontsize=6)
    fig.canvas.draw()
    assert smallest_text_px(fig) == pytest.approx(6 * 100 / 72, abs=0.01)
    assert overlapping_labels(fig, fig.canvas.get_renderer()), "twenty labels on a 3-inch axis must collide"
    ax.set_xticklabels([f"t{i}" for i in range(20)], rotation=90, fontsize=6)
    fig.canvas.draw()
    assert overlapping_labels(fig, fig.canvas.get_renderer()) == []


def test_tick_labels_outside_the_view_are_not_collisions() -> None:
    """matplotlib keeps labels for ticks beyond the limits; they are never drawn (a helper's false alarm)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(4, 2), gridspec_kw={"wspace": 0.3})
    left.set_xticks([0, 10, 13])  # 13 lies where the right panel's 0 is drawn
    right.set_xticks([0, 10])
    for ax in (left, right):
        ax.set_xlim(0, 10)
    fig.canvas.draw()
    assert overlapping_labels(fig, fig.canvas.get_renderer()) == []


def test_tick_labels_of_an_axis_turned_off_are_not_collisions() -> None:
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_xticks(range(100))
    ax.set_axis_off()  # the hundred crowded labels are never drawn
    fig.canvas.draw()
    assert overlapping_labels(fig, fig.canvas.get_renderer()) == []
    ax.set_axis_on()
    fig.canvas.draw()
    assert overlapping_labels(fig, fig.canvas.get_renderer())


def test_a_legend_placed_outside_by_the_layout_engine_is_measured_where_it_was_saved() -> None:
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    ax.plot(range(30), label="a long legend entry that sits under the axis")
    ax.set_xlabel("position")
    fig.legend(loc="outside lower center")
    def save() -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=200)
        return buffer.getvalue()

    png, measured = measure(fig, save)
    assert png.startswith(b"\x89PNG")
    assert measured.overlaps == [] and len(measured.panels) == 1


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_thumbnail_crops_the_chosen_panel_in_both_versions(tmp_path: Path) -> None:
    capture = CellCapture(tmp_path, lambda text: text)
    heatmap_with_numbers()
    capture.save_open_figures()
    thumbnails.write_thumbnails(tmp_path, capture.outputs, number=1, panel=0, title="whole")
    whole = _digest(tmp_path / thumbnails.FILE)
    thumbnails.write_thumbnails(tmp_path, capture.outputs, number=1, panel=2, title="right panel")
    light, dark = Image.open(tmp_path / thumbnails.FILE), Image.open(tmp_path / thumbnails.DARK_FILE)
    assert light.size == dark.size == thumbnails.SIZE
    assert _digest(tmp_path / thumbnails.FILE) != whole
    assert _digest(tmp_path / thumbnails.FILE) != _digest(tmp_path / thumbnails.DARK_FILE)


def test_only_the_thumbnails_figure_and_the_first_are_measured_for_panels(tmp_path: Path) -> None:
    capture = CellCapture(tmp_path, lambda text: text, panels=True, thumbnail=3)
    for _ in range(4):
        heatmap_with_numbers()
    capture.save_open_figures()
    assert [len(o.panels) for o in capture.outputs] == [2, 0, 2, 0]
    thumbnails.write_thumbnails(tmp_path, capture.outputs, number=3, panel=2, title="third, right panel")
    cropped = _digest(tmp_path / thumbnails.FILE)
    thumbnails.write_thumbnails(tmp_path, capture.outputs, number=3, panel=0, title="third, whole")
    assert _digest(tmp_path / thumbnails.FILE) != cropped


def _view_output(folder: Path, name: str, params: dict) -> Output:
    (folder / name).write_text(f"<script>window.galleryView.params({json.dumps(params)})</script>")
    return Output("html", file=name)


def test_views_and_titles_get_drawn_thumbnails(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    attn = rng.dirichlet(np.ones(5), size=(2, 12, 5)).tolist()  # layers x heads x query x key
    tokens = ["[CLS]", "the", "cat", "sat", "[SEP]"]
    head = {"attention": [{"attn": attn, "left_text": tokens, "right_text": tokens}], "layer": None,
            "heads": None, "include_layers": [0, 1]}
    model = dict(head, total_heads=12, include_heads=list(range(12)))
    made = {}
    for name, outputs in (
        ("head", [_view_output(tmp_path, "view-1.html", head)]),
        ("model", [_view_output(tmp_path, "view-2.html", model)]),
        ("title", [Output("stdout", text="no picture here")]),
    ):
        thumbnails.write_thumbnails(tmp_path, outputs, number=1, panel=0, title=f"An example about {name}")
        made[name] = (_digest(tmp_path / thumbnails.FILE), _digest(tmp_path / thumbnails.DARK_FILE))
        assert Image.open(tmp_path / thumbnails.FILE).size == thumbnails.SIZE
    pictures = [digest for pair in made.values() for digest in pair]
    assert len(set(pictures)) == len(pictures)  # every one distinct, light and dark alike


def test_light_centred_diverging_maps_get_a_dark_centred_twin_with_the_same_ends() -> None:
    """RdBu's white middle would glare on a dark page: its twin is dark in the middle, red at the
    low end and blue at the high end, as RdBu is. Sequential and cyclic maps keep their colours."""
    from matplotlib import colormaps

    from gallery_builder.capture.dark_figures import dark_twin

    assert dark_twin(colormaps["RdBu"]).name.startswith("berlin_r")
    assert dark_twin(colormaps["RdBu_r"]).name.startswith("berlin")
    assert dark_twin(colormaps["PiYG"]).name.startswith("vanimo")
    for name in ("RdBu", "coolwarm", "PiYG", "BrBG", "RdYlBu"):
        twin = dark_twin(colormaps[name])
        assert max(twin(0.5)[:3]) < 0.4 and twin.get_bad()[3] == 0, name
    for name in ("viridis", "magma", "Greys", "Blues", "twilight"):
        assert dark_twin(colormaps[name]) is None, name


def test_dark_heatmap_text_contrasts_with_its_new_cell_and_masked_cells_show_the_page() -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    values = np.ma.masked_invalid(np.array([[-1.0, 0.0], [1.0, np.nan]]))
    cmap = plt.get_cmap("RdBu").copy()
    cmap.set_bad("lightgrey")
    image = ax.imshow(values, cmap=cmap, vmin=-1, vmax=1)
    middle = ax.text(1, 0, "0.0", color="black")  # black on RdBu's white middle
    end = ax.text(0, 0, "-1", color="white")  # white on its dark red end
    darken(fig)
    assert image.get_cmap().get_bad()[3] == 0
    assert to_rgba(middle.get_color())[:3] == (1.0, 1.0, 1.0)  # the middle is dark now
    assert to_rgba(end.get_color())[:3] == (0.0, 0.0, 0.0)  # berlin's ends are light
    plt.close(fig)


# -- one drawing for both PNGs (raster.py) ----------------------------------------------------------


GREY_MASKED = plt.get_cmap("viridis").with_extremes(bad="grey")


def lines_legend_and_image(layout: str | None) -> plt.Figure:
    fig, (lines, image) = plt.subplots(1, 2, figsize=(6.8, 3), layout=layout)
    lines.plot([0, 1, 2], [1, 3, 2], color="black", label="black line")
    lines.fill_between([0, 1, 2], [0, 1, 0], [1, 2, 1], color="tab:blue", alpha=0.2, label="translucent fill")
    lines.legend(loc="upper left")
    lines.set_title("a title")
    lines.set_xlabel("x label")
    shown = image.imshow(np.linspace(0, 1, 25).reshape(5, 5), cmap="viridis")
    fig.colorbar(shown, ax=image, label="value")
    image.text(2, 2, "0.5", color="white", ha="center")
    return fig


def decoded(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def on_page(rgba: np.ndarray) -> np.ndarray:
    """A dark PNG as the reader sees it: on the page's background."""
    alpha = rgba[..., 3:] / 255
    return rgba[..., :3] * alpha + np.array(DARK_BACKGROUND) * 255 * (1 - alpha)


@pytest.mark.parametrize("layout", [None, "constrained", "tight"])
def test_one_drawing_gives_the_light_png_savefig_gives(layout: str | None) -> None:
    """savefig runs a layout engine once before drawing; draw_both must lay out the same way."""
    from gallery_builder.capture.raster import draw_both, one_draw, png

    expected = decoded(png(lines_legend_and_image(layout), 2))
    figure = lines_legend_and_image(layout)
    assert one_draw(figure) == ""
    light, _ = draw_both(figure, 2)
    assert np.abs(decoded(light) - expected).max() <= 3


def test_the_dark_png_from_pixels_looks_like_a_darkened_second_drawing() -> None:
    from gallery_builder.capture.raster import darkened_png, draw_both

    figure = lines_legend_and_image("constrained")
    light, dark = draw_both(figure, 2)
    redrawn = on_page(decoded(darkened_png(figure, 2)))
    ours = on_page(decoded(dark))
    assert ours.shape == redrawn.shape
    assert (np.abs(ours - redrawn).max(axis=2) > 24).mean() < 0.01
    shown = decoded(light)
    cell = np.abs(shown[..., :3] - [68, 1, 84]).max(axis=2) < 4  # viridis's first colour
    inner = cell[4:-4, 4:-4] & cell[:-8, 4:-4] & cell[8:, 4:-4] & cell[4:-4, :-8] & cell[4:-4, 8:]
    rows, columns = np.nonzero(inner)  # 4 px from any other colour: an axes' frame is restyled
    rows, columns = rows + 4, columns + 4
    assert len(rows) > 100
    assert (decoded(dark)[rows, columns, :3] == shown[rows, columns, :3]).all()  # data keeps its colours


def test_a_translucent_fill_over_a_legend_frame_does_not_glare_in_dark() -> None:
    """Over the legend's white frame a 20% blue is a pastel; on a dark page it must be dark."""
    from gallery_builder.capture.raster import draw_both

    figure = lines_legend_and_image(None)
    light, dark = draw_both(figure, 2)
    swatch = figure.axes[0].get_legend().legend_handles[1]
    figure.canvas.draw()  # at 1x: the PNGs are at 2x
    box = swatch.get_window_extent(figure.canvas.get_renderer())
    top, bottom, left, right = (round(2 * v) for v in (300 - box.y1, 300 - box.y0, box.x0, box.x1))
    inner = (slice(top + 3, bottom - 3), slice(left + 3, right - 3))
    assert decoded(light)[inner][..., :3].min() > 150  # pale in the light PNG
    assert on_page(decoded(dark))[inner].mean() < 110  # dark in the dark one


def test_the_frame_around_an_image_turns_light_while_its_cells_keep_their_colours() -> None:
    from gallery_builder.capture.raster import draw_both

    figure, axes = plt.subplots(figsize=(3, 3))
    bar = figure.colorbar(axes.imshow(np.zeros((4, 4)), cmap="viridis", vmin=0, vmax=1))
    light, dark = draw_both(figure, 2)
    figure.canvas.draw()
    row = decoded(dark)[decoded(dark).shape[0] // 2]
    for box in (axes.get_window_extent(), bar.ax.get_window_extent()):
        left = round(2 * box.x0)  # the left edge's column at 2x
        assert lightness(tuple(row[left, :3] / 255)) > 0.8  # black in light, light on the dark page
    assert tuple(row[round(2 * axes.get_window_extent().x0) + 6, :3]) == (68, 1, 84)  # a cell: viridis at 0
    middle = round(2 * (bar.ax.get_window_extent().x0 + bar.ax.get_window_extent().x1) / 2)
    assert tuple(row[middle, :3]) == tuple(decoded(light)[decoded(light).shape[0] // 2, middle, :3])  # the bar too


def test_a_figure_drawn_again_for_dark_keeps_the_layout_of_its_light_drawing() -> None:
    """A layout engine run a second time moves the axes: the dark PNG would sit off the light one."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from gallery_builder.capture.raster import darkened_png, one_draw, png

    figure, axes = plt.subplots(figsize=(4, 3), layout="constrained")
    figure.colorbar(axes.imshow(np.eye(4) - 0.5, cmap="RdBu"), ax=axes, label="value")
    axes.set_title("a title")
    assert one_draw(figure) != ""  # RdBu: restyled, then drawn again
    png(figure, 2)
    light_position = axes.get_position().bounds
    darkened_png(figure, 2)
    assert axes.get_position().bounds == light_position
    assert isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine)  # and the engine is back


@pytest.mark.parametrize(
    ("draw", "reason"),
    [
        (lambda ax: ax.imshow(np.eye(3) - 0.5, cmap="RdBu"), "light-centred"),
        (lambda ax: ax.scatter([0, 1], [0, 1], c=[0, 1]), "PathCollection"),
        (lambda ax: ax.figure.set_facecolor("lightyellow"), "background"),
        (lambda ax: ax.imshow(np.ma.masked_equal(np.eye(3), 0), cmap=GREY_MASKED), "masked"),
    ],
)
def test_figures_pixels_cannot_restyle_are_darkened_and_drawn_again(draw, reason: str, tmp_path: Path) -> None:
    from gallery_builder.capture.raster import one_draw

    fig, ax = plt.subplots()
    draw(ax)
    assert reason in one_draw(fig)
    capture = CellCapture(tmp_path, lambda text: text)
    capture.save_open_figures()
    (output,) = capture.outputs
    assert Image.open(tmp_path / output.dark_file).getpixel((2, 2))[3] == 0  # the slower path still writes both
