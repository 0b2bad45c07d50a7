# plcase: the two commands a researcher needs are `make report` and `make test`.
# Both create the virtual environment .venv on first use and install the pinned
# versions from requirements/lock.txt, so a fresh clone reproduces the stored
# notebook outputs byte for byte.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: all report notebooks test lab clean venv benchmark

# Extra arguments for `jupyter lab`, e.g. LAB_ARGS="--allow-root --no-browser --port 8899" as root.
LAB_ARGS ?=

all: report

$(INSTALLED): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(INSTALLED)

venv: $(INSTALLED)

## report: execute every notebook on the sample into reports/ (the repository is not touched)
report: $(INSTALLED)
	$(BIN)/plcase report

## notebooks: developers only: refresh the committed notebooks/ outputs, figures/ and tables/
notebooks: $(INSTALLED)
	$(BIN)/plcase report --in-place

## test: unit tests, docstring examples and nbval over notebooks/
test: $(INSTALLED)
	$(BIN)/python -m pytest tests plcase notebooks \
		--doctest-modules --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## lab: JupyterLab on the project's environment, notebooks/ open
lab: $(INSTALLED)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

benchmark: $(INSTALLED)
	$(BIN)/python benchmarks/bench_taggers.py

clean:
	rm -rf $(VENV) .venv-latest reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
