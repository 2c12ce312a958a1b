# Two commands for a newcomer: `make demo` and `make test` (see README).
# Each installs what it needs into local virtual environments.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# checkov pins many packages of its own, so it lives in a venv of its own.
INFRA_VENV := .venv-infra

.PHONY: demo test bench portal drill fuzz install install-infra clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(INFRA_VENV)/.installed: requirements-infra.txt
	$(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-infra.txt
	touch $@

# Azurite (Table/Queue emulator) for the app tests and the local demo.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Test-only Debian packages: Chromium and a font for it (the axe-core accessibility check of the e-mail)
# and poppler-utils (pdftoppm, to look at PDF pages). Installed only when missing, and only by `make test`:
# `make demo` needs no system package, no root and no Chromium (the PDF is laid out by the typst wheel).
.test-system-deps:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core poppler-utils)
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-infra: $(INFRA_VENV)/.installed

demo: $(VENV)/.installed node_modules/.installed
	$(PY) -m tools.demo

test: $(VENV)/.installed $(INFRA_VENV)/.installed node_modules/.installed .test-system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SLA_CHECKOV=$(CURDIR)/$(INFRA_VENV)/bin/checkov $(PY) -m pytest -q

# The service-level portal over Azurite with the demo data: http://127.0.0.1:7071/portal/ (Ctrl-C stops it).
portal: $(VENV)/.installed node_modules/.installed
	$(PY) -m tools.portal

bench: $(VENV)/.installed node_modules/.installed
	$(PY) -m benchmarks

# The month-end drill (README "Month-end drill"): `make drill TENANTS=400 SCENARIO=all`.
TENANTS ?= 6
SCENARIO ?= june-2026
START_DAY ?=
drill: $(VENV)/.installed node_modules/.installed
	$(PY) -m tools.drill --tenants $(TENANTS) --scenario $(SCENARIO) $(if $(START_DAY),--start-day $(START_DAY))

# The long API fuzzing run (Schemathesis against GET /api/openapi.json; the test suite runs 3 examples per operation).
FUZZ_EXAMPLES ?= 300
fuzz: $(VENV)/.installed node_modules/.installed
	SLA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/app/test_api_fuzz.py

clean:
	rm -rf $(VENV) $(INFRA_VENV) node_modules .system-deps .test-system-deps out .pytest_cache .hypothesis
