"""A scheduled build chooses its mode itself (issue 19), as a scheduler runs it.

One warehouse, built again and again with `nrr build` as cron would: the first build, an
unchanged rerun, a switch to another data folder, a var changed in dbt_project.yml, a change
backdated before the look-back window, an unchanged rerun, and `--incremental` with another
backdated change.
Each run that publishes must equal a fresh `--full-refresh` build of the same inputs and project,
every mart table (and the two incremental tables) row by row; the run says in one line, and in the
run log's `mode` and `mode_reason`, whether it ran incrementally and why. The harness runs from a
copy of the project, so the test can edit dbt_project.yml.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import GENERATOR, PROJECT_DIR, harness_of, rows

from nrr_warehouse import build_mode

# The note of an incremental run whose published build had the same seeds
# (build_mode.Mode.same_record).
SEEDS_KEPT = "seeds unchanged since the published build: not reloaded"
INCREMENTAL_MODELS = [
    "intermediate.int_customer_months_aggregated",
    "intermediate.int_mrr_movements_classified",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project (no venv, target or warehouse) whose harness the tests run."""
    copy = tmp_path_factory.mktemp("project") / "nrr"
    shutil.copytree(
        PROJECT_DIR,
        copy,
        ignore=shutil.ignore_patterns(".venv*", "target", "logs", "warehouse", ".git", "*.duckdb*"),
    )
    return copy


