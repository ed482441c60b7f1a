# Convolutions for Images: build, check and test the course site.
# Targets read like the README: `make site`, `make test`, `make refresh`.

# A Python 3.12 or newer; override with `make site PYTHON=/path/to/python3.12`. Never a virtual
# environment's interpreter: with .venv/bin first on PATH, `python3` is .venv's own, and the recipe of
# $(READY) deletes .venv before it runs $(PYTHON). A venv's interpreter names its base one
# (sys._base_executable, which outside a venv is sys.executable), so that is the one taken.
# Looked for once, at the first use ($(eval) replaces the variable with its value): `make clean`
# or `make -n` starts no Python, and no recipe starts the search again.
PYTHON_PROBE := 'import sys; sys.version_info >= (3, 12) and print(getattr(sys, "_base_executable", sys.executable))'
PYTHON ?= $(eval PYTHON := $$(firstword $$(foreach p,python3.13 python3.12 python3.14 python3 \
  $$(wildcard $$(HOME)/.pyenv/versions/3.1[234]*/bin/python3),\
  $$(shell $$(p) -c $$(PYTHON_PROBE) 2>/dev/null))))$(PYTHON)

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
READY := $(VENV)/.ready
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))

# Same numbers on every machine: JAX on the CPU, no platform or debugger chatter, and matplotlib's
# settings and font cache in the environment (not a user's matplotlibrc, nor ~/.cache, which may be
# missing or read-only: matplotlib's warning about it would differ from the stored outputs).
export JAX_PLATFORMS := cpu
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib
export PATH := $(BIN):$(PATH)
# The record of the last nbval run, shown on the "How this site was checked" page (_ext/this_build.py);
# a build without it, such as a plain `jupyter-book build .`, ran no check and its page says so.
export EXECUTION_REPORT := $(CURDIR)/_build/reports/execution.md

# The PDF needs a Chromium, the slides npm: each is empty when found, else says what is missing and
# how to add it. `make site` skips what it cannot build with that line; `make pdf` and `make slides` fail.
# Each is found once, at its first use, not at parse time: only the targets that need a browser or
# npm start tools/offline_browser.py, and each at most once however many lines read the answer.
FIND = $(or $(PYTHON),python3) tools/offline_browser.py
NO_CHROMIUM = $(eval NO_CHROMIUM := $$(shell $$(FIND) chromium))$(NO_CHROMIUM)
NO_NPM = $(eval NO_NPM := $$(shell $$(FIND) npm))$(NO_NPM)

.PHONY: site update-screenshots pdf slides has-chromium has-npm test test-tools check check-book check-notebooks lint format refresh assignments colab-check stability bench lock clean publish edition

site: check-notebooks  ## check every chapter's stored outputs, then build _build/html with the PDF and slides in it
	python tools/execution_report.py
	rm -f _build/html/checked-by-make-site.json  # the stamp of the last checked site (tools/publish.py)
	rm -rf _build/html/book.pdf _build/html/slides _build/reports/offline.json  # the home page links only the copies this build adds
	@if [ -z "$(NO_CHROMIUM)" ]; then $(MAKE) --no-print-directory pdf && mkdir -p _build/html && cp _build/pdf/book.pdf _build/html/; \
	  else echo "skipped the PDF: $(NO_CHROMIUM)" >&2; fi
	@if [ -z "$(NO_NPM)" ]; then $(MAKE) --no-print-directory slides && mkdir -p _build/html && cp -r _build/slides _build/html/slides; \
	  else echo "skipped the slides: $(NO_NPM)" >&2; fi
	jupyter-book build -W -n --keep-going --quiet --all .  # --all: sitemap.xml lists only the pages a build writes
	python tools/publish.py stamp  # last: only a site that passed every step above can be published

has-chromium:
	@test -z "$(NO_CHROMIUM)" || { echo "error: cannot print the PDF: $(NO_CHROMIUM)" >&2; exit 1; }

has-npm:
	@test -z "$(NO_NPM)" || { echo "error: cannot build the slides: $(NO_NPM)" >&2; exit 1; }

