"""Incremental monthly runs give the same marts as a full refresh.

Snapshots of one generated company (about 300 customers) cut at successive as-of months land in one
export folder, as a scheduled export does, and are built in sequence into one warehouse, each run
incremental on a copy of the published file (the harness default once a warehouse exists and its
inputs come from the same place; a new folder is a full refresh, see test_build_mode.py). After each
run every mart, and every incremental model, must equal a `--full-refresh` build of the same
snapshot. The third snapshot also carries backdated changes inside the look-back window: price
changes and churns dated two months back, and a late-arriving new period. The fourth adds a customer
row with its first subscription, inside the window: still incremental. The fifth moves an old
customer to another segment: a full refresh, which says why (DECISIONLOG "A customer row change
before the window forces a full refresh"). Then a month kept from an earlier build is corrupted in
the published warehouse: the next incremental run, whose row tests check only its window, fails its
audit on the whole-history reconciliation (DECISIONLOG "Data tests of an incremental run check the
rewritten window") and publishes nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest
from conftest import GENERATOR, build, load_tool, rows

bench = load_tool("bench")  # tools/bench.py: its cut_snapshot makes the monthly snapshots

INCREMENTAL_MODELS = [
    "intermediate.int_customer_months_aggregated",
    "intermediate.int_mrr_movements_classified",
    "intermediate.int_mrr_movement_causes_attributed",
    "intermediate.int_retention_cohorts_summed",
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


def add_new_customer(snapshot, as_of_month: str) -> None:
    """A customer row of a new customer and its first subscription, starting in `as_of_month`."""
    start = f"date '{as_of_month}-05'"
    with duckdb.connect() as con:
        for table, row in (
            ("customers", "'cus_new_in_window', 'New Window Ltd', 'Enterprise', 'DE', null"),
            (
                "subscriptions",
                f"'sub_new_in_window', 'cus_new_in_window', 'pro', {start}, null, 250, 2, 0,"
                " 'month', 'USD'",
            ),
        ):
            path = snapshot / f"{table}.parquet"
            con.execute(f"create table {table} as select * from read_parquet('{path}')")
            con.execute(f"insert into {table} select {row}")
            con.execute(f"copy {table} to '{path}' (format parquet)")


def move_segment(snapshot) -> str:
    """Move the first customer billed before 2024-06 to another segment; returns its id."""
    with duckdb.connect() as con:
        customer_id = con.execute(
            f"""select min(customer_id) from read_parquet('{snapshot}/subscriptions.parquet')
            where start_date < date '2024-06-01' and unit_amount > 0"""
        ).fetchone()[0]
        path = snapshot / "customers.parquet"
        con.execute(f"create table c as select * from read_parquet('{path}')")
        con.execute(
            "update c set segment = case when segment = 'SMB' then 'Enterprise' else 'SMB' end "
            "where customer_id = ?",
            [customer_id],
        )
        con.execute(f"copy c to '{path}' (format parquet)")
    return customer_id


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(GENERATOR), "--customers", "300", "--months", "29",
         "--start-month", "2023-01", "--format", "parquet", "--out", str(out), "--prefix", ""],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_incremental_runs_equal_full_refresh(generated, tmp_path):
    incremental_dir = tmp_path / "incremental"
    incremental_dir.mkdir()
    # (as-of month, mode of its run): monthly runs, the last a segment change of an old customer.
    months = [
        ("2025-01", "full"),
        ("2025-02", "incremental"),
        ("2025-03", "incremental"),
        ("2025-04", "incremental"),
        ("2025-05", "full"),
    ]
    for month, mode in months:
        snapshot = tmp_path / f"snapshot_{month}"
        bench.cut_snapshot(generated, snapshot, month)
        if month == "2025-03":
            backdate(snapshot, month)
        if month >= "2025-04":
            add_new_customer(snapshot, "2025-04")
        if month == "2025-05":
            moved = move_segment(snapshot)
        export = tmp_path / "export"
        shutil.copytree(snapshot, export, dirs_exist_ok=True)
        warehouse, process = build(incremental_dir, data_dir=export)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        log = (incremental_dir / "warehouse.duckdb.runs.jsonl").read_text().splitlines()
        assert json.loads(log[-1])["mode"] == mode, log[-1]
        if month == "2025-05":
            assert "customers rows from" in json.loads(log[-1])["mode_reason"], log[-1]
            with duckdb.connect() as con:
                (moved_to,) = con.execute(
                    f"select segment from read_parquet('{export}/customers.parquet')"
                    " where customer_id = ?",
                    [moved],
                ).fetchone()
            dim = "select segment from marts.dim_customers where customer_id = ?"
            assert rows(warehouse, dim, [moved]) == [(moved_to,)]
        if mode == "full":
            continue
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
        if month == "2025-03":
            # The backdated price changes inside the window are causes of movement on both builds
            # (DECISIONLOG "Causes of expansion and contraction"): the comparison is not of zeros.
            repriced = rows(
                warehouse,
                "select count(*) from intermediate.int_mrr_movement_causes_attributed"
                " where month = date '2025-01-01' and price_mrr > 0",
            )[0][0]
            assert repriced >= 3
    # A month kept from an earlier build, corrupted in the published file (one movement row of
    # 2024-06 twice): the next run is incremental (the inputs did not change), its key test checks
    # only the window and passes, and the reconciliation over all history fails the audit.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """insert into intermediate.int_mrr_movements_classified
            select * from intermediate.int_mrr_movements_classified
            where month = date '2024-06-01' order by customer_id limit 1"""
        )
    _, process = build(incremental_dir, data_dir=tmp_path / "export")
    assert process.returncode != 0, process.stdout[-3000:]
    last = json.loads(
        (incremental_dir / "warehouse.duckdb.runs.jsonl").read_text().splitlines()[-1]
    )
    assert (last["mode"], last["result"]) == ("incremental", "audit_failed"), last
    assert "assert_incremental_months_reconcile" in last["message"], last["message"]
    # The key test ran on the window only: the duplicate before it is the reconciliation's to find.
    assert "unique_key_combination_int_mrr_movements_classified" not in last["message"]
