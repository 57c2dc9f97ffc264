"""NRR, GRR and the SaaS metrics by plan, country and ARR band (DECISIONLOG "Dimensions beside
segment"): hand-checked figures of SPEC example 1, and the demo's parts summing to the company."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EXAMPLES_DIR, rows

EXAMPLE_1 = EXAMPLES_DIR / "nrr_105"
ADDITIVE = [
    "cohort_customers",
    "retained_customers",
    "starting_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "ending_mrr",
]


@pytest.fixture(scope="module")
def example_1(shared_build):
    warehouse, process = shared_build(data_dir=EXAMPLE_1)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse


def test_example_1_by_plan_country_and_band(example_1):
    """SPEC example 1 over Jan 2024 to Jan 2025, by hand: Acme (enterprise, US) 50,000 -> 70,000,
    Bistro (business, FR) 10,000 -> churned, Cobalt (pro, US) 20,000 -> 15,000, Delta (enterprise,
    US) 20,000 kept. The company: 100,000 -> 105,000, NRR 105, GRR 85."""
    figures = {
        (dimension, value): (cohort, Decimal(starting), Decimal(ending), nrr, grr)
        for dimension, value, cohort, starting, ending, nrr, grr in rows(
            example_1,
            "select dimension, dimension_value, cohort_customers, starting_mrr, ending_mrr,"
            " nrr_pct, grr_pct from marts.nrr_by_dimension"
            " where period_months = 12 and period_end_month = ?",
            [date(2025, 1, 1)],
        )
    }
    expected = {
        ("plan", "enterprise"): (2, 70_000, 90_000, 100 * 90 / 70, 100.0),
        ("plan", "business"): (1, 10_000, 0, 0.0, 0.0),
        ("plan", "pro"): (1, 20_000, 15_000, 75.0, 75.0),
        ("country", "US"): (3, 90_000, 105_000, 100 * 105 / 90, 100 * 85 / 90),
        ("country", "FR"): (1, 10_000, 0, 0.0, 0.0),
        # Every customer's ARR at S is at least 120,000: one band.
        ("arr_band", "100k and up"): (4, 100_000, 105_000, 105.0, 85.0),
        ("segment", "Enterprise"): (2, 70_000, 90_000, 100 * 90 / 70, 100.0),
        ("segment", "Mid-Market"): (1, 10_000, 0, 0.0, 0.0),
        ("segment", "SMB"): (1, 20_000, 15_000, 75.0, 75.0),
    }
    for dimension in ["plan", "country", "arr_band", "segment"]:
        expected[(dimension, "All")] = (4, 100_000, 105_000, 105.0, 85.0)
    assert figures.keys() == expected.keys()
    for key, (cohort, starting, ending, nrr, grr) in expected.items():
        got = figures[key]
        assert got[:3] == (cohort, starting, ending), key
        assert got[3] == pytest.approx(nrr, abs=1e-9), key
        assert got[4] == pytest.approx(grr, abs=1e-9), key


def test_demo_nrr_parts_sum_to_all(demo_warehouse):
    """Segment, country and band split the company's cohort: every amount and count adds up. The
    plan parts add up to the starting MRR; their ending MRR falls short by the revenue of plans
    taken up inside the period, which some demo periods have."""
    totals = rows(
        demo_warehouse,
        f"""
        select dimension, dimension_value = 'All' as is_all, period_end_month, period_months,
               {", ".join(f"sum({column})" for column in ADDITIVE)}
        from marts.nrr_by_dimension
        group by all
        """,
    )
    company = {(d, e, k): figures for d, is_all, e, k, *figures in totals if is_all}
    parts = {(d, e, k): figures for d, is_all, e, k, *figures in totals if not is_all}
    assert company.keys() == parts.keys() and len(company) > 100
    ending = ADDITIVE.index("ending_mrr")
    starting = ADDITIVE.index("starting_mrr")
    for key, figures in company.items():
        if key[0] == "plan":
            assert parts[key][starting] == figures[starting], key
            assert parts[key][ending] <= figures[ending], key
        else:
            assert parts[key] == figures, key
    short = [k for k in company if k[0] == "plan" and parts[k][ending] < company[k][ending]]
    assert short, "no demo customer took up a plan inside a period: the plan rule is untested"


def test_demo_segment_and_all_rows_are_the_segment_marts(demo_warehouse):
    """The segment rows and every dimension's All are nrr_by_period's and saas_metrics_monthly's,
    and the company's latest MRR is the demo's 1,103,827.91 under every dimension."""
    for long_mart, mart, key in [
        ("nrr_by_dimension", "nrr_by_period", "period_end_month, period_months"),
        ("saas_metrics_by_dimension", "saas_metrics_monthly", "month"),
    ]:
        columns = [
            name
            for (name,) in rows(
                demo_warehouse,
                "select column_name from information_schema.columns"
                " where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [mart],
            )
        ]
        selected = ", ".join("dimension_value" if c == "segment" else c for c in columns)
        for where in ["dimension = 'segment'", "dimension = 'plan' and dimension_value = 'All'"]:
            mart_where = "true" if where.startswith("dimension = 'segment'") else "segment = 'All'"
            for first, second in [("long", "mart"), ("mart", "long")]:
                queries = {
                    "long": f"select {selected} from marts.{long_mart} where {where}",
                    "mart": f"select * from marts.{mart} where {mart_where}",
                }
                [(count,)] = rows(
                    demo_warehouse,
                    f"select count(*) from ({queries[first]} except all {queries[second]})",
                )
                assert count == 0, (long_mart, where, first, key)
    latest = rows(
        demo_warehouse,
        "select dimension, round(ending_mrr, 2), active_customers"
        " from marts.saas_metrics_by_dimension where dimension_value = 'All'"
        " and month = (select max(month) from marts.mrr_bridge_monthly) order by dimension",
    )
    assert latest == [
        (dimension, Decimal("1103827.91"), 287)
        for dimension in ["arr_band", "country", "plan", "segment"]
    ]


def test_demo_monthly_plan_parts_sum_to_the_company(demo_warehouse):
    """Every month, the plans' (and every dimension's) MRR at both month ends and ARR add up to
    the company's; a plan switch is a movement of two plans, so the plans' churn exceeds the
    company's."""
    totals = rows(
        demo_warehouse,
        """
        select dimension, month,
               sum(case when dimension_value = 'All' then starting_mrr end),
               sum(case when dimension_value != 'All' then starting_mrr end),
               sum(case when dimension_value = 'All' then ending_mrr end),
               sum(case when dimension_value != 'All' then ending_mrr end),
               sum(case when dimension_value = 'All' then ending_arr end),
               sum(case when dimension_value != 'All' then ending_arr end),
               sum(case when dimension_value = 'All' then churned_mrr end),
               sum(case when dimension_value != 'All' then churned_mrr end)
        from marts.saas_metrics_by_dimension
        group by all
        """,
    )
    assert len(totals) == 4 * 48
    for dimension, month, *figures in totals:
        all_start, start, all_end, end, all_arr, arr, all_churn, churn = figures
        assert (start, end, arr) == (all_start, all_end, all_arr), (dimension, month)
        if dimension != "plan":
            assert churn == all_churn, (dimension, month)
    plan_churn = sum(row[-1] for row in totals if row[0] == "plan")
    company_churn = sum(row[-2] for row in totals if row[0] == "plan")
    assert plan_churn > company_churn
