"""One simulated history in three input shapes gives identical marts (SPEC section 9).

tools/generate_demo_data.py writes the demo's history as subscription periods and, with
`--shape invoice_lines`, as the invoice lines a biller issues for it (nrr_warehouse.billing_shapes):
cycles on the subscription's anchor day (month-end anchors included), proration credits and charges
for upgrades, downgrades and seat changes inside a cycle, a credit for a cancellation inside a
cycle, a new anchor on a switch to annual billing, monthly, quarterly and annual plans. With
`--zero-decimal-currency` its GBP customers pay in JPY. With `--shape stripe` the same invoice
lines are Stripe's tables (invoice_line_item, invoice, price) as the Fivetran connector loads them,
plus draft and void invoices that must not count. Every folder is built with the same as-of month,
from files and from dlt-loaded source tables, and every mart must be the same, row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, build, rows

GENERATOR = PROJECT_DIR / "tools" / "generate_demo_data.py"
LOADER = PROJECT_DIR / "tools" / "load_source_tables.py"
AS_OF = "2025-12"  # the window's last month (a running subscription's last line ends after it)


def generate(out: Path, shape: str) -> Path:
    process = subprocess.run(
        [sys.executable, GENERATOR, "--out", out, "--prefix", "", "--shape", shape,
         "--zero-decimal-currency"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    return out


def marts_of(warehouse: Path) -> dict[str, list[tuple]]:
    tables = [
        name
        for (name,) in rows(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'"
            " order by table_name",
        )
    ]
    assert len(tables) >= 8, tables
    return {t: rows(warehouse, f'select * from marts."{t}" order by all') for t in tables}


def assert_identical(got: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    """Every mart, every row, every column (the exact ARR columns included) is the same; the message
    names every table that differs and its first differing row."""
    differing = {
        table: next(
            ((g, e) for g, e in zip(got[table], expected[table], strict=False) if g != e),
            (len(got[table]), len(expected[table])),
        )
        for table in expected
        if got[table] != expected[table]
    }
    assert differing == {}, differing


SHAPES = ("periods", "invoice_lines", "stripe")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shapes")
    return {shape: generate(root / shape, shape) for shape in SHAPES}


@pytest.fixture(scope="module")
def built(shapes, tmp_path_factory) -> dict[str, Path]:
    """Each shape's folder built from files, with the same as-of month."""
    root = tmp_path_factory.mktemp("built")
    warehouses = {}
    for shape, data_dir in shapes.items():
        warehouse, process = build(root / shape, "--as-of", AS_OF, data_dir=data_dir)
        assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
        warehouses[shape] = warehouse
    warehouses["stripe_folder"] = shapes["stripe"]
    return warehouses


def test_the_invoice_lines_bill_what_the_issue_asks_for(shapes):
    with (shapes["invoice_lines"] / "invoice_lines.csv").open() as lines_file:
        lines = list(csv.DictReader(lines_file))
    starts = [dt.date.fromisoformat(line["service_start"]) for line in lines]
    ends = [dt.date.fromisoformat(line["service_end"]) for line in lines]
    credits = [line for line in lines if float(line["amount"]) < 0]
    assert len(credits) > 100  # prorations of changes and cancellations inside a cycle
    assert {line["billing_interval"].lower() for line in lines} >= {"month", "quarter", "year"}
    assert "JPY" in {line["currency"] for line in lines}
    # Month-end anchors: a cycle from the 31st ends on a shorter month's last day (and back).
    assert any(s.day == 31 and e.day in (28, 29, 30) for s, e in zip(starts, ends, strict=True))
    assert any(
        s.month == 2 and s.day in (28, 29) and e.day == 31
        for s, e in zip(starts, ends, strict=True)
    )
    assert not (shapes["invoice_lines"] / "subscriptions.csv").exists()


