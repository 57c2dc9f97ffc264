"""The three input routes give the same marts: seeds, files and source tables written by dlt.

A real loader (dlt's duckdb destination, tools/load_source_tables.py) writes the demo and every
SPEC example into one DuckDB file, one schema each, with typed columns (DATE, DECIMAL, BIGINT) as a
loader types them. The harness builds from it with --source-database/--source-schema (attached
read-only), and every mart table and audit.input_reconciliation must equal those of the seeds and
file routes, row by row.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import DBT, EXAMPLES_DIR, PROJECT_DIR, build, rows, run_dbt, run_harness

LOADER = PROJECT_DIR / "tools" / "load_source_tables.py"
DEMO_SEEDS = PROJECT_DIR / "seeds" / "demo"
DIRTY_DIR = PROJECT_DIR / "tests" / "fixtures" / "dirty_inputs"
EXAMPLES = ["nrr_105", "single_contraction", "leaky_bucket", "new_and_reactivated"]


def load(csv_dir: Path, database: Path, schema: str, *extra: str) -> None:
    """Write csv_dir's inputs into database.schema with dlt (the loader script)."""
    process = subprocess.run(
        [sys.executable, LOADER, "--csv-dir", csv_dir, "--database", database, "--schema", schema,
         *extra],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loader_database(tmp_path_factory) -> Path:
    """One DuckDB file written by dlt: schema `demo` and one schema per SPEC example."""
    database = tmp_path_factory.mktemp("loader") / "loader.duckdb"
    load(DEMO_SEEDS, database, "demo")
    for example in EXAMPLES:
        load(EXAMPLES_DIR / example, database, example)
    return database


def marts_of(warehouse: Path, schemas: tuple[str, str] = ("marts", "audit")) -> dict:
    """Every table and view of the marts schema, and audit.input_reconciliation, as sorted rows."""
    marts, audit = schemas
    tables = [
        name
        for (name,) in rows(
            warehouse,
            "select table_name from information_schema.tables where table_schema = ?"
            " order by table_name",
            [marts],
        )
    ]
    assert len(tables) >= 7, tables
    found = {t: rows(warehouse, f'select * from {marts}."{t}" order by all') for t in tables}
    found["input_reconciliation"] = rows(
        warehouse, f"select * from {audit}.input_reconciliation order by all"
    )
    return found


def assert_same_marts(actual: dict, expected: dict) -> None:
    assert sorted(actual) == sorted(expected)
    assert expected["mrr_bridge_monthly"] and expected["input_reconciliation"]
    for table, expected_rows in expected.items():
        assert actual[table] == expected_rows, table


def source_build(tmp: Path, database: Path, schema: str, *extra: str):
    return build(tmp, "--source-database", database, "--source-schema", schema, *extra)


def test_loader_writes_typed_tables_with_dlt_columns(loader_database):
    types = dict(
        rows(
            loader_database,
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'demo' and table_name = 'subscriptions'",
        )
    )
    assert types["start_date"] == "DATE"
    assert types["unit_amount"].startswith("DECIMAL")
    assert types["quantity"] == "BIGINT"
    assert {"_dlt_load_id", "_dlt_id"} <= set(types)
    assert rows(loader_database, "select count(*) from demo.subscriptions") == [(1006,)]


def test_demo_seeds_files_and_source_tables_give_identical_marts(
    tmp_path, demo_warehouse, loader_database
):
    files = tmp_path / "files"
    files.mkdir()
    for seed in DEMO_SEEDS.glob("raw_*.csv"):
        shutil.copy(seed, files / seed.name.removeprefix("raw_"))
    files_warehouse, files_run = build(tmp_path / "f", data_dir=files)
    assert files_run.returncode == 0, files_run.stdout[-3000:]

    before = sha256(loader_database)
    source_warehouse, source_run = source_build(tmp_path / "s", loader_database, "demo")
    assert source_run.returncode == 0, source_run.stdout[-3000:] + source_run.stderr[-3000:]
    assert sha256(loader_database) == before  # attached read-only, never written
    assert "MRR 1,103,827.91  ARR 13,245,934.95  active customers 287" in source_run.stdout
    # The demo seeds are not loaded on the source route (only the benchmark seeds).
    assert rows(
        source_warehouse,
        "select count(*) from information_schema.tables where table_schema = 'raw'",
    ) == [(0,)]

    seeds = marts_of(demo_warehouse)
    assert_same_marts(marts_of(files_warehouse), seeds)
    assert_same_marts(marts_of(source_warehouse), seeds)


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_gives_identical_marts_from_files_and_source_tables(
    tmp_path, loader_database, shared_build, example
):
    files_warehouse, files_run = shared_build(data_dir=EXAMPLES_DIR / example)
    source_warehouse, source_run = source_build(tmp_path / "s", loader_database, example)
    assert files_run.returncode == 0, files_run.stdout[-3000:]
    assert source_run.returncode == 0, source_run.stdout[-3000:] + source_run.stderr[-3000:]
    assert_same_marts(marts_of(source_warehouse), marts_of(files_warehouse))


def test_dirty_rows_get_the_same_verdicts_from_typed_source_tables(tmp_path, shared_build):
    """The dirty fixture through dlt: columns where every value parses arrive typed (end_date as
    DATE ...), the others as text; every row gets the verdict it gets from the CSV files."""
    database = tmp_path / "loader.duckdb"
    load(DIRTY_DIR, database, "dirty")
    typed = rows(
        database,
        "select count(*) from information_schema.columns where table_schema = 'dirty'"
        " and data_type <> 'VARCHAR'",
    )[0][0]
    assert typed > 0
    # The fixture is mostly bad rows on purpose: lift the rejected-share rule (SPEC section 8).
    lifted = ("--max-rejected-pct", "100")
    files_warehouse, files_run = shared_build(*lifted, data_dir=DIRTY_DIR)
    source_warehouse, source_run = source_build(tmp_path / "s", database, "dirty", *lifted)
    assert files_run.returncode == 0 and source_run.returncode == 0, source_run.stdout[-3000:]
    verdicts = "select source_table, row_key, reason_code from audit.rejected_rows order by all"
    assert rows(source_warehouse, verdicts) == rows(files_warehouse, verdicts)
    assert len(rows(files_warehouse, verdicts)) > 20
    assert_same_marts(marts_of(source_warehouse), marts_of(files_warehouse))


def write_tables(database: Path, schema: str, statements: list[str]) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(f"create schema if not exists {schema}")
        for statement in statements:
            con.execute(statement)


CUSTOMERS = "create table s.customers as select 'c1' as customer_id"


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            [
                "create table s.subscriptions as select 's1' as subscription_id,"
                " 'c1' as customer_id, date '2024-01-01' as start_date, 9.5 as unit_amount"
            ],
            "nrr_source.s.customers: required input table is missing",
        ),
        (
            [
                "create table s.subscriptions as select 's1' as subscription_id,"
                " 'c1' as customer_id, 9.5 as unit_amount",
                CUSTOMERS,
            ],
            "nrr_source.s.subscriptions: required column start_date is missing",
        ),
        (
            [
                "create table s.subscriptions (subscription_id text, customer_id text,"
                " start_date date, unit_amount decimal(18, 2))",
                CUSTOMERS,
            ],
            "nrr_source.s.subscriptions: the table has no rows",
        ),
    ],
    ids=["missing_table", "missing_column", "empty_table"],
)
def test_broken_source_tables_stop_before_any_model(tmp_path, statements, message):
    database = tmp_path / "source.duckdb"
    write_tables(database, "s", statements)
    warehouse, process = source_build(tmp_path, database, "s")
    assert process.returncode == 1
    assert message in process.stdout
    assert "START sql" not in process.stdout
    assert not warehouse.exists()