pdf: has-chromium $(READY)  ## the whole book as one PDF, _build/pdf/book.pdf (printed by Chromium, offline)
	jupyter-book build -W -n --keep-going --quiet --builder singlehtml .
	python tools/make_pdf.py

# reveal.js, axe-core and Biome, pinned with their hashes in package-lock.json, installed into _build/npm
REVEAL := _build/npm/node_modules/reveal.js/package.json
BIOME := _build/npm/node_modules/.bin/biome
slides: has-npm $(READY) $(REVEAL)  ## one reveal.js deck per chapter in _build/slides (cells chosen by slideshow metadata)
	python tools/make_slides.py

# axe-core, the browser tests' accessibility audit, is pinned beside reveal.js; this moves the pin to its newest release
.PHONY: update-axe
update-axe: has-npm  ## pin the newest axe-core in package.json and package-lock.json (with its hash); the next make installs it
	npm install --package-lock-only --save-exact --no-audit --no-fund axe-core@latest
	@grep -A1 '"node_modules/axe-core"' package-lock.json | tail -1

$(REVEAL) $(BIOME) &: package.json package-lock.json
	mkdir -p _build/npm && cp package.json package-lock.json _build/npm/
	cd _build/npm && npm ci --no-audit --no-fund --loglevel=error
	touch $(REVEAL) $(BIOME)

check-book: $(READY)  ## stop early, with one clear message, on a broken notebook, _toc.yml or _config.yml
	@python tools/check_book.py

# Outputs are stored by `make refresh` with all threads; they are checked with XLA single-threaded,
# two chapters at a time, so every build also shows that they do not depend on threads.
# The heaviest chapters start first, so that the two workers finish together: BY_COST orders
# CHAPTERS by the last nbval run's times (tools/book.py; in `make test`, colab-check's run of the
# minute before), and --no-loadscope-reorder keeps that order (pytest-xdist would sort the files
# by their number of cells).
ONE_THREAD := XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
PARALLEL := -n 2 --dist loadfile --no-loadscope-reorder
BY_COST = $$(python tools/book.py heaviest-first $(CHAPTERS))

check-notebooks: check-book  ## re-run every chapter; stop if a cell's output differs from the stored one
	@$(ONE_THREAD) python -m pytest --nbval $(PARALLEL) $(BY_COST) --nbval-sanitize-with tests/nbval_sanitize.cfg -q \
	  --junitxml=_build/reports/nbval.xml || { echo "error: a fresh run of a chapter differs from its stored outputs (chapter, cell and difference" \
	  "above). Fix the code, or if the new output is intended, store it with 'make refresh'." >&2; exit 1; }

TEST_START := $(shell date +%s)
# The steps of `test` run one after another, in the order written (under `make -j` they would run at
# once: two nbval runs and two execution reports writing _build/reports together). GNU make 4.4 keeps
# the rest of the Makefile parallel; make 4.3 and older run all of it serially under .NOTPARALLEL.
# One step is parallel on purpose: once the chapters are checked, the site (its builds are
# single-threaded Sphinx and the PDF's printing) and the student site (nbgrader's release and another
# Sphinx build, in _build/assignments and _build/course, which the site does not touch) are built
# at once, one per core. Both write the same execution report first (tools/execution_report.py
# replaces the file whole), and neither remakes .venv or the check (-o).
.NOTPARALLEL: test
# colab-check before site and assignments: their execution page (tools/execution_report.py) shows this run's Colab result
SUBMAKE = $(MAKE) --no-print-directory -o $(READY) -o check-notebooks
test: test-tools lint colab-check check-notebooks  ## the whole test suite
	@mkdir -p _build/reports; echo "make assignments, beside make site: its output follows the site's"
	@$(SUBMAKE) assignments > _build/reports/assignments.log 2>&1 & students=$$!; \
	  $(SUBMAKE) site; site=$$?; wait $$students; assignments=$$?; \
	  cat _build/reports/assignments.log; test $$site = 0 -a $$assignments = 0
	python -m pytest tests -n 2 --dist loadscope --no-loadscope-reorder -q --durations=8  # a file, or a class, per worker, longest first (tests/conftest.py)
	@echo "First-visit bytes per page, raw and gzip, and the heaviest chapter against its budget (_build/reports/page-weight.json):"; cat _build/reports/page-weight.json 2>/dev/null || echo "(none: the browser tests were skipped)"
	@echo; echo "axe-core's findings per page (_build/reports/axe.json):"; cat _build/reports/axe.json 2>/dev/null || echo "(none: the browser tests were skipped)"
	@echo; echo "PDF pages and bytes, slides per chapter (_build/reports/offline.json):"; cat _build/reports/offline.json 2>/dev/null || echo "(none: no PDF or slides were built)"
	@python tools/suite_report.py $(TEST_START)

