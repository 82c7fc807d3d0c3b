"""The reader's own text, run in the browser: the embedded models exported to ONNX at build time
(export.py, run in a subprocess), cached and published with their tokenizers and licences
(publish.py), the pinned browser libraries (libraries.py) and the page code (js/). A script opts
in with `# gallery_live = "<widget>"` (models.py lists the widgets)."""
