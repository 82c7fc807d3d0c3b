"""mkdocs-gen-files entry point: build the gallery pages from gallery_src/ (see gallery_builder)."""

from pathlib import Path

from gallery_builder.site import generate

generate(Path(__file__).resolve().parent.parent)
