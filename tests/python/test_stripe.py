"""Stripe tables (SPEC section 9): a folder holding Stripe's invoice_line_item (with invoice and
price), as the Fivetran connector loads them, is read as Stripe and mapped onto invoice lines.

The fixture tests/fixtures/billing_shapes/stripe bills exactly what the invoice-line fixture
(test_invoice_lines.py) bills, the way Stripe holds it: amounts in cents (JPY in yen), lower-case
currencies, UTC timestamps at the anchor's time of day, prorations as `invoiceitem` lines flagged
`proration`, a 2,000-cent coupon beside one cycle (discount_amount), a tax-inclusive annual price
(amount with 20 % tax, amount_excluding_tax without), an open invoice, and a void and a draft
invoice repeating two cycles, which must not count.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import PROJECT_DIR, build, rows

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "billing_shapes"
STRIPE = FIXTURES / "stripe"
# The bad-line test rejects 3 of 14 counted lines: over the default 5 % rejected-share limit.
LIMIT = ("--max-rejected-pct", "50")


@pytest.fixture(scope="module")
def stripe_warehouse(tmp_path_factory):
    # The default rejected-share limit: 2 of the 13 lines are on a draft or void invoice (15 %),
    # which is billing history left out by rule, not bad input, so the build publishes.
    warehouse, process = build(
        tmp_path_factory.mktemp("stripe"), "--as-of", "2024-05", data_dir=STRIPE
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse


def test_stripe_gives_the_marts_of_the_invoice_lines_it_holds(stripe_warehouse, tmp_path):
    lines_warehouse, process = build(
        tmp_path, "--as-of", "2024-05", data_dir=FIXTURES / "invoice_lines"
    )
    assert process.returncode == 0, process.stdout[-3000:]
    tables = [
        name
        for (name,) in rows(
            lines_warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    ]
    assert len(tables) >= 10
    for table in tables:
        query = f'select * from marts."{table}" order by all'
        assert rows(stripe_warehouse, query) == rows(lines_warehouse, query), table
    # The known figures (test_invoice_lines.py): the coupon netted, the tax excluded, JPY in yen.
    assert rows(
        stripe_warehouse,
        "select cast(ending_mrr as varchar) from marts.mrr_bridge_monthly order by month",
    ) == [(mrr,) for mrr in ("230.1000000000",) * 2 + ("330.1000000000",) + ("110.0000000000",) * 2]


def test_draft_and_void_invoices_are_quarantined_and_reconciled(stripe_warehouse):
    assert rows(
        stripe_warehouse,
        "select source_table, row_key, reason_code, reason from audit.rejected_rows"
        " order by row_key",
    ) == [
        (
            "invoice_lines",
            "il_12",
            "invoice_not_counted",
            "the line's invoice does not count: void",
        ),
        (
            "invoice_lines",
            "il_13",
            "invoice_not_counted",
            "the line's invoice does not count: draft",
        ),
    ]
    assert rows(
        stripe_warehouse,
        "select rows_in, rows_used, rows_rejected, rows_reconcile from audit.input_reconciliation"
        " where source_table = 'invoice_lines'",
    ) == [(13, 11, 2, True)]
    # The share of rejected rows counts neither side of the two uncounted invoices' lines.
    assert rows(
        stripe_warehouse,
        "select rows_read, rows_rejected, rejected_pct, passes, top_reasons"
        " from audit.input_quality",
    ) == [(11, 0, 0.0, True, "")]


def test_bad_stripe_lines_are_quarantined_with_reasons(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(STRIPE, data)
    with (data / "invoice_line_item.csv").open("a") as items:
        items.write(
            "il_14,in_99,sub_4,price_pro,2024-04-01,2024-05-01,10000,,,usd,1,subscription,false\n"
        )
        items.write(
            "il_15,in_1,sub_5,price_week,2024-04-01,2024-04-08,700,,,usd,1,subscription,false\n"
        )
        items.write(
            "il_16,in_1,sub_6,price_pro,2024-04-01,2024-05-01,ten,,,usd,1,subscription,false\n"
        )
        # A period that is neither a timestamp, ISO text nor epoch seconds.
        items.write("il_17,in_1,sub_7,price_pro,soon,2024-05-01,10000,,,usd,1,subscription,false\n")
        # Malformed lines (SPEC section 8): a short row and a broken quote, lines 19 and 20.
        items.write("il_18,in_1\n")
        items.write('il_19,in_1,sub_8,"price_pro,2024-04-01\n')
    with (data / "price.csv").open("a") as prices:
        prices.write("price_week,week,1,licensed,week\n")
    with (data / "customer.csv").open("a") as customers:
        customers.write("c4,Four,,not json,NA,,,false\n")  # metadata not JSON: segment Unknown
        customers.write("c5,Five,,{},,,,\n")  # no segment key: Unknown
        customers.write("c6,Six\n")  # malformed: a short row, line 7
    warehouse, process = build(tmp_path, "--as-of", "2024-05", *LIMIT, data_dir=data)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert rows(
        warehouse,
        "select source_table, row_key, reason_code from audit.rejected_rows"
        " where reason_code != 'invoice_not_counted' order by row_key",
    ) == [
        ("invoice_lines", "il_14", "invoice_not_found"),
        ("invoice_lines", "il_15", "unknown_billing_interval"),
        ("invoice_lines", "il_16", "unparseable_required_value"),
        ("invoice_lines", "il_17", "unparseable_required_value"),
        ("invoice_lines", "line 19 of invoice_line_item", "malformed_line"),
        ("invoice_lines", "line 20 of invoice_line_item", "malformed_line"),
        ("customers", "line 7 of customer", "malformed_line"),
    ]
    # Every line read is used or rejected, the malformed ones included, in the audited tables.
    assert rows(
        warehouse,
        "select source_table, rows_in, rows_used, rows_rejected, rows_reconcile"
        " from audit.input_reconciliation order by source_table",
    ) == [
        ("customers", 6, 5, 1, True),
        ("fx_rates", 2, 2, 0, True),
        ("invoice_lines", 19, 11, 8, True),
        ("subscriptions", 0, 0, 0, True),
    ]
    assert rows(
        warehouse,
        "select customer_id, segment_raw, segment, country"
        " from intermediate.int_customer_rows_validated"
        " where customer_id in ('c4', 'c5') order by customer_id",
    ) == [("c4", None, "Unknown", "NA"), ("c5", None, "Unknown", None)]


def test_stripe_customer_maps_onto_customers_and_a_customers_table_wins(stripe_warehouse, tmp_path):
    # The fixture's customer table: the segment from metadata (normalised), the country from the
    # address else the shipping address, a deleted customer (c2) kept with its segment.
    assert rows(
        stripe_warehouse,
        "select customer_id, customer_name, segment, country from marts.dim_customers"
        " order by customer_id",
    ) == [
        ("c1", "One", "SMB", "US"),
        ("c2", "Two", "Enterprise", "DE"),
        ("c3", "Three", "Mid-Market", "JP"),
    ]
    data = tmp_path / "data"
    shutil.copytree(STRIPE, data)
    (data / "customers.csv").write_text(
        "customer_id,customer_name,segment,country\nc1,One Inc,Enterprise,GB\n"
    )
    warehouse, process = build(tmp_path, "--as-of", "2024-05", data_dir=data)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    # The company's own segmentation wins; Stripe's customer table is not read at all.
    assert rows(
        warehouse,
        "select customer_id, customer_name, segment, country from marts.dim_customers"
        " order by customer_id",
    ) == [("c1", "One Inc", "Enterprise", "GB"), ("c2", None, "Unknown", None),
          ("c3", None, "Unknown", None)]  # fmt: skip
    assert rows(
        warehouse,
        "select rows_in, rows_used, customers_added_from_subscriptions"
        " from audit.input_reconciliation where source_table = 'customers'",
    ) == [(1, 1, 2)]


def test_stripe_without_any_customers_table_is_one_line_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(STRIPE, data)
    (data / "customer.csv").unlink()
    _, process = build(tmp_path, data_dir=data)
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "customers.csv (or .parquet): required input file is missing" in output
    assert "Traceback" not in output


def test_stripe_beside_invoice_lines_is_one_line_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(STRIPE, data)
    shutil.copy(FIXTURES / "invoice_lines" / "invoice_lines.csv", data)
    _, process = build(tmp_path, data_dir=data)
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "invoice_lines.csv and invoice_line_item.csv both exist" in output
    assert "Traceback" not in output
