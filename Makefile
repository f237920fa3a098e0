# partybuild — two commands: `make run` (open the app) and `make test` (the whole suite).
# Both create .venv on first use and install the project into it.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: run test lint format bench screenshots system-deps clean

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check partybuild tests tools main.py
	$(VENV)/bin/ruff format --check partybuild tests tools main.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix partybuild tests tools main.py
	$(VENV)/bin/ruff format partybuild tests tools main.py

bench: $(STAMP)  ## make bench [BENCH="members-page excel"]
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.benchmarks $(BENCH)

$(STAMP): pyproject.toml
	@sh tools/install-system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

system-deps:
	@sh tools/install-system-deps.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