def test_source_options_are_checked():
    alone = run_harness("build", "--source-schema", "billing")
    assert alone.returncode == 2
    assert "--source-database and --source-schema go together" in alone.stderr
    both = run_harness(
        "build", "--data-dir", EXAMPLES_DIR / "nrr_105", "--source-database", "x.duckdb",
        "--source-schema", "billing",
    )  # fmt: skip
    assert both.returncode == 2 and "two routes" in both.stderr
    missing = run_harness(
        "build", "--source-database", "/nonexistent/x.duckdb", "--source-schema", "billing"
    )
    assert missing.returncode == 1
    assert "--source-database /nonexistent/x.duckdb: no such file" in missing.stderr


def test_source_freshness_runs_on_dlt_load_ids(tmp_path, loader_database):
    target = tmp_path / "target"
    env = {
        **os.environ,
        "NRR_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "NRR_SOURCE_DATABASE": str(loader_database),
    }
    env.pop("NRR_DATA_DIR", None)
    dbt_vars = {
        "nrr_source_schema": "demo",
        "nrr_source_loaded_at_field": "to_timestamp(cast(_dlt_load_id as double))",
    }
    process = run_dbt(
        "source", "freshness", "--vars", json.dumps(dbt_vars), "--target-path", target, env=env
    )
    assert process.returncode == 0, process.stdout[-3000:]
    results = json.loads((target / "sources.json").read_text())["results"]
    assert {(r["unique_id"].split(".")[-1], r["status"]) for r in results} == {
        ("subscriptions", "pass"),
        ("customers", "pass"),
    }
    # Loaded just now by the fixture: its age is seconds, not hours.
    assert all(r["max_loaded_at_time_ago_in_s"] < 3600 for r in results)

    # Without a loaded-at column nothing is checked (and nothing fails).
    process = run_dbt("source", "freshness", "--target-path", target, env=env)
    assert process.returncode == 0, process.stdout[-3000:]