# The visual check's references (tests/screenshots/), rewritten from the site as built now: look at them before committing
update-screenshots: site  ## rewrite tests/screenshots/ from the built site (a layout change made on purpose)
	VISUAL_UPDATE=1 python -m pytest tests/test_visual.py -q -p no:xdist

# Under CI every test must run: stop at once if a Chromium or npm is missing. Locally the tests
# that need them are skipped, and the test summary says how many and why (tests/conftest.py).
test-tools:
	@test -z "$$CI" || test -z "$(NO_CHROMIUM)$(NO_NPM)" || { echo "error: CI runs every test, and the PDF," \
	  "slides and browser tests need what is missing here: $(strip $(NO_CHROMIUM) $(NO_NPM))" >&2; exit 1; }

check: check-book lint  ## in seconds: the book's structure, static checks of the chapters, unit tests of the shared code
	python -m pytest tests -m static -q -p no:xdist

# The explorables' JavaScript (chapters/_shared/explorables/*.js) is formatted and linted by Biome (biome.json),
# pinned in package-lock.json: without npm it is skipped with a message (under CI, test-tools stops first).
JS := chapters/_shared/explorables
lint: $(READY)  ## every Python file formatted and linted by ruff (the chapters at 79 characters a line), the JavaScript by Biome
	@ruff format --check --quiet || { echo "error: a Python file is not formatted (files above): run 'make format'," \
	  "then 'make refresh' if a shared snippet changed" >&2; exit 1; }
	ruff check --quiet
	@if [ -z "$(NO_NPM)" ]; then $(MAKE) --no-print-directory $(BIOME) >/dev/null && \
	  { $(BIOME) ci --error-on-warnings $(JS) || { echo "error: the explorables' JavaScript is not formatted or not clean (above):" \
	  "run 'make format', then 'make refresh' on the chapters that carry it" >&2; exit 1; }; }; \
	  else echo "skipped the JavaScript check: $(NO_NPM)" >&2; fi

format: $(READY)  ## format every Python file with ruff and the JavaScript with Biome (then `make refresh` if chapters/_shared changed)
	ruff format
	ruff check --fix
	@if [ -z "$(NO_NPM)" ]; then $(MAKE) --no-print-directory $(BIOME) >/dev/null && $(BIOME) check --write $(JS); \
	  else echo "skipped the JavaScript: $(NO_NPM)" >&2; fi

refresh: $(READY)  ## re-execute every chapter and store its outputs
	python tools/refresh.py $(CHAPTERS)

COURSE ?= _build/course
assignments: $(READY)  ## release every chapter with nbgrader into COURSE; student notebooks and site in _build/assignments/
	python tools/execution_report.py  # the student site has the execution page too (works before any nbval run)
	python tools/make_assignments.py $(COURSE)

# Online: push the site `make site` checked (and only that) to the gh-pages branch of REMOTE with
# ghp-import; pack a term's edition (site, PDF, slides, student notebooks) for a release.
REMOTE ?= origin
publish: $(READY)  ## push the checked _build/html to REMOTE's gh-pages branch (refuses a site `make site` did not check)
	@python tools/publish.py push $(REMOTE)

