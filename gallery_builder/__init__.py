"""Build a gallery of Transformer internals from plain Python scripts (see build.py for the map)."""

__version__ = "0.1.0"