INTEGRATION_DIR = PROJECT_DIR / "integration_tests"


def run_integration(*args: str | Path, warehouse: Path, target: Path):
    """dbt ARGS in integration_tests/ (its own profile), writing `warehouse`; dbt's target and
    logs in `target`."""
    env = {
        **os.environ,
        "NRR_INTEGRATION_WAREHOUSE": str(warehouse),
        "NRR_INTEGRATION_PACKAGES": str(target / "dbt_packages"),
    }
    for name in ("NRR_DATA_DIR", "NRR_SOURCE_DATABASE", "NRR_WAREHOUSE"):
        env.pop(name, None)
    paths = ["--log-path", target / "logs"]
    if args[0] != "deps":
        paths += ["--target-path", target]
    return subprocess.run(
        [DBT, *map(str, args), "--profiles-dir", INTEGRATION_DIR, "--project-dir", INTEGRATION_DIR,
         *paths],
        cwd=INTEGRATION_DIR, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip


def test_integration_project_installs_the_package_and_builds_the_same_marts(
    tmp_path, demo_warehouse
):
    """integration_tests/ lists this project in packages.yml (`local: ../`) and reads the tables dlt
    wrote into schema `billing` of its own warehouse: its marts equal the root project's."""
    warehouse = tmp_path / "integration.duckdb"
    target = tmp_path / "target"
    deps = run_integration("deps", warehouse=warehouse, target=target)
    assert deps.returncode == 0, deps.stdout[-3000:]

    # No source tables yet: the package's on-run-start check stops the build, naming the table.
    empty = run_integration("build", warehouse=warehouse, target=target)
    assert empty.returncode != 0
    assert "integration.billing.subscriptions: required input table is missing" in empty.stdout

    load(DEMO_SEEDS, warehouse, "billing")
    process = run_integration("build", warehouse=warehouse, target=target)
    assert process.returncode == 0, process.stdout[-3000:]
    assert "ERROR=0 SKIP=0" in process.stdout
    # The demo seeds do not load in someone else's project; the benchmark seeds do.
    schemas = {
        schema
        for (schema,) in rows(
            warehouse, "select distinct table_schema from information_schema.tables"
        )
    }
    assert "raw" not in schemas and "reference" in schemas
    assert_same_marts(marts_of(warehouse), marts_of(demo_warehouse))


def test_zoned_timestamps_are_read_in_utc_whatever_the_session_time_zone(tmp_path, shared_build):
    """dlt writes a datetime as TIMESTAMP WITH TIME ZONE. Periods starting at midnight UTC must
    keep their UTC date in a session west of UTC (New York), where it is the evening before."""
    database = tmp_path / "loader.duckdb"
    example = EXAMPLES_DIR / "nrr_105"
    with duckdb.connect(str(database)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema zoned")
        con.execute(
            f"""create table zoned.subscriptions as
            select * replace (
                cast(cast(start_date as date) as timestamptz) as start_date,
                cast(cast(end_date as date) as timestamptz) as end_date
            ) from read_csv('{example / "subscriptions.csv"}', all_varchar = true)"""
        )
        for table in ("customers", "fx_rates"):
            con.execute(
                f"create table zoned.{table} as select * from read_csv('{example / table}.csv')"
            )
    env = {**os.environ, "TZ": "America/New_York"}
    source_warehouse = tmp_path / "s" / "warehouse.duckdb"
    process = run_harness(
        "build", "--warehouse", source_warehouse, "--source-database", database,
        "--source-schema", "zoned", env=env,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    files_warehouse, files_run = shared_build(data_dir=example)
    assert files_run.returncode == 0
    assert_same_marts(marts_of(source_warehouse), marts_of(files_warehouse))
