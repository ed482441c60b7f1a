# Convolutions for Images: build, check and test the course site.
# Targets read like the README: `make site`, `make test`, `make refresh`.

# A Python 3.12 or newer; override with `make site PYTHON=/path/to/python3.12`.
PYTHON ?= $(firstword $(foreach p,python3.13 python3.12 python3.14 python3 \
  $(wildcard $(HOME)/.pyenv/versions/3.1[234]*/bin/python3),\
  $(shell $(p) -c 'import sys; sys.version_info >= (3, 12) and print(sys.executable)' 2>/dev/null)))

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
READY := $(VENV)/.ready
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))

# Same numbers on every machine: JAX on the CPU, no platform or debugger chatter.
export JAX_PLATFORMS := cpu
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PATH := $(BIN):$(PATH)

.PHONY: site test check-notebooks refresh assignments lock clean

site: check-notebooks  ## check every chapter's stored outputs, then build _build/html
	jupyter-book build -W -n --keep-going --quiet .

check-notebooks: $(READY)  ## re-run every chapter; stop if a cell's output differs from the stored one
	python -m pytest --nbval $(CHAPTERS) --nbval-sanitize-with tests/nbval_sanitize.cfg -q

test: site assignments  ## the whole test suite (nbval runs as part of `site`)
	python -m pytest tests -q

refresh: $(READY)  ## re-execute every chapter and store its outputs
	python tools/refresh.py $(CHAPTERS)

assignments: $(READY)  ## student notebooks and a solution-free site in _build/assignments/
	python tools/make_assignments.py

lock:  ## re-pin requirements-build.txt (with hashes) from requirements-build.in
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-header \
	  --no-emit-index-url --no-emit-find-links -o requirements-build.txt requirements-build.in

$(READY): requirements.txt requirements-build.txt
	@test -n "$(PYTHON)" || { echo "error: no Python 3.12 or newer found. Install one (e.g. 'pyenv install 3.13')" \
	  "or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "error: $(PYTHON) is older than 3.12;" \
	  "JAX needs 3.12 or newer: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements-build.txt
	touch $@

clean:
	rm -rf _build
