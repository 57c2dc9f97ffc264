"""Account families (issue 17, part 1): parent_customer_id on the customers input, the family of a
customer (the root of its chain), the quarantine of a cycle or an unknown parent, and NRR, GRR and
logo retention at the family grain beside the customer grain (docs/marts.md "Account families")."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_DIR, rows, run_harness

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "account_families"
PERIOD = "period_end_month = date '2024-04-01' and period_months = 3"
FIVE_SIXTHS = round(100 * 150 / 180, 6)
NRR_COLUMNS = (
    "segment, cohort_customers, retained_customers, starting_mrr, expansion_mrr, contraction_mrr,"
    " churned_mrr, ending_mrr, round(nrr_pct, 6), round(grr_pct, 6), round(logo_retention_pct, 6)"
)


@pytest.fixture(scope="module")
def families_build(shared_build):
    warehouse, process = shared_build("--as-of", "2024-04", data_dir=FIXTURE)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse, process


def test_families_resolve_to_the_root_of_each_chain(families_build):
    warehouse, _ = families_build
    assert rows(
        warehouse,
        "select customer_id, parent_customer_id, family_id, family_segment, family_depth,"
        " family_members from marts.dim_account_families order by customer_id",
    ) == [
        ("A", None, "A", "SMB", 0, 1),
        ("B", None, "B", "SMB", 0, 1),
        ("G", "S", "P", "Enterprise", 2, 3),
        ("N1", None, "N1", "SMB", 0, 2),
        ("N2", "N1", "N1", "SMB", 1, 2),
        ("P", None, "P", "Enterprise", 0, 3),
        ("S", "P", "P", "Enterprise", 1, 3),
        ("U", None, "U", "SMB", 0, 1),
    ]


def test_cycle_and_unknown_parent_are_quarantined_and_reconcile(families_build):
    warehouse, process = families_build
    assert rows(
        warehouse,
        "select row_key, reason_code, raw_values from audit.rejected_rows"
        " where source_table = 'customer_parents' order by row_key",
    ) == [
        ("A", "parent_cycle", '{"customer_id":"A","parent_customer_id":"B"}'),
        ("B", "parent_cycle", '{"customer_id":"B","parent_customer_id":"A"}'),
        ("U", "parent_unknown", '{"customer_id":"U","parent_customer_id":"ghost"}'),
    ]
    # The customers themselves are used (each its own family): 8 rows in, 8 used. The parent links
    # reconcile on their own row: 6 given = 3 used + 3 rejected.
    assert rows(
        warehouse,
        "select source_table, rows_in, rows_used, rows_rejected, rows_reconcile"
        " from audit.input_reconciliation where source_table like 'customer%' order by 1",
    ) == [("customer_parents", 6, 3, 3, True), ("customers", 8, 8, 0, True)]
    assert "customer_parents" in process.stdout
    assert "parent_cycle" in process.stdout


def test_subsidiary_churn_is_a_family_contraction(families_build):
    warehouse, _ = families_build
    # Customer grain: S churns (50) while P expands (+20): GRR 200/250 = 80, 5 of 6 logos kept.
    assert rows(
        warehouse,
        f"select {NRR_COLUMNS} from marts.nrr_by_period where {PERIOD} and segment = 'All'",
    ) == [("All", 6, 5, 250, 20, 0, 50, 220, 88.0, 80.0, round(500 / 6, 6))]
    # Family grain: P's family goes 180 -> 150, a contraction of 30 and no churn; the new family
    # N1 + N2 is not in the cohort; A, B and U (quarantined parents) are families of one.
    assert rows(
        warehouse,
        f"select {NRR_COLUMNS} from marts.family_nrr_by_period where {PERIOD} order by segment",
    ) == [
        ("All", 4, 4, 250, 0, 30, 0, 220, 88.0, 88.0, 100.0),
        ("Enterprise", 1, 1, 180, 0, 30, 0, 150, FIVE_SIXTHS, FIVE_SIXTHS, 100.0),
        ("SMB", 3, 3, 70, 0, 0, 0, 70, 100.0, 100.0, 100.0),
    ]  # fmt: skip


def test_demo_families_leave_the_customer_grain_unchanged(demo_warehouse):
    """The demo names parents for 18 customers: its customer-grain figures are those of a demo
    without them, and its family grain nets subsidiaries' churn into contraction (GRR up, NRR the
    same)."""
    trailing = (
        "select round(nrr_pct, 1), round(grr_pct, 1), cohort_customers from marts.{}"
        " where segment = 'All' and period_months = 12 and period_end_month = date '2025-12-01'"
    )
    assert rows(demo_warehouse, trailing.format("nrr_by_period")) == [(114.7, 91.8, 179)]
    assert rows(demo_warehouse, trailing.format("family_nrr_by_period")) == [(114.7, 92.0, 171)]
    assert rows(
        demo_warehouse,
        "select count(*), count(distinct family_id), max(family_members)"
        " from marts.dim_account_families",
    ) == [(400, 382, 3)]


def test_report_shows_the_family_grain_beside_the_customer_grain(demo_warehouse, tmp_path):
    out = tmp_path / "report.html"
    process = run_harness("report", "--warehouse", demo_warehouse, "--out", out)
    assert process.returncode == 0, process.stdout + process.stderr
    page = out.read_text()
    shown = dict(
        re.findall(r'data-mart="(family_nrr_by_period\.[a-z_]+)" data-value="([^"]*)"', page)
    )
    nrr, grr, logos = rows(
        demo_warehouse,
        "select nrr_pct, grr_pct, logo_retention_pct from marts.family_nrr_by_period"
        " where segment = 'All' and period_months = 12 and period_end_month = date '2025-12-01'",
    )[0]
    assert shown == {
        "family_nrr_by_period.nrr_pct": str(nrr),
        "family_nrr_by_period.grr_pct": str(grr),
        "family_nrr_by_period.logo_retention_pct": str(logos),
    }
    assert "GRR <strong" in page and ">92.0 %</strong>" in page
    assert "15 of 382 families have more than one member" in page
