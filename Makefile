# plcase: the two commands a researcher needs are `make report` and `make test`.
# Both create the virtual environment .venv on first use and install the pinned
# versions from requirements/lock.txt, so a fresh clone reproduces the stored
# notebook outputs byte for byte.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: all report notebooks test fuzz lab clean venv benchmark bench

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

## test: unit tests, docstring examples and nbval over notebooks/; the whole report on the
## real Mannheimer study (one long single-threaded job) runs beside them on the second core
REAL_STUDY_TEST = tests/test_mannheimer_report.py::test_the_whole_report_runs_on_the_real_study
test: $(INSTALLED)
	@log=$$(mktemp); \
	$(BIN)/python -m pytest $(REAL_STUDY_TEST) -p no:cacheprovider -q -rA >$$log 2>&1 & real=$$!; \
	$(BIN)/python -m pytest tests plcase notebooks \
		--doctest-modules --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider \
		--deselect $(REAL_STUDY_TEST); suite=$$?; \
	wait $$real; real_rc=$$?; \
	echo "--- $(REAL_STUDY_TEST) (run beside the suite):"; cat $$log; rm -f $$log; \
	test $$suite -eq 0 && test $$real_rc -eq 0

## fuzz: property-based tests of every reader, 1,000+ seeded-at-random cases each
## (`make test` runs the same tests with a small, derandomized set)
fuzz: $(INSTALLED)
	PLCASE_FUZZ=ci $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -q

## lab: JupyterLab on the project's environment, notebooks/ open
lab: $(INSTALLED)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

## bench: every benchmark (not part of make test); writes benchmarks/RESULTS.md
bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_district.py
	$(BIN)/python benchmarks/bench_read_responses.py
	$(BIN)/python benchmarks/bench_taggers.py
	$(BIN)/python benchmarks/agreement_bootstrap.py
	$(BIN)/python benchmarks/agreement_units.py
	$(BIN)/python benchmarks/bench_embedding.py

benchmark: bench

clean:
	rm -rf $(VENV) .venv-latest reports .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
