"""Load a folder of input CSVs into a DuckDB file as source tables, with dlt (a real loader).

The source-table route (docs/own-data.md "Source tables") reads tables a loader such as dlt,
Fivetran or Airbyte wrote. This script is that loader for the demo and the examples: it reads the
subscriptions (or invoice_lines, or Stripe's invoice_line_item, invoice, customer and price),
customers and fx_rates CSVs (the demo seeds' `raw_` prefix is dropped) and writes them with dlt's
`duckdb` destination into one schema (dlt's dataset) of a DuckDB file, offline.

    python tools/load_source_tables.py --csv-dir seeds/demo --database /tmp/loader.duckdb \\
        --schema billing [--as-text]

Columns are typed as a loader types them: dates as DATE, amounts and rates as DECIMAL, quantity as
BIGINT, when every value of the column parses so (else the column stays text, as a loader keeps a
column it cannot type); `--as-text` keeps every column text. Empty cells are nulls, and dlt creates
no column whose values are all null (the pipeline reads an absent optional column as null). dlt adds
its own `_dlt_load_id` and `_dlt_id` columns, which the pipeline ignores.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

# Stripe's tables (the billing shape `stripe`) as the Fivetran connector names them.
STRIPE_TABLES = ["invoice_line_item", "invoice", "customer", "price", "plan"]
TABLES = ["subscriptions", "invoice_lines", *STRIPE_TABLES, "customers", "fx_rates"]
# Stripe's period timestamps, loaded as UTC datetimes (dlt writes TIMESTAMP WITH TIME ZONE).
TIMESTAMP_COLUMNS = {"period_start", "period_end"}
# Stripe amounts stay text: the simulated history's minor-unit amounts keep sub-cent digits that
# neither a double nor dlt's decimal (38, 9) holds exactly (a connector's are integers).
STRIPE_TEXT_COLUMNS = {"amount", "amount_excluding_tax", "discount_amount"}
DATE_COLUMNS = {"start_date", "end_date", "service_start", "service_end"}
DECIMAL_COLUMNS = {"unit_amount", "discount_pct", "rate_to_reporting"}
# An invoice line's amount as a double: a prorated amount written at full precision has more
# decimal places than dlt's default decimal (38, 9) keeps.
FLOAT_COLUMNS = {"amount"}
INTEGER_COLUMNS = {"quantity"}


def csv_file(csv_dir: Path, table: str) -> Path | None:
    """csv_dir/<table>.csv, or the demo seed's raw_<table>.csv; None when neither exists."""
    for name in (f"{table}.csv", f"raw_{table}.csv"):
        if (csv_dir / name).is_file():
            return csv_dir / name
    return None


def utc_timestamp(value: str) -> datetime:
    """An ISO timestamp, or Unix epoch seconds (Stripe's API), as a UTC datetime (a naive one is
    UTC, as Stripe's are)."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def typed(column: str, values: list[str], table: str = "") -> list:
    """The column's values as a loader types them; text when a non-empty value does not fit."""
    if table in STRIPE_TABLES and column in STRIPE_TEXT_COLUMNS:
        return [value if value.strip() else None for value in values]
    parse = (
        utc_timestamp
        if column in TIMESTAMP_COLUMNS
        else date.fromisoformat
        if column in DATE_COLUMNS
        else Decimal
        if column in DECIMAL_COLUMNS
        else float
        if column in FLOAT_COLUMNS
        else int
        if column in INTEGER_COLUMNS
        else None
    )
    present = [value.strip() for value in values]
    if parse is None:
        return [value if value.strip() else None for value in values]
    try:
        return [parse(value) if value else None for value in present]
    except (ValueError, InvalidOperation):
        return [value if value.strip() else None for value in values]


def read_rows(path: Path, as_text: bool, table: str = "") -> list[dict]:
    """The CSV's rows as dicts; empty cells None, typed unless as_text."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    if not records:
        return []
    columns = {
        name: (
            [r[name] if r[name].strip() else None for r in records]
            if as_text
            else typed(name, [r[name] for r in records], table)
        )
        for name in records[0]
    }
    return [{name: columns[name][i] for name in columns} for i in range(len(records))]


def load(csv_dir: Path, database: Path, schema: str, as_text: bool = False) -> dict[str, int]:
    """Write every input CSV of csv_dir as a table of `schema` in `database`; rows per table."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # offline: no telemetry call
    import dlt  # imported here: only this command needs it

    loaded = {}
    with tempfile.TemporaryDirectory(prefix="nrr-dlt-") as pipelines_dir:
        pipeline = dlt.pipeline(
            pipeline_name=f"nrr_{schema}",
            destination=dlt.destinations.duckdb(str(database)),
            dataset_name=schema,
            pipelines_dir=pipelines_dir,
        )
        for table in TABLES:
            path = csv_file(csv_dir, table)
            if path is None:
                continue
            records = read_rows(path, as_text, table)
            pipeline.run(records, table_name=table, write_disposition="replace")
            loaded[table] = len(records)
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv-dir", type=Path, required=True, help="folder of the input CSVs")
    parser.add_argument("--database", type=Path, required=True, help="DuckDB file to write")
    parser.add_argument("--schema", default="billing", help="schema (dlt dataset) to write into")
    parser.add_argument("--as-text", action="store_true", help="keep every column as text")
    args = parser.parse_args(argv)
    if all(
        csv_file(args.csv_dir, table) is None
        for table in ("subscriptions", "invoice_lines", "invoice_line_item")
    ):
        print(
            f"{args.csv_dir}: no subscriptions.csv, invoice_lines.csv or invoice_line_item.csv"
            " (or raw_subscriptions.csv)",
            file=sys.stderr,
        )
        return 1
    for table, count in load(args.csv_dir, args.database, args.schema, args.as_text).items():
        print(f"{args.database}: {args.schema}.{table}: {count:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
