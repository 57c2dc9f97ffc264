"""Incremental monthly runs give the same marts as a full refresh.

Snapshots of one generated company (about 300 customers) cut at successive as-of months land in one
export folder, as a scheduled export does, and are built in sequence into one warehouse, each run
incremental on a copy of the published file (the harness default once a warehouse exists and its
inputs come from the same place; a new folder is a full refresh, see test_build_mode.py). After each
run every mart, and every incremental model, must equal a `--full-refresh` build of the same
snapshot. The last snapshot also carries backdated changes inside the look-back window: price
changes and churns dated two months back, and a late-arriving new period.
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
        export = tmp_path / "export"
        shutil.copytree(snapshot, export, dirs_exist_ok=True)
        warehouse, process = build(incremental_dir, data_dir=export)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        log = (incremental_dir / "warehouse.duckdb.runs.jsonl").read_text().splitlines()
        assert json.loads(log[-1])["mode"] == ("full" if number == 0 else "incremental"), log[-1]
        if number == 0:
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
    # The backdated price changes inside the window are causes of movement on both builds
    # (DECISIONLOG "Causes of expansion and contraction"): the comparison above is not of zeros.
    repriced = rows(
        warehouse,
        "select count(*) from intermediate.int_mrr_movement_causes_attributed"
        " where month = date '2025-01-01' and price_mrr > 0",
    )[0][0]
    assert repriced >= 3
