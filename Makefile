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

.PHONY: lab test install test-python test-js test-ui demo bench clean chromium

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(BIN)/pip install -q "jupyterlab>=4.6,<4.7" "hatchling>=1.5" "hatch-jupyter-builder>=0.5" editables
	$(BIN)/pip install -q --no-build-isolation -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

lab: install
	@echo "Starting JupyterLab with notebook-skills on http://127.0.0.1:$(LAB_PORT)/lab"
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) $(ROOT_FLAG)

test-python: install
	$(PY) -m pytest -q -p no:cacheprovider

test: test-python

clean:
	rm -rf $(VENV) node_modules lib notebook_skills/labextension ui-tests/node_modules
