"""Incremental monthly runs give the same marts as a full refresh.

Snapshots of one generated company (about 300 customers) cut at successive as-of months land in one
export folder, as a scheduled export does, and are built in sequence into one warehouse, each run
incremental on a copy of the published file (the harness default once a warehouse exists and its
inputs come from the same place; a new folder is a full refresh, see test_build_mode.py). After each
run every mart, and every incremental model, must equal a `--full-refresh` build of the same
snapshot. The last snapshot also carries backdated changes inside the look-back window: price
changes and churns dated two months back, and a late-arriving new period; the second moves a
customer who churned long before the window to another segment (the third moves it back).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pytest
from conftest import GENERATOR, build, load_tool, rows

bench = load_tool("bench")  # tools/bench.py: its cut_snapshot makes the monthly snapshots

INCREMENTAL_MODELS = [
    "intermediate.int_customer_months_aggregated",
    "intermediate.int_mrr_movements_classified",
    "intermediate.int_mrr_movement_causes_attributed",
]


def tables(warehouse) -> list[str]:
    names = rows(
        warehouse,
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema = 'marts' order by 1",
    )
    return [name for (name,) in names] + INCREMENTAL_MODELS


def content(warehouse, table: str) -> list[tuple]:
    return sorted(rows(warehouse, f"select * from {table}"), key=repr)


def backdate(snapshot, as_of_month: str) -> None:
    """Backdated changes inside the look-back window of `as_of_month`, written into the snapshot,
    all dated two months back: three price changes (the open period ends, a new one at twice the
    price starts), three churns, and a late-arriving period of a new customer."""
    path = snapshot / "subscriptions.parquet"
    change_day = f"cast(date '{as_of_month}-01' - interval 2 month + interval 9 day as date)"
    open_paid = (
        f"select subscription_id from s where unit_amount > 0 and end_date is null "
        f"and start_date < {change_day} order by subscription_id"
    )
    with duckdb.connect() as con:
        con.execute(f"create table s as select * from read_parquet('{path}')")
        con.execute(f"create table repriced as {open_paid} limit 3")
        con.execute(f"create table churned as {open_paid} desc limit 3")
        con.execute(
            f"""insert into s
            select * replace ({change_day} as start_date, unit_amount * 2 as unit_amount)
            from s where end_date is null and subscription_id in (select * from repriced)"""
        )
        ended = con.execute(
            f"""update s set end_date = {change_day}
            where end_date is null and start_date < {change_day}
              and subscription_id in (select * from repriced union all select * from churned)"""
        ).fetchone()[0]
        con.execute(
            f"""insert into s
            select 'sub_late_arrival', 'cus_late_arrival', 'pro', {change_day}, null,
                   99, 3, 0, 'month', 'USD'"""
        )
        con.execute(f"copy s to '{path}' (format parquet)")
    assert ended == 6


def resegment(snapshot) -> str:
    """Move one customer whose last period ended before 2024-06 to another segment (SMB <->
    Enterprise) in the snapshot's customers file: only periods long before any look-back window
    change (DECISIONLOG "nrr_by_period recomputes the rewritten months and the changed
    segments")."""
    path = snapshot / "customers.parquet"
    with duckdb.connect() as con:
        con.execute(f"create table c as select * from read_parquet('{path}')")
        (customer,) = con.execute(
            f"""select customer_id from read_parquet('{snapshot}/subscriptions.parquet')
            where unit_amount > 0
            group by customer_id
            having max(coalesce(end_date, date '9999-12-31')) < date '2024-06-01'
            order by customer_id limit 1"""
        ).fetchone()
        con.execute(
            "update c set segment = case when lower(segment) like 'smb%' then 'Enterprise'"
            " else 'SMB' end where customer_id = ?",
            [customer],
        )
        con.execute(f"copy c to '{path}' (format parquet)")
    return customer


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(GENERATOR), "--customers", "300", "--months", "27",
         "--start-month", "2023-01", "--format", "parquet", "--out", str(out), "--prefix", ""],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_incremental_runs_equal_full_refresh(generated, tmp_path):
    incremental_dir = tmp_path / "incremental"
    incremental_dir.mkdir()
    months = ["2025-01", "2025-02", "2025-03"]
    for number, month in enumerate(months):
        snapshot = tmp_path / f"snapshot_{month}"
        bench.cut_snapshot(generated, snapshot, month)
        if number == len(months) - 1:
            backdate(snapshot, month)
        if number == 1:
            # An old customer changes segment (and changes back in the next snapshot, cut afresh).
            resegment(snapshot)
        export = tmp_path / "export"
        shutil.copytree(snapshot, export, dirs_exist_ok=True)
        warehouse, process = build(incremental_dir, data_dir=export)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        log = (incremental_dir / "warehouse.duckdb.runs.jsonl").read_text().splitlines()
        assert json.loads(log[-1])["mode"] == ("full" if number == 0 else "incremental"), log[-1]
        if number == 0:
            continue
        # The moved customer's old and new segment are recomputed in every period (run 2 moves it,
        # run 3 moves it back), and the marts below still equal a full refresh's.
        changed = rows(warehouse, "select segment from intermediate.int_customer_segments_changed")
        assert len(changed) == 2, (month, changed)
        full_dir = tmp_path / f"full_{month}"
        full_dir.mkdir()
        full, process = build(full_dir, "--full-refresh", data_dir=snapshot)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        assert (
            rows(warehouse, "select max(month) from marts.mrr_bridge_monthly")[0][0].strftime(
                "%Y-%m"
            )
            == month
        )
        for table in tables(full):
            assert content(warehouse, table) == content(full, table), (month, table)
    # The backdated price changes inside the window are causes of movement on both builds
    # (DECISIONLOG "Causes of expansion and contraction"): the comparison above is not of zeros.
    repriced = rows(
        warehouse,
        "select count(*) from intermediate.int_mrr_movement_causes_attributed"
        " where month = date '2025-01-01' and price_mrr > 0",
    )[0][0]
    assert repriced >= 3


def test_incremental_run_tests_its_window_and_reconciles_every_month(shared_build, tmp_path):
    """An incremental run's row tests check the months it rewrote; the whole-history
    reconciliation still catches a month kept from before that no longer adds up (DECISIONLOG "Data
    tests of an incremental run check the rewritten window")."""
    published, process = shared_build()
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published, warehouse)
    # A duplicated movement in 2024-03, long before the window (the demo's as-of month is 2025-12).
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into intermediate.int_mrr_movements_classified"
            " select * from intermediate.int_mrr_movements_classified"
            " where month = date '2024-03-01' order by customer_id limit 1"
        )
    _, process = build(tmp_path, "--keep-failed")
    output = process.stdout + process.stderr
    assert process.returncode == 1, output[-3000:]
    assert "incremental run" in output
    assert "1 error-severity test(s) did not pass" in output, output[-3000:]
    assert "test.nrr_warehouse.assert_incremental_months_reconcile" in output
    # The duplicate is outside the tested window: the key test of the run passed.
    assert "Failure in test unique_key_combination" not in output
    # The window the tests read: as-of 2025-12 minus the 3 look-back months.
    failed = warehouse.with_name("warehouse.duckdb.failed")
    window = "select window_start_month from intermediate.int_incremental_window_resolved"
    assert rows(failed, window) == [(date(2025, 9, 1),)]
    # A full refresh rebuilds every month and tests every row: the warehouse is whole again.
    _, process = build(tmp_path, "--full-refresh")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert rows(warehouse, window) == [(None,)]