EDITION ?= _build/edition
edition: $(READY)  ## pack the checked site, the PDF, the slides and the student notebooks into EDITION (a release's files)
	@python tools/publish.py edition $(EDITION)

bench: $(READY)  ## time chapter 7's convolutions on this machine; table on screen, _build/bench/results.json
	python tools/bench.py

# Colab's preinstalled versions, pinned in requirements-colab.txt: do the chapters still run there?
COLAB := .venv-colab
colab-check: $(COLAB)/.ready  ## nbval on every chapter with Colab's own versions: every output but the figures compared
	@mkdir -p _build/reports && cat tests/nbval_sanitize.cfg tests/nbval_figures.cfg > _build/reports/nbval-colab.cfg
	@$(ONE_THREAD) $(COLAB)/bin/python -m pytest --nbval --nbval-current-env $(PARALLEL) $(BY_COST) -q \
	  --nbval-sanitize-with _build/reports/nbval-colab.cfg --junitxml=_build/reports/colab-nbval.xml || { echo "error: with" \
	  "Colab's versions (requirements-colab.txt) a chapter's output differs from the page (above): a learner in Colab" \
	  "would see other numbers. Make the chapter's output the same in both environments." >&2; exit 1; }
	$(COLAB)/bin/python tools/colab_check.py _build/reports/colab-nbval.xml

$(COLAB)/.ready: requirements-colab.txt $(READY)
	rm -rf $(COLAB) && $(PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements-colab.txt
	touch $@

stability:  ## nbval three times in a row (XLA single-threaded, like every build)
	for run in 1 2 3; do $(MAKE) --no-print-directory check-notebooks || exit 1; done

# pip-tools runs from its own throwaway environment, not from .venv (whose packages are exactly the
# pins), and a requirements file is replaced only when its pins change. So `make lock` with nothing
# new leaves both environments as they are; a changed pin rebuilds .venv (and .venv-colab) from
# scratch at the next make, on purpose: the environments are always exactly the files.
LOCK_VENV := _build/lock
LOCK = $(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-header \
  --no-emit-index-url --no-emit-find-links
# $(call RELOCK,OUTPUT,INPUT AND OPTIONS): pip-compile into a copy of OUTPUT (it keeps OUTPUT's pins
# where they still fit), then OUTPUT takes the copy only if it differs.
RELOCK = { test ! -f $(1) || cp $(1) $(LOCK_VENV)/$(1); } && $(LOCK) -o $(LOCK_VENV)/$(1) $(2) && \
  { cmp -s $(LOCK_VENV)/$(1) $(1) && echo "$(1): unchanged" || cp $(LOCK_VENV)/$(1) $(1); }
lock:  ## re-pin the requirements*.txt files (exact versions, with hashes) from requirements*.in
	@test -n "$(PYTHON)" || { echo "error: no Python 3.12 or newer found: make lock PYTHON=/path/to/python3.12" >&2; exit 1; }
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q --disable-pip-version-check pip-tools
	$(call RELOCK,requirements-build.txt,requirements-build.in)
	$(call RELOCK,requirements.txt,-c requirements-build.txt requirements.in)  # Binder: the same versions
	$(call RELOCK,requirements-colab.txt,requirements-colab.in)

$(READY): requirements.txt requirements-build.txt
	@test -n "$(PYTHON)" || { echo "error: no Python 3.12 or newer found. Install one (e.g. 'pyenv install 3.13')" \
	  "or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "error: $(PYTHON) is older than 3.12;" \
	  "JAX needs 3.12 or newer: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; exit 1; }
	@case "$$($(PYTHON) -c 'import sys; print(sys.prefix)')" in "$(CURDIR)/$(VENV)"*) echo "error: $(PYTHON) runs" \
	  "from $(VENV), which this step deletes and rebuilds: name a Python outside it, e.g. make $(MAKECMDGOALS)" \
	  "PYTHON=$$($(PYTHON) -c 'import sys; print(sys._base_executable)')" >&2; exit 1;; esac
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)  # from scratch: an interrupted install is never trusted
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements-build.txt
	touch $@

clean:
	rm -rf _build
