# Two commands do all set-up on a fresh machine with only Python 3.11:
#   make demo   - local demo (Bot API emulator + web chat + bot + SQLite), no token needed
#   make test   - the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_PORT ?= 8081

.PHONY: demo test lint bench eval fuzz chaos clean venv peers

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

# Evaluation also needs scikit-learn for the TF-IDF + LinearSVC baseline printed beside ours.
EVAL_STAMP := $(VENV)/.installed-eval
SHARED_DATA ?= ../shared/data

$(EVAL_STAMP): requirements-eval.lock $(STAMP)
	$(PY) -m pip install --quiet -r requirements-eval.lock
	touch $(EVAL_STAMP)

# Our own held-out deputy reports (department-labelled) with the shipped model, then 5-fold CV on
# the shared data: dev.tsv's 7 categories beside the baseline, dept_dev.tsv's departments.
eval: $(EVAL_STAMP)
	$(PY) -m classifiers eval evaluation/deputy_reports.tsv
	$(PY) -m classifiers eval --cv 5 --baseline $(SHARED_DATA)/dev.tsv
	$(PY) -m classifiers eval --cv 5 --baseline $(SHARED_DATA)/dept_dev.tsv

demo: $(STAMP)
	$(PY) -m bot demo --port $(DEMO_PORT)

test: $(STAMP) peers
	$(PY) -m pytest $(PYTEST_ARGS)

# Third-party peers the suite runs the bot against (tests/peers/): telegram-test-api from npm,
# pinned by its committed package-lock.json. Without Node/npm the peer test skips, saying so.
PEER_TTA := tests/peers/telegram-test-api
PEER_TTA_STAMP := $(PEER_TTA)/node_modules/.installed

peers:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(PEER_TTA_STAMP); \
	else echo "npm not found: tests/peers will be skipped (install Node 20 and npm)"; fi

$(PEER_TTA_STAMP): $(PEER_TTA)/package-lock.json $(PEER_TTA)/package.json
	cd $(PEER_TTA) && npm ci --no-audit --no-fund --prefer-offline
	touch $(PEER_TTA_STAMP)

# schemathesis over intake/openapi.yaml with >= 5,000 generated requests (make test runs ~400).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=450 $(PY) -m pytest -q -s tests/fuzz

# The delivery path as real processes on PostgreSQL (2 workers, the intake, the web app), 1,000
# reports through outages, kill -9 and callback storms; prints the table (make test runs 100).
chaos: $(STAMP)
	$(PY) -m chaos

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) $(PEER_TTA)/node_modules data/*.sqlite3 .pytest_cache .mypy_cache .ruff_cache
