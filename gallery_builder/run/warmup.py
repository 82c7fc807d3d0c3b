"""Imported once by the forkserver, before any script is forked from it.

Everything imported here is shared (copy-on-write) by every worker, so a script starts with
torch, transformers, matplotlib and bertviz already loaded. seaborn is not among them: with
pandas and scipy it costs 0.4 s and 50 MB, on the path of every build's first script, for
the one script of the gallery that uses it, which imports it itself. Nothing here may start
threads or touch a model: a forked child cannot inherit running thread pools safely.

The last lines draw one small figure (fonts and glyphs load once, not in every worker) and move
everything imported into the garbage collector's permanent generation: a worker's collections
then never walk (and so never write to, and copy) those objects' pages.
"""

import gc

import matplotlib

matplotlib.use("Agg")

import bertviz  # noqa: E402,F401
import huggingface_hub  # noqa: E402,F401
import IPython.core.interactiveshell  # noqa: E402,F401
import matplotlib.pyplot  # noqa: E402,F401
import numpy  # noqa: E402,F401
import safetensors.torch  # noqa: E402,F401
import torch  # noqa: E402,F401
import transformers  # noqa: E402,F401

# transformers imports model code lazily; resolving these classes now saves about 2 s per script.
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer  # noqa: E402,F401
from transformers.models.bert import modeling_bert  # noqa: E402,F401
from transformers.models.llama import modeling_llama  # noqa: E402,F401

# The first from_pretrained of a process compiles about a thousand checkpoint-renaming patterns
# (0.05 s); built here once, they are shared by every worker. No model is touched.
transformers.conversion_mapping.get_checkpoint_conversion_mapping("bert")


def _draw_once() -> None:
    """Draw a small figure off-screen (no pyplot state): the font look-ups, glyphs and colormaps
    it loads are then shared by every worker, instead of loaded by each (about 0.15 s each)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title("warm-up")
    axes.set_xlabel("x")
    axes.text(0.5, 0.5, "0.12", fontsize=8)
    figure.colorbar(axes.imshow(numpy.zeros((2, 2)), cmap="viridis"), ax=axes)
    axes.plot([0, 1], [0, 1], label="line")
    axes.legend()
    figure.savefig(io.BytesIO(), format="png", dpi=200)


_draw_once()
gc.freeze()
