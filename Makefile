# The two commands a newcomer needs: `make run` and `make test` (see README).
PY      ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed
TORCH    = torch==2.13.0

.PHONY: run test lint venv bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: anything that depends on it then finds it satisfied
	# instead of pulling the CUDA build.
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[ml,service,dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/sparqlqa kg load
	$(BIN)/sparqlqa kg query "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/kg_bench.py

clean:
	rm -rf $(VENV) build *.egg-info var
