"""Benchmark placeholder (filled in below)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def cut_snapshot(source: Path, target: Path, as_of_month: str) -> Path:
    """The billing export as it looked at the end of `as_of_month` (YYYY-MM): periods starting later
    are not there yet, and an end date after that month was not known yet (the period is open)."""
    target.mkdir(parents=True, exist_ok=True)
    month_end = f"(date '{as_of_month}-01' + interval 1 month - interval 1 day)"
    with duckdb.connect() as con:
        con.execute(
            f"""copy (
                select * replace (
                    case when end_date > {month_end} then null else end_date end as end_date
                )
                from read_parquet('{source}/subscriptions.parquet')
                where start_date <= {month_end}
            ) to '{target}/subscriptions.parquet' (format parquet)"""
        )
        for table in ("customers", "fx_rates"):
            con.execute(
                f"copy (select * from read_parquet('{source}/{table}.parquet')) "
                f"to '{target}/{table}.parquet' (format parquet)"
            )
    return target
