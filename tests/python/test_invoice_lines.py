"""Invoice lines (SPEC section 9): a folder holding invoice_lines instead of subscriptions is read
as invoice lines, mapped onto subscription periods, and reaches the same marts.

The fixture tests/fixtures/billing_shapes/invoice_lines bills three subscriptions: s1 (USD 100 a
month from 2024-01-15, upgraded to 200 on 2024-03-01 with a rounded proration credit and charge,
cancelled on 2024-04-10 with a rounded credit), s2 (EUR 1,200 a year from 2024-01-31, fx 1.1) and
s3 (JPY 3,000 a month on a month-end anchor, 01-31 -> 02-29 -> 03-31 -> 04-30, fx 0.0067, ending
2024-04-30), and one one_time JPY 500 setup fee.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest
from conftest import PROJECT_DIR, build, rows

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "billing_shapes" / "invoice_lines"


@pytest.fixture(scope="module")
def invoice_warehouse(tmp_path_factory):
    warehouse, process = build(
        tmp_path_factory.mktemp("invoice_lines"), "--as-of", "2024-05", data_dir=FIXTURE
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse


def test_lines_give_the_mrr_of_the_periods_they_bill(invoice_warehouse):
    # Jan: 100 + 110 + 20.10; Mar (upgrade on the 1st, rounded prorations read exactly): 200 + ...;
    # Apr: s1 cancelled on the 10th (credited to 0) and s3 ended on the 30th: only s2.
    assert rows(
        invoice_warehouse,
        "select month, ending_mrr, active_customers, churned_customers"
        " from marts.mrr_bridge_monthly order by month",
    ) == [
        (m, Decimal(mrr), active, churned)
        for m, mrr, active, churned in [
            (dt.date(2024, 1, 1), "230.1000000000", 3, 0),
            (dt.date(2024, 2, 1), "230.1000000000", 3, 0),
            (dt.date(2024, 3, 1), "330.1000000000", 3, 0),
            (dt.date(2024, 4, 1), "110.0000000000", 1, 2),
            (dt.date(2024, 5, 1), "110.0000000000", 1, 0),
        ]
    ]
    assert rows(
        invoice_warehouse,
        "select month, customer_id, movement_type, expansion_mrr from marts.fct_mrr_movements"
        " where customer_id = 'c1' and month = '2024-03-01'",
    ) == [(dt.date(2024, 3, 1), "c1", "expansion", Decimal("100.0000000000"))]


def test_one_time_lines_are_revenue_not_mrr(invoice_warehouse):
    assert rows(
        invoice_warehouse,
        "select month, customer_id, line_type, invoice_lines, revenue"
        " from marts.non_recurring_revenue_monthly",
    ) == [(dt.date(2024, 2, 1), "c3", "one_time", 1, Decimal("3.3500000000"))]


def test_every_line_is_reconciled(invoice_warehouse):
    assert rows(
        invoice_warehouse,
        "select source_table, rows_in, rows_used, rows_rejected, rows_reconcile"
        " from audit.input_reconciliation order by source_table",
    ) == [
        ("customers", 3, 3, 0, True),
        ("fx_rates", 2, 2, 0, True),
        ("invoice_lines", 11, 11, 0, True),
        ("subscriptions", 0, 0, 0, True),
    ]


def test_bad_lines_are_quarantined_with_reasons(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    with (data / "invoice_lines.csv").open("a") as lines:
        lines.write("l12,c1,s1,pro,2024-04-01,2024-04-01,5,USD,1,month,\n")
        lines.write("l13,c2,s2,ent,2024-06-30,2025-06-30,1200.00,EUR,1,year,\n")
        lines.write("l14,c1,s9,pro,2024-04-01,2024-04-20,5,USD,1,,\n")
        lines.write(",c1,s1,pro,2024-04-01,2024-04-20,5,USD,1,month,\n")
    # 4 rejected of 15 lines is over the 5 % limit: let the build publish to inspect them.
    warehouse, process = build(
        tmp_path, "--as-of", "2024-05", "--max-rejected-pct", "50", data_dir=data
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert rows(
        warehouse,
        "select row_key, reason_code from audit.rejected_rows where source_table = 'invoice_lines'"
        " order by row_key",
    ) == [
        ("", "missing_key"),
        ("l12", "end_not_after_start"),
        ("l13", "overlapping_cycle"),
        ("l14", "partial_line_without_cycle"),
    ]
    assert rows(
        warehouse,
        "select rows_in, rows_used, rows_rejected, rows_reconcile from audit.input_reconciliation"
        " where source_table = 'invoice_lines'",
    ) == [(15, 11, 4, True)]


def test_a_folder_with_both_shapes_is_one_line_error(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    (data / "subscriptions.csv").write_text(
        "subscription_id,customer_id,start_date,unit_amount\ns1,c1,2024-01-01,10\n"
    )
    _, process = build(tmp_path, data_dir=data)
    assert process.returncode != 0
    output = process.stdout + process.stderr
    assert "subscriptions.csv and invoice_lines.csv both exist" in output
    assert "Traceback" not in output
