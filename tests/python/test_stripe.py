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
    with (data / "price.csv").open("a") as prices:
        prices.write("price_week,week,1,licensed\n")
    warehouse, process = build(tmp_path, "--as-of", "2024-05", *LIMIT, data_dir=data)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert rows(
        warehouse,
        "select row_key, reason_code from audit.rejected_rows"
        " where reason_code != 'invoice_not_counted' order by row_key",
    ) == [
        ("il_14", "invoice_not_found"),
        ("il_15", "unknown_billing_interval"),
        ("il_16", "unparseable_required_value"),
    ]


def test_stripe_beside_invoice_lines_is_one_line_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(STRIPE, data)
    shutil.copy(FIXTURES / "invoice_lines" / "invoice_lines.csv", data)
    _, process = build(tmp_path, data_dir=data)
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "invoice_lines.csv and invoice_line_item.csv both exist" in output
    assert "Traceback" not in output
