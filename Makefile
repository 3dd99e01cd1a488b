# Two commands do everything on a fresh machine:
#   make lab   - create .venv, install, build, start JupyterLab with notebook-skills
#   make test  - install everything (incl. Debian chromium) and run every test layer
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
JLPM := $(BIN)/jlpm
STAMP := $(VENV)/.installed
LAB_PORT ?= $(shell $(PYTHON) -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
UI_STAMP := $(VENV)/.ui-installed
JS_STAMP := node_modules/.installed
LABEXT := notebook_skills/labextension/package.json
JS_SOURCES := $(shell find src style schema -type f -not -path '*/__tests__/*' 2>/dev/null) package.json tsconfig.json
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# the hatch build hook runs `jlpm`, which lives in the venv
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test install build test-python test-js test-ui demo screenshots bench clean chromium lint dist test-dist

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(BIN)/pip install -q "jupyterlab>=4.6,<4.7" "hatchling>=1.5" "hatch-jupyter-builder>=0.5" "hatch-nodejs-version>=0.3.2" editables
	@# an earlier editable install wrote install.json through the `labextension develop` link
	rm -f notebook_skills/labextension/install.json
	$(BIN)/pip install -q --no-build-isolation -e ".[test,lint,dist]"
	touch $(STAMP)

install: $(STAMP)

# JS dependencies + the labextension, rebuilt when src/, style/ or schema/ change, and
# linked into the venv so `jupyter lab` serves the fresh build.
$(JS_STAMP): package.json yarn.lock | $(STAMP)
	$(JLPM) install
	touch $(JS_STAMP)

$(LABEXT): $(JS_STAMP) $(JS_SOURCES)
	$(JLPM) build
	$(BIN)/jupyter labextension develop --overwrite . >/dev/null
	touch $(LABEXT)

build: $(LABEXT)

lab: build
	@echo "Starting JupyterLab with notebook-skills on http://127.0.0.1:$(LAB_PORT)/lab"
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) $(ROOT_FLAG)

test-python: install
	$(PY) -m pytest -q -p no:cacheprovider

test-js: $(JS_STAMP)
	$(JLPM) test

# Debian's chromium for the browser tests (never a Playwright browser download).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; \
	fi

$(UI_STAMP): ui-tests/requirements.txt | $(STAMP)
	$(BIN)/pip install -q -r ui-tests/requirements.txt
	touch $(UI_STAMP)

test-ui: build chromium $(UI_STAMP)
	$(PY) -m pytest -c ui-tests/pytest.ini ui-tests

# Regenerate docs/images/*.png (panel, import dialog, detail view; light and dark).
screenshots: build chromium $(UI_STAMP)
	SCREENSHOT_DIR=$(CURDIR)/docs/images $(PY) -m pytest -c ui-tests/pytest.ini ui-tests -k screenshots

# Offline playground: fake GitHub (HTTPS) with sample repos + JupyterLab, state in .demo/.
demo: build
	$(PY) ui-tests/demo.py

# ruff (Python), eslint and prettier (TypeScript, CSS); configs in pyproject.toml,
# eslint.config.mjs and package.json.
lint: install $(JS_STAMP)
	$(BIN)/ruff check notebook_skills tests ui-tests benchmarks
	$(JLPM) lint:check

# sdist + wheel exactly as a release builds them (`python -m build`'s default): the sdist
# from the tree, then the wheel from the unpacked sdist in pip's isolated build environment
# (build-system.requires only), so the wheel always carries a fresh production build of
# the frontend made from what the sdist ships, never from the developer's tree.
BUILD_DIST = PIP_NO_COMPILE=1 $(PY) -m build --outdir
dist: install
	rm -rf dist
	$(BUILD_DIST) dist .

# `make dist` into a scratch directory, then .ci/check-dist on both: the sdist's content
# (sources in, build output and local state out) and the wheel (a production build),
# installed into a clean venv next to JupyterLab with both extensions listed OK.
TEST_DIST := $(VENV)/test-dist
test-dist: install
	rm -rf $(TEST_DIST)
	$(BUILD_DIST) $(TEST_DIST) .
	PYTHON=$(PY) .ci/check-dist $(TEST_DIST)

test: install build chromium $(UI_STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-js
	$(MAKE) --no-print-directory test-ui
	$(MAKE) --no-print-directory test-dist

clean:
	rm -rf $(VENV) node_modules lib notebook_skills/labextension notebook_skills/_version.py ui-tests/node_modules dist