def test_the_stripe_tables_are_what_the_connector_loads(shapes):
    folder = shapes["stripe"]
    assert sorted(p.stem for p in folder.glob("*.csv")) == [
        "customer", "fx_rates", "invoice", "invoice_line_item", "price",
    ]  # fmt: skip
    with (folder / "invoice_line_item.csv").open() as items_file:
        items = list(csv.DictReader(items_file))
    with (folder / "invoice.csv").open() as invoices_file:
        statuses = {row["id"]: row["status"] for row in csv.DictReader(invoices_file)}
    with (shapes["invoice_lines"] / "invoice_lines.csv").open() as lines_file:
        lines = {f"il_{row['line_id']}": row for row in csv.DictReader(lines_file)}
    assert {item["currency"] for item in items} == {"usd", "eur", "jpy"}  # lower case
    assert any(item["proration"] == "true" and item["type"] == "invoiceitem" for item in items)
    assert any(item["discount_amount"] for item in items)
    assert any(item["amount_excluding_tax"] for item in items)
    assert {"draft", "void", "paid"} == set(statuses.values())
    for item in items:
        if statuses[item["invoice_id"]] != "paid":
            continue
        line = lines[item["id"]]
        # Minor units (cents, yen as they are); net: amount (or amount_excluding_tax) - discount.
        net = Decimal(item["amount_excluding_tax"] or item["amount"]) - Decimal(
            item["discount_amount"] or 0
        )
        assert net == Decimal(line["amount"]) * (1 if item["currency"] == "jpy" else 100), item
        # A UTC timestamp, or epoch seconds (every third line): the same day either way.
        start = item["period_start"]
        if start.isdigit():
            start = dt.datetime.fromtimestamp(int(start), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        assert start.startswith(line["service_start"] + " "), item
    assert any(item["period_start"].isdigit() for item in items)
    # Stripe's customer table instead of the customers file: the segment in metadata.
    with (folder / "customer.csv").open() as customer_file:
        stripe_customers = list(csv.DictReader(customer_file))
    with (shapes["invoice_lines"] / "customers.csv").open() as customers_file:
        contract = list(csv.DictReader(customers_file))
    assert [
        (c["id"], json.loads(c["metadata"]).get("segment", ""),
         c["address_country"] or c["shipping_address_country"])
        for c in stripe_customers
    ] == [(c["customer_id"], c["segment"], c["country"]) for c in contract]  # fmt: skip
    assert any(c["is_deleted"] == "true" for c in stripe_customers)
    assert any(not c["address_country"] for c in stripe_customers)


def test_periods_invoice_lines_and_stripe_give_identical_marts(built):
    marts = {shape: marts_of(built[shape]) for shape in SHAPES}
    periods = marts["periods"]
    assert periods["mrr_bridge_monthly"] and periods["fct_mrr_movements"]
    for shape in ("invoice_lines", "stripe"):
        assert sorted(marts[shape]) == sorted(periods), shape
        assert_identical(marts[shape], periods)
    # Every line was used: nothing of the history was quarantined on the way ...
    reconciliation = rows(
        built["invoice_lines"],
        "select rows_in, rows_used, rows_rejected from audit.input_reconciliation"
        " where source_table = 'invoice_lines'",
    )
    assert reconciliation[0][0] == reconciliation[0][1] > 4000 and reconciliation[0][2] == 0
    # ... but for Stripe's draft and void invoices' lines, quarantined with their reason.
    assert rows(
        built["stripe"],
        "select reason_code, count(*) from audit.rejected_rows group by reason_code",
    ) == [("invoice_not_counted", not_counted(built["stripe_folder"]))]
    assert rows(
        built["stripe"],
        "select rows_in - rows_used, rows_rejected, rows_reconcile from audit.input_reconciliation"
        " where source_table = 'invoice_lines'",
    ) == [(not_counted(built["stripe_folder"]),) * 2 + (True,)]


def not_counted(folder: Path) -> int:
    """How many of a Stripe folder's invoice lines are on a draft or void invoice."""
    with (folder / "invoice.csv").open() as invoices_file:
        statuses = {row["id"]: row["status"] for row in csv.DictReader(invoices_file)}
    with (folder / "invoice_line_item.csv").open() as items_file:
        items = list(csv.DictReader(items_file))
    counted = sum(statuses[item["invoice_id"]] in ("draft", "void") for item in items)
    assert counted > 0
    return counted


@pytest.mark.parametrize("shape", ["invoice_lines", "stripe"])
def test_source_tables_give_the_same_marts(shape, shapes, built, tmp_path):
    # dlt writes the tables typed (dates as DATE, Stripe's periods as TIMESTAMP WITH TIME ZONE,
    # invoice-line amounts as DOUBLE).
    database = tmp_path / "loader.duckdb"
    process = subprocess.run(
        [sys.executable, LOADER, "--csv-dir", shapes[shape], "--database", database,
         "--schema", "lines"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    from_sources, process = build(
        tmp_path / "sources", "--as-of", AS_OF, "--source-database", database,
        "--source-schema", "lines",
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert_identical(marts_of(from_sources), marts_of(built["periods"]))


def test_the_periods_shape_is_still_the_demo(tmp_path):
    out = tmp_path / "demo"
    process = subprocess.run(
        [sys.executable, GENERATOR, "--out", out], capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stderr
    for table in ("subscriptions", "customers", "fx_rates"):
        demo = PROJECT_DIR / "seeds" / "demo" / f"raw_{table}.csv"
        assert (out / f"raw_{table}.csv").read_bytes() == demo.read_bytes(), table
