"""The in-browser models of "Ask the model yourself": exported to ONNX at build time, cached,
checked against PyTorch, and published under the site's gallery/_live/ (issue 18)."""
