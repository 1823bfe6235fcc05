# The two commands a newcomer needs: `make run` and `make test` (see README).
PY      ?= python3
VENV    ?= .venv
BIN      = $(VENV)/bin
STAMP    = $(VENV)/.installed
TORCH    = torch==2.13.0

# The official TEXT2SPARQL client, in its own environment (it pins old fastapi and numpy):
# the tests compare our scores with its scores and run its `ask` against our service.
T2S      = var/t2s-venv
T2S_STAMP = $(T2S)/.installed

.PHONY: run test lint venv bench clean dictionaries

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: anything that depends on it then finds it satisfied
	# instead of pulling the CUDA build.
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -c constraints.txt -e '.[ml,service,dev]'
	touch $(STAMP)

venv: $(STAMP)

# The client is installed without its declared dependencies, and pip is told not to list the
# "conflicts" that follows (they are known and harmless for what the tests run, `ask` and the
# scoring): it declares pytrec-eval, which builds from C++ source, where pytrec-eval-terrier
# ships the same module as a wheel; fastapi and uvicorn, for a server the tests do not start;
# and numpy<2, which its scoring does not need.
T2S_PIP  = $(T2S)/bin/pip install -q --disable-pip-version-check --no-warn-conflicts

$(T2S_STAMP):
	test -x $(T2S)/bin/python || $(PY) -m venv $(T2S)
	$(T2S_PIP) --no-deps text2sparql-client pytrec-eval-terrier loguru
	$(T2S_PIP) click requests pyyaml SPARQLWrapper pydantic-settings tqdm scipy
	touch $(T2S_STAMP)

# The first run prepares the default graph (var/graphs/corporate: about 20 minutes on 2 CPU
# cores, resumed if interrupted), then serves it on http://127.0.0.1:8000/; later runs start
# in seconds.
run: $(STAMP) dictionaries
	$(BIN)/sparqlqa serve --prepare

# German and Spanish words the graph's English labels translate ("Widerstände": Resistor):
# the FreeDict dictionaries of Debian's dict-freedict-* packages (German-English,
# Spanish-English, and German-Spanish read backwards for Spanish), downloaded (no root
# needed) and unpacked into var/dictionaries (ontology/dictionary.py). GPL-licensed data,
# used, not shipped. Without apt-get or the network's package archive, linking works without.
DICTS    = var/dictionaries
dictionaries:
	@test -f $(DICTS)/freedict-deu-spa.index || { \
	    tmp=$$(mktemp -d) && cd $$tmp && \
	    apt-get download -qq dict-freedict-deu-eng dict-freedict-spa-eng dict-freedict-deu-spa >/dev/null 2>&1 && \
	    for deb in *.deb; do dpkg-deb -x $$deb x; done && cd - >/dev/null && \
	    mkdir -p $(DICTS) && cp $$tmp/x/usr/share/dictd/freedict-* $(DICTS)/ && \
	    rm -rf $$tmp && echo "dictionaries: $(DICTS)"; \
	} || echo "dictionaries: not downloaded (apt-get download failed); German and Spanish linking works without them"

test: $(STAMP) $(T2S_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy bench
	$(BIN)/lint-imports
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/kg_bench.py

clean:
	rm -rf $(VENV) build *.egg-info var
