# The two commands of the README: `make build` and `make test`. Both set up .venv themselves.
VENV := .venv
PYTHON := $(VENV)/bin/python
NRR := $(VENV)/bin/nrr
# This checkout's package first, whatever checkout the venv's editable install names (git worktrees
# may share one venv): `nrr` then builds the dbt project it is run from.
export PYTHONPATH := $(CURDIR)/src$(if $(PYTHONPATH),:$(PYTHONPATH))
INSTALLED := $(VENV)/.installed
SPARK_VENV := .venv-spark
SPARK_INSTALLED := $(SPARK_VENV)/.installed
DBT_ARGS := --project-dir . --profiles-dir .

.PHONY: build test test-spark lint semantic docs examples install clean

build: $(INSTALLED)  ## install, build the demo warehouse, print the headline figures, write the HTML report
	$(NRR) build
	@report=$$($(NRR) report) && echo "Report (one HTML file, opens offline): $$report"

test: $(INSTALLED) lint semantic  ## everything CI checks: lint, the semantic layer, then the pytest suite
	$(PYTHON) -m pytest

test-spark: $(SPARK_INSTALLED)  ## the demo and example 1 built on Spark (local PySpark) and compared with DuckDB
	@command -v java >/dev/null || { echo "test-spark needs Java 17 (java not found)"; exit 1; }
	$(SPARK_VENV)/bin/python -m pytest tests/spark

lint: $(INSTALLED)
	$(VENV)/bin/ruff check src tools tests
	$(VENV)/bin/ruff format --check src tools tests
	@# Lint the full-build rendering: with a scratch warehouse path, is_incremental() is false. Against a
	@# published warehouse the incremental branches render instead, indented differently, so the result
	@# would depend on whether `make build` ran first.
	mkdir -p target/lint
	NRR_WAREHOUSE=target/lint/nrr.duckdb $(VENV)/bin/sqlfluff lint models data-tests analyses

# MetricFlow reads target/semantic_manifest.json, written by dbt parse. --skip-dw: no warehouse is needed
# here (pytest validates against a built demo warehouse too). mf's own `dbt debug` gets a scratch
# warehouse path so it never opens, or creates, warehouse/nrr.duckdb.
semantic: $(INSTALLED)  ## parse the project and validate the semantic models and metrics
	$(VENV)/bin/dbt parse $(DBT_ARGS) --quiet
	mkdir -p target/mf_validate
	DBT_PROFILES_DIR=. NRR_WAREHOUSE=target/mf_validate/nrr.duckdb $(VENV)/bin/mf validate-configs --skip-dw

docs: $(INSTALLED)  ## dbt docs of the demo warehouse (builds it first if missing)
	test -f warehouse/nrr.duckdb || $(NRR) build
	$(VENV)/bin/dbt docs generate $(DBT_ARGS)
	@echo "Docs written to target/ (index.html, manifest.json, catalog.json). Serve them with:"
	@echo "  $(VENV)/bin/dbt docs serve --profiles-dir . --port 8080    # then open http://localhost:8080"

examples: $(INSTALLED)  ## build and assert the SPEC section 6 examples
	$(NRR) check-examples

install: $(INSTALLED)

# The pins first (setuptools among them), then the harness itself, editable and without build
# isolation: pip resolves nothing more, and `nrr` runs this checkout's code and dbt project.
$(INSTALLED): requirements.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e .
	touch $(INSTALLED)

$(SPARK_INSTALLED): requirements.txt requirements-spark.txt
	test -x $(SPARK_VENV)/bin/python || python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $(SPARK_INSTALLED)

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.duckdb.* warehouse/spark
