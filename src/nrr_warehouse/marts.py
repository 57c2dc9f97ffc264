"""The read side: one way to read the marts of a built warehouse, for the summary, the report,
the export and the examples.

Every read opens the file read-only (a running BI tool or build never blocks it, nor it them) and
returns rows as dicts keyed by the column names the query gives, so no column list is kept by hand.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb

from nrr_warehouse import publish as wap
from nrr_warehouse.errors import HarnessError
from nrr_warehouse.project import PROG

# The order segments are shown in (SPEC section 3's segments, then the company as a whole first).
SEGMENT_ORDER = ["All", "SMB", "Mid-Market", "Enterprise", "Unknown"]


def check_readable(warehouse: Path) -> None:
    """HarnessError, in one line, unless `warehouse` is a DuckDB file (checked by its header)."""
    if not warehouse.exists():
        raise HarnessError(f"{warehouse}: no such warehouse; run `{PROG} build` first")
    try:
        wap.storage_version(warehouse)
    except (OSError, ValueError, struct.error) as error:
        reason = "not a DuckDB database file" if not isinstance(error, OSError) else error.strerror
        raise HarnessError(f"{warehouse}: cannot read it as a warehouse: {reason}") from None


@contextlib.contextmanager
def connect(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a warehouse (one consistent state for several reads)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield con


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows of a query as dicts keyed by column name."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read(warehouse: Path, sql: str, params: list | None = None) -> list[dict]:
    """Rows of one query against a warehouse, read-only, as dicts keyed by column name."""
    with connect(warehouse) as con:
        return fetch(con, sql, params)


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table and view of schema `marts`, by name."""
    found = fetch(
        con,
        # Tables and views: fct_mrr_movements is a view (DECISIONLOG
        # "fct_mrr_movements is a view over the stored movements").
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' order by table_name",
    )
    return [row["table_name"] for row in found]


def by_segment(rows: list[dict]) -> dict[str, dict]:
    """Rows keyed by their `segment`, in SEGMENT_ORDER (other segments after, by name)."""
    order = {name: i for i, name in enumerate(SEGMENT_ORDER)}
    ordered = sorted(rows, key=lambda row: (order.get(row["segment"], len(order)), row["segment"]))
    return {row["segment"]: row for row in ordered}


def period_rows(warehouse: Path, period_months: int, end_month: str | None = None) -> dict:
    """nrr_by_period rows of one period length and end month (default: the latest), by segment."""
    rows = read(
        warehouse,
        """
        select segment, period_start_month, period_end_month, cohort_customers,
               starting_mrr, expansion_mrr, contraction_mrr, churned_mrr, ending_mrr,
               nrr_pct, grr_pct, logo_retention_pct
        from marts.nrr_by_period
        where period_months = ?
          and period_end_month = coalesce(
                cast(? as date), (select max(month) from marts.mrr_bridge_monthly))
        """,
        [period_months, end_month],
    )
    return by_segment(rows)


def segment_benchmark_rows(warehouse: Path, end_month: date) -> dict:
    """segment_benchmarks rows of one end month, by segment: band, position, leaky flag."""
    rows = read(
        warehouse,
        """
        select segment, benchmark_low_pct, benchmark_high_pct, position, leaky_bucket
        from marts.segment_benchmarks
        where period_end_month = ?
        """,
        [end_month],
    )
    return by_segment(rows)


def company_benchmark_row(warehouse: Path, end_month: date) -> dict | None:
    """The company_benchmark row of one end month (stage, rating, lines, leaky flag), if any."""
    rows = read(
        warehouse,
        """
        select ending_arr, company_stage, nrr_pct, grr_pct, rating,
               median_nrr_pct, best_in_class_nrr_pct, leaky_bucket
        from marts.company_benchmark
        where period_end_month = ?
        """,
        [end_month],
    )
    return rows[0] if rows else None


def latest_month(warehouse: Path) -> dict:
    """The latest month of mrr_bridge_monthly: month, ending MRR and ARR, active customers."""
    return read(
        warehouse,
        """
        select month, ending_mrr, ending_arr, active_customers
        from marts.mrr_bridge_monthly
        order by month desc
        limit 1
        """,
    )[0]
