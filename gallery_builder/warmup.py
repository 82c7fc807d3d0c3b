"""Imported once by the forkserver, before any script is forked from it.

Everything imported here is shared (copy-on-write) by every worker, so a script starts with
torch, transformers, matplotlib, seaborn and bertviz already loaded. Nothing here may start
threads or touch a model: a forked child cannot inherit running thread pools safely.

The last line moves everything imported into the garbage collector's permanent generation: a
worker's collections then never walk (and so never write to, and copy) those objects' pages.
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
import seaborn  # noqa: E402,F401
import torch  # noqa: E402,F401
import transformers  # noqa: E402,F401

# transformers imports model code lazily; resolving these classes now saves about 2 s per script.
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer  # noqa: E402,F401
from transformers.models.bert import modeling_bert  # noqa: E402,F401
from transformers.models.llama import modeling_llama  # noqa: E402,F401

gc.freeze()
