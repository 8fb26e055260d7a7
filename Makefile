# The README's two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint bench demo format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@# The distribution was called pyagent before it became pyagent-voice: drop an old editable install of it.
	@if $(BIN)/python -m pip show --quiet pyagent >/dev/null 2>&1; then $(BIN)/python -m pip uninstall --quiet -y pyagent; fi
	$(BIN)/python -m pip install --quiet -e '.[dev,speech]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict pyagent

test: lint
	$(BIN)/pytest -q

# The benchmarks' baselines: bare aiohttp and picows clients (the `bench` extra), and openai-agents in a virtual
# environment of its own (it pins websockets below the version pyagent is tested with).
PEER := .venv-peer
BENCH_STAMP := $(VENV)/.bench-installed
PEER_STAMP := $(PEER)/.installed

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,speech,bench]'
	touch $(BENCH_STAMP)

$(PEER_STAMP):
	$(PYTHON) -m venv $(PEER)
	$(PEER)/bin/python -m pip install --quiet --upgrade pip
	$(PEER)/bin/python -m pip install --quiet 'openai-agents>=0.24'
	touch $(PEER_STAMP)

bench: $(BENCH_STAMP) $(PEER_STAMP)
	$(BIN)/python -m benchmarks

demo: $(STAMP)
	$(BIN)/python -m pyagent.demo

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(PEER) .mypy_cache .pytest_cache .ruff_cache build dist *.egg-info out
