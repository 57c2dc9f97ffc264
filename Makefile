# The two commands of the README: `make build` and `make test`. Both set up .venv themselves.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DBT_ARGS := --project-dir . --profiles-dir .

.PHONY: build test lint examples install clean

build: $(INSTALLED)  ## install, build the demo warehouse, print the headline figures
	$(PYTHON) scripts/nrr.py build

test: $(INSTALLED) lint  ## everything CI checks: lint, then the pytest suite (dbt builds, data and unit tests, examples)
	$(PYTHON) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check scripts tests
	$(VENV)/bin/ruff format --check scripts tests
	$(VENV)/bin/sqlfluff lint models tests analyses

examples: $(INSTALLED)  ## build and assert the SPEC section 6 examples
	$(PYTHON) scripts/nrr.py check-examples

install: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.duckdb.*
