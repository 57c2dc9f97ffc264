# The two commands of the README: `make build` and `make test`. Both set up .venv themselves.
VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SPARK_VENV := .venv-spark
SPARK_INSTALLED := $(SPARK_VENV)/.installed
DBT_ARGS := --project-dir . --profiles-dir .

.PHONY: build test test-spark lint examples install clean

build: $(INSTALLED)  ## install, build the demo warehouse, print the headline figures
	$(PYTHON) scripts/nrr.py build

test: $(INSTALLED) lint  ## everything CI checks: lint, then the pytest suite (dbt builds, data and unit tests, examples)
	$(PYTHON) -m pytest

test-spark: $(SPARK_INSTALLED)  ## the demo and example 1 built on Spark (local PySpark) and compared with DuckDB
	@command -v java >/dev/null || { echo "test-spark needs Java 17 (java not found)"; exit 1; }
	$(SPARK_VENV)/bin/python -m pytest tests/spark

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

$(SPARK_INSTALLED): requirements.txt requirements-spark.txt
	test -x $(SPARK_VENV)/bin/python || python3 -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $(SPARK_INSTALLED)

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.duckdb.* warehouse/spark
