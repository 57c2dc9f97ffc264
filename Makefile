# The two commands of the README: `make build` and `make test`. Both set up .venv themselves.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DBT_ARGS := --project-dir . --profiles-dir .

.PHONY: build test lint semantic docs examples install clean

build: $(INSTALLED)  ## install, build the demo warehouse, print the headline figures, write the HTML report
	$(PYTHON) scripts/nrr.py build
	@report=$$($(PYTHON) scripts/nrr.py report) && echo "Report (one HTML file, opens offline): $$report"

test: $(INSTALLED) lint semantic  ## everything CI checks: lint, the semantic layer, then the pytest suite
	$(PYTHON) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check scripts tests
	$(VENV)/bin/ruff format --check scripts tests
	$(VENV)/bin/sqlfluff lint models tests analyses

# MetricFlow reads target/semantic_manifest.json, written by dbt parse. --skip-dw: no warehouse is needed
# here (pytest validates against a built demo warehouse too). mf's own `dbt debug` gets a scratch
# warehouse path so it never opens, or creates, warehouse/nrr.duckdb.
semantic: $(INSTALLED)  ## parse the project and validate the semantic models and metrics
	$(VENV)/bin/dbt parse $(DBT_ARGS) --quiet
	mkdir -p target/mf_validate
	DBT_PROFILES_DIR=. NRR_WAREHOUSE=target/mf_validate/nrr.duckdb $(VENV)/bin/mf validate-configs --skip-dw

docs: $(INSTALLED)  ## dbt docs of the demo warehouse (builds it first if missing)
	test -f warehouse/nrr.duckdb || $(PYTHON) scripts/nrr.py build
	$(VENV)/bin/dbt docs generate $(DBT_ARGS)
	@echo "Docs written to target/ (index.html, manifest.json, catalog.json). Serve them with:"
	@echo "  $(VENV)/bin/dbt docs serve --profiles-dir . --port 8080    # then open http://localhost:8080"

examples: $(INSTALLED)  ## build and assert the SPEC section 6 examples
	$(PYTHON) scripts/nrr.py check-examples

install: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

clean:
	rm -rf target logs warehouse/*.duckdb