def generate(out: Path, seed: int) -> Path:
    """A generated company: 120 customers, 2023-01 through 2025-03 (as-of 2025-03)."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--seed", str(seed), "--customers", "120",
         "--months", "27", "--start-month", "2023-01", "--format", "parquet", "--out", str(out),
         "--prefix", ""],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def harness(project: Path, warehouse: Path, data_dir: Path, *extra: str):
    """`nrr build` of the project copy, as cron runs it."""
    command, env = harness_of(project)
    return subprocess.run(
        [*command, "build", "--warehouse", str(warehouse), "--data-dir", str(data_dir), *extra],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def last_run(warehouse: Path) -> dict:
    log = warehouse.with_name(warehouse.name + ".runs.jsonl")
    return json.loads(log.read_text().splitlines()[-1])


def contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view of schema marts, and the incremental tables, sorted."""
    names = [
        f"marts.{name}"
        for (name,) in rows(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    ]
    assert len(names) >= 7
    return {
        name: sorted(rows(warehouse, f"select * from {name}"), key=repr)
        for name in sorted(names) + INCREMENTAL_MODELS
    }


def assert_equals_fresh_full_build(project: Path, warehouse: Path, data_dir: Path, scratch: Path):
    """The published marts equal a --full-refresh build of the same inputs into a new warehouse
    (built once per scratch folder: a later call with the same scratch compares with it again)."""
    fresh = scratch / "fresh.duckdb"
    if not fresh.exists():
        process = harness(project, fresh, data_dir, "--full-refresh")
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    built, expected = contents(warehouse), contents(fresh)
    assert built.keys() == expected.keys()
    for name in expected:
        assert built[name] == expected[name], name


def backdate(data_dir: Path, number: int) -> str:
    """Double the price of the number-th (from 0) paid subscription row that ended before 2024-06,
    long before the look-back window of an as-of month 2025-03 (2024-12); returns its month."""
    path = data_dir / "subscriptions.parquet"
    with duckdb.connect() as con:
        con.execute(f"create table s as select * from read_parquet('{path}')")
        subscription_id, start_date = con.execute(
            f"""select subscription_id, start_date from s
            where unit_amount > 0 and end_date < date '2024-06-01'
            order by start_date, subscription_id limit 1 offset {number}"""
        ).fetchone()
        con.execute(
            "update s set unit_amount = unit_amount * 2 "
            "where subscription_id = ? and start_date = ?",
            [subscription_id, start_date],
        )
        con.execute(f"copy s to '{path}' (format parquet)")
    return f"{start_date:%Y-%m}"


def test_each_run_chooses_its_mode_and_equals_a_full_build(project, tmp_path):
    warehouse = tmp_path / "published" / "nrr.duckdb"
    warehouse.parent.mkdir()
    first = generate(tmp_path / "export_a", seed=1)
    second = generate(tmp_path / "export_b", seed=7)

    def run(data_dir: Path, *extra: str) -> tuple[dict, str]:
        process = harness(project, warehouse, data_dir, *extra)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        record = last_run(warehouse)
        assert record["result"] == "published"
        return record, process.stdout

    # The first build: full, as always.
    record, out = run(first)
    assert (record["mode"], record["mode_reason"]) == (
        "full",
        "first build: no published warehouse yet",
    )
    assert "nrr: full refresh: first build" in out
    assert "START seed file reference.benchmark_reference_lines" in out  # a full build loads seeds
    built_first = contents(warehouse)

    # Nothing changed: incremental, and the marts are those of the full build of the same inputs.
    record, out = run(first)
    assert record["mode"] == "incremental", record
    assert "no input row dated before 2024-12 changed" in record["mode_reason"]
    assert f"nrr: incremental run: {record['mode_reason']}" in out
    assert contents(warehouse) == built_first
    # ... and its copy of the published file keeps the seeds it holds: none reloaded.
    assert record["notes"] == [SEEDS_KEPT]
    assert f"nrr: {SEEDS_KEPT}" in out and "START seed file" not in out

    # Another data folder (another company): a full refresh that names the change.
    record, out = run(second)
    assert record["mode"] == "full", record
    reason = record["mode_reason"]
    assert reason.startswith("built from other inputs or configuration: route.data_dir: ")
    assert f"{first} -> {second}" in reason
    assert f"nrr: full refresh: {reason}" in out
    assert_equals_fresh_full_build(project, warehouse, second, tmp_path / "fresh_switch")

    # A var that shapes the marts changed in dbt_project.yml: a full refresh naming the var.
    config = project / "dbt_project.yml"
    config.write_text(
        config.read_text().replace(
            "nrr_period_months: [1, 3, 12]", "nrr_period_months: [1, 3, 6, 12]"
        )
    )
    record, out = run(second)
    assert record["mode"] == "full", record
    assert "vars.nrr_period_months: [1, 3, 12] -> [1, 3, 6, 12]" in record["mode_reason"]
    assert "project.hash: " in record["mode_reason"]  # dbt_project.yml is part of the project
    assert f"nrr: full refresh: {record['mode_reason']}" in out
    assert rows(
        warehouse,
        "select record_value from audit.build_record where record_key = 'nrr_period_months'",
    ) == [("[1, 3, 6, 12]",)]
    assert rows(warehouse, "select count(*) from marts.nrr_by_period where period_months = 6")[0][0]
    assert_equals_fresh_full_build(project, warehouse, second, tmp_path / "fresh_var")

    # A price change long before the look-back window: found before the build, a full refresh.
    month = backdate(second, 0)
    record, out = run(second)
    assert record["mode"] == "full", record
    assert record["mode_reason"] == (
        "input changed before the look-back window (which starts 2024-12 at the latest): "
        f"subscriptions rows from {month}"
    )
    assert f"nrr: full refresh: {record['mode_reason']}" in out
    assert_equals_fresh_full_build(project, warehouse, second, tmp_path / "fresh_backdated")

    # Nothing changed since: incremental again, and still equal to a full build. The inputs and
    # the project are those of the full build just above: compare with it, not a fourth one.
    record, out = run(second)
    assert record["mode"] == "incremental", record
    assert_equals_fresh_full_build(project, warehouse, second, tmp_path / "fresh_backdated")

    # An edited seed (the SaaS median line, 108 -> 107) reloads, even in a forced incremental run:
    # the project hash in the record covers the seed files.
    seed = project / "seeds" / "benchmarks" / "benchmark_reference_lines.csv"
    assert seed.read_text().count("\nmedian,108,") == 1
    seed.write_text(seed.read_text().replace("\nmedian,108,", "\nmedian,107,"))
    record, out = run(second, "--incremental")
    assert record["mode"] == "incremental", record
    assert "project.hash: " in record["mode_reason"]
    assert SEEDS_KEPT not in record["notes"]
    assert "START seed file reference.benchmark_reference_lines" in out
    assert rows(
        warehouse,
        "select nrr_pct from reference.benchmark_reference_lines where reference_line = 'median'",
    ) == [(107,)]
    assert rows(warehouse, "select distinct median_nrr_pct from marts.company_benchmark") == [
        (107,)
    ]


def test_forced_incremental_with_a_backdated_change_fails_and_publishes_nothing(project, tmp_path):
    warehouse = tmp_path / "nrr.duckdb"
    data_dir = generate(tmp_path / "export", seed=3)
    first = harness(project, warehouse, data_dir)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    published = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    month = backdate(data_dir, 1)
    process = harness(project, warehouse, data_dir, "--incremental")
    assert process.returncode == 1, process.stdout[-3000:] + process.stderr[-3000:]
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == published
    record = last_run(warehouse)
    assert (record["result"], record["mode"]) == ("audit_failed", "incremental")
    assert record["mode_reason"] == (
        "--incremental, although a full refresh is due (input changed before the look-back window "
        f"(which starts 2024-12 at the latest): subscriptions rows from {month})"
    )
    assert f"nrr: incremental run: {record['mode_reason']}" in process.stdout
    assert "assert_bridge_matches_month_end_rule" in process.stderr
    assert "the published warehouse" in process.stderr and "is unchanged" in process.stderr


def test_an_incremental_run_passes_its_window_and_a_full_one_none():
    """The window (DECISIONLOG "The harness passes the look-back window to dbt"): set only on an
    incremental run whose window is known, and never a reason for a full refresh."""
    window = date(2025, 1, 1)
    assert build_mode.Mode(True, "x", True, window).window_vars() == {
        "incremental_window_start": "2025-01-01"
    }
    assert build_mode.Mode(False, "--full-refresh", False, window).window_vars() == {}
    assert build_mode.Mode(True, "--incremental", False, None).window_vars() == {}
    # It reaches dbt in the environment, not in --vars (a new window re-parses nothing).
    assert build_mode.window_env(build_mode.Mode(True, "x", True, window).window_vars()) == {
        "NRR_INCREMENTAL_WINDOW_START": "2025-01-01"
    }
    assert build_mode.window_env({}) == {}
    record = {"vars": {"incremental_window_start": None, "reporting_currency": None}}
    stored = {"vars": {"incremental_window_start": "2024-12-01", "reporting_currency": "USD"}}
    expected = {"incremental_window_start": "2025-01-01", "reporting_currency": "USD"}
    assert build_mode.record_changes(stored, record, expected) == []
    expected["reporting_currency"] = "EUR"
    assert build_mode.record_changes(stored, record, expected) == [
        "vars.reporting_currency: USD -> EUR"
    ]
