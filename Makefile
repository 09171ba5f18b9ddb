# The companion's commands. Every target that needs Python bootstraps .venv by itself
# from the pinned lock (requirements.txt); nothing has to be installed by hand.
#
#   make reproduce   run every notebook (papermill) and regenerate data/derived and figures
#   make test        run the test suite
#   make test-matrix the cross-machine checks: full runs under emulated CPUs (CI runs it too)
#   make lab         JupyterLab on notebooks/ with the project kernel
#   make html        the companion website in build/html (Sphinx over the executed notebooks;
#                    open build/html/index.html, no network or server needed); `make site` too
#   make bench       print the benchmark figures
#   make slides      notebook 07 as reveal.js slides (build/slides/), for teaching; works offline
#   make vendor      refetch vendor/ (reveal.js, KaTeX) from npm; only to change their versions
#   make clean       remove build/ (and caches); `make distclean` also removes .venv

SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c
# Supported Pythons. The interpreter that creates .venv is PYTHON3 when given
# (`PYTHON3=python3.12 make reproduce`), else the first supported one of python3, python3.13,
# python3.12, python3.11 on PATH.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
PYTHON3 ?=
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PIP     := $(PY) -m pip --disable-pip-version-check --no-input -q
# The installer: uv, from its wheel on the package index, put by the base Python's pip into
# build/tools (shared with `make lock`; not into .venv, which then needs no pip at all). The one
# pin of its version.
UV_VERSION := 0.13.9
TOOLS   := build/tools
UV      := $(TOOLS)/bin/uv
QUIET   := 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }
ARGS    ?=

.PHONY: reproduce test test-matrix lab html site bench slides vendor clean distclean env lock

env: $(STAMP)

# Put the pinned uv into $(TOOLS) with the pip of the Python $(1), unless it is there already
# (a shell command; on failure $(TOOLS) is left as it was and the caller sees no uv there).
define fetch_uv
test "$$($(UV) --version 2>/dev/null | cut -d' ' -f2)" = "$(UV_VERSION)" || { \
	  echo "fetching uv $(UV_VERSION) into $(TOOLS) (with $(1)'s pip, from the package index)"; \
	  rm -rf $(TOOLS).part; \
	  PIP_ROOT_USER_ACTION=ignore $(1) -m pip --disable-pip-version-check --no-input -q install --no-deps \
	    --no-compile --only-binary :all: --target $(TOOLS).part uv==$(UV_VERSION) $(QUIET) && test -x $(TOOLS).part/bin/uv && \
	    rm -rf $(TOOLS) && mv $(TOOLS).part $(TOOLS); rm -rf $(TOOLS).part; }
endef

# Recreated when missing, or when the lock or the package metadata changed since the last install.
$(STAMP): requirements.txt pyproject.toml
	@for p in $(or $(PYTHON3),python3 python3.13 python3.12 python3.11); do \
	  out=$$($$p -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.executable)' 2>/dev/null) || continue; \
	  v=$${out%% *}; case " $(SUPPORTED_PYTHONS) " in *" $$v "*) py=$$p; exe=$${out#* }; break;; esac; \
	  echo "$$p is Python $$v; the companion supports Python $(SUPPORTED_PYTHONS)" >&2; \
	done; \
	test -n "$$py" || { echo "error: no supported Python found (tried: $(or $(PYTHON3),python3 python3.13 python3.12 python3.11))." >&2; \
	  echo "The companion supports Python $(SUPPORTED_PYTHONS); name one with e.g. PYTHON3=python3.12 make reproduce" >&2; exit 1; }; \
	$(call fetch_uv,$$py); \
	if test -x $(UV); then \
	  test -x $(PY) || { echo "creating $(VENV) with $$py (Python $$v)"; \
	    $(UV) venv --quiet --python "$$exe" $(VENV); } && \
	  echo "installing the pinned lock into $(VENV) with uv (requirements.txt; exactly the lock, nothing else)" && \
	  $(UV) pip sync --quiet --python $(PY) requirements.txt || exit 1; \
	  editable() { $(UV) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .; }; \
	else \
	  echo "uv $(UV_VERSION) could not be installed: installing the pinned lock with pip instead (slower, about a minute)"; \
	  { test -x $(PY) || { echo "creating $(VENV) with $$py (Python $$v)"; $$py -m venv $(VENV); }; } && \
	  { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip -q; } && \
	  $(PIP) install -r requirements.txt $(QUIET) || exit 1; \
	  editable() { $(PIP) install --no-deps --no-build-isolation -e . $(QUIET); }; \
	fi; \
	{ editable && $(PY) -m ipykernel install --sys-prefix --name collabcomm --display-name "Python (collabcomm)" >/dev/null; } & side=$$!; \
	PYTHONPATH=lib $(PY) -m collabcomm.pipeline.warm; warm=$$?; wait $$side && test $$warm = 0
	@touch $(STAMP)

reproduce: $(STAMP)
	$(PY) -m collabcomm run $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(ARGS)

test-matrix: $(STAMP)
	$(PY) -m pytest -m matrix $(ARGS)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ARGS)

html: $(STAMP)
	$(PY) -m collabcomm html $(ARGS)
	@echo "open build/html/index.html in a browser (no network or server needed)"

site: html

bench: $(STAMP)
	$(PY) -m collabcomm bench $(ARGS)

slides: $(STAMP)
	$(PY) -m collabcomm slides $(ARGS)
	@echo "open build/slides/07_classroom_power.slides.html in a browser (no network needed)"

# Refetch the vendored reveal.js and KaTeX (vendor/update.sh: exact npm versions, checked
# against their sha256). Needs the npm registry; `make slides` and `make html` only ever use
# the committed copies in vendor/.
vendor:
	bash vendor/update.sh

# Regenerate the lock (requirements.txt) from requirements.in for every supported Python at once,
# with the pinned uv in build/tools (as `make env` puts it there). Needs the package index.
lock:
	@$(call fetch_uv,$(or $(PYTHON3),python3)); test -x $(UV)
	$(UV) pip compile --universal --python-version 3.11 requirements.in \
	  -o requirements.txt --custom-compile-command "make lock"

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
