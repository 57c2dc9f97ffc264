"""The same project on Apache Spark gives the same marts as on DuckDB, row by row.

Run by `make test-spark` with .venv-spark (requirements-spark.txt). Builds the demo seeds and SPEC
example 1 (the file route) with `--target spark` (dbt-spark's session method: a local PySpark) and
with DuckDB, then compares every mart and the input reconciliation: money within 0.01, percentages
within 1e-6, everything else exact.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).parent / "dbt")
EXAMPLE_DIR = PROJECT_DIR / "examples" / "nrr_105"
# Billing shapes of SPEC section 9 (file route): invoice lines, and Stripe's tables of the same.
SHAPE_DIRS = {
    "invoice_lines": PROJECT_DIR / "tests" / "fixtures" / "billing_shapes" / "invoice_lines",
    "stripe": PROJECT_DIR / "tests" / "fixtures" / "billing_shapes" / "stripe",
}


def mart_keys() -> dict[str, list[str]]:
    """Each mart and its primary key, from the contracts: the manifest of `dbt parse`."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "NRR_WAREHOUSE": str(Path(scratch) / "unused.duckdb")}
        env.pop("NRR_DATA_DIR", None)
        process = subprocess.run(
            [DBT, "parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
             "--target-path", scratch, "--log-path", scratch],
            cwd=scratch, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert process.returncode == 0, process.stdout[-3000:]
        manifest = json.loads((Path(scratch) / "manifest.json").read_text())
    return {
        f"marts.{node['name']}": constraint["columns"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/marts/")
        for constraint in node["constraints"]
        if constraint["type"] == "primary_key"
    }


# Each compared table and the columns that identify a row: every mart by its primary key, and the
# input reconciliation.
TABLES = {**dict(sorted(mart_keys().items())), "audit.input_reconciliation": ["source_table"]}


def dbt_build(
    target: str, workdir: Path, data_dir: Path | None, dbt_vars: str | None = None
) -> None:
    """`dbt build` of the project with the given target; its own target dir and storage."""
    env = dict(os.environ)
    env.pop("NRR_DATA_DIR", None)
    if data_dir is not None:
        env["NRR_DATA_DIR"] = str(data_dir)
    env["NRR_WAREHOUSE"] = str(workdir / "warehouse.duckdb")
    env["NRR_SPARK_DIR"] = str(workdir / "spark")
    process = subprocess.run(
        [DBT, "build", "--target", target, "--project-dir", str(PROJECT_DIR),
         "--profiles-dir", str(PROJECT_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs"), *(["--vars", dbt_vars] if dbt_vars else [])],
        cwd=workdir, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-5000:] + process.stderr[-3000:]


def duckdb_tables(workdir: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every compared table of the DuckDB build: (column names, rows)."""
    tables = {}
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
        for table in TABLES:
            result = con.execute(f"select * from {table}")
            tables[table] = ([d[0] for d in result.description], result.fetchall())
    return tables


def spark_tables(workdir: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every compared table of the Spark build, read back by a separate process on its metastore."""
    out = workdir / "tables.pickle"
    process = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("read_spark_tables.py")),
         str(workdir / "spark"), str(out), *TABLES],
        cwd=workdir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr[-3000:]
    return pickle.loads(out.read_bytes())


def same_value(column: str, left, right) -> bool:
    """Money within 0.01, percentages within 1e-6, everything else exact."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, (Decimal, float)) or isinstance(right, (Decimal, float)):
        tolerance = 1e-6 if column.endswith("_pct") else 0.01
        return abs(float(left) - float(right)) <= tolerance
    return left == right


@pytest.fixture(scope="module", params=["demo", "example_105", "invoice_lines", "stripe"])
def both_builds(request, tmp_path_factory):
    """The demo (seeds), example 1 (files) and the billing-shape fixtures built on both engines."""
    data_dir = {"demo": None, "example_105": EXAMPLE_DIR, **SHAPE_DIRS}[request.param]
    # The Stripe fixture's void and draft lines are 2 of 13: over the default rejected-share limit.
    dbt_vars = (
        "{as_of_month: '2024-05', max_rejected_rows_pct: 50}"
        if request.param in SHAPE_DIRS
        else None
    )
    duck_dir = tmp_path_factory.mktemp(f"{request.param}_duckdb")
    spark_dir = tmp_path_factory.mktemp(f"{request.param}_spark")
    dbt_build("duckdb", duck_dir, data_dir, dbt_vars)
    dbt_build("spark", spark_dir, data_dir, dbt_vars)
    return request.param, duckdb_tables(duck_dir), spark_tables(spark_dir)


@pytest.mark.parametrize("table", list(TABLES))
def test_table_identical_on_spark(both_builds, table):
    name, duck, spark = both_builds
    duck_columns, duck_rows = duck[table]
    spark_columns, spark_rows = spark[table]
    assert spark_columns == duck_columns, (name, table)
    assert len(spark_rows) == len(duck_rows), (name, table)
    key_positions = [duck_columns.index(column) for column in TABLES[table]]

    def by_key(rows):
        return {tuple(row[i] for i in key_positions): row for row in rows}

    duck_by_key, spark_by_key = by_key(duck_rows), by_key(spark_rows)
    assert spark_by_key.keys() == duck_by_key.keys(), (name, table)
    differences = [
        (key, column, duck_row[i], spark_by_key[key][i])
        for key, duck_row in duck_by_key.items()
        for i, column in enumerate(duck_columns)
        if not same_value(column, duck_row[i], spark_by_key[key][i])
    ]
    assert differences == [], (name, table, differences[:10])


def test_example_105_on_spark_gives_105(both_builds):
    name, _, spark = both_builds
    if name != "example_105":
        pytest.skip("the 105 % figure belongs to example 1")
    columns, rows = spark["marts.nrr_by_period"]
    row = next(
        dict(zip(columns, r, strict=True))
        for r in rows
        if r[columns.index("segment")] == "All" and r[columns.index("period_months")] == 12
        and str(r[columns.index("period_end_month")]) == "2025-01-01"
    )  # fmt: skip
    assert (row["nrr_pct"], row["grr_pct"]) == (105.0, 85.0)
