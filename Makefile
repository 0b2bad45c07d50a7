# plcase: the two commands a researcher needs are `make report` and `make test`.
# Both create the virtual environment .venv on first use and install the pinned
# versions from requirements/lock.txt, so a fresh clone reproduces the stored
# notebook outputs byte for byte.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: all report test lab clean venv benchmark

all: report

$(INSTALLED): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(INSTALLED)

venv: $(INSTALLED)

## report: execute every notebook in order; write figures/, tables/ and reports/
report: $(INSTALLED)
	$(BIN)/plcase report

## test: unit tests, docstring examples and nbval over notebooks/
test: $(INSTALLED)
	$(BIN)/python -m pytest tests plcase notebooks \
		--doctest-modules --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## lab: JupyterLab on the project's environment, notebooks/ open
lab: $(INSTALLED)
	$(BIN)/jupyter lab --notebook-dir=notebooks

benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/bench_taggers.py
	$(BIN)/python benchmarks/bench_embedding.py

clean:
	rm -rf $(VENV) reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
