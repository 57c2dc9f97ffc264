"""The semantic layer: MetricFlow's answers for the demo equal the marts."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, rows, run_dbt

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def mf_env(demo_warehouse, tmp_path_factory) -> dict:
    """The environment for `mf` on a copy of the demo warehouse, with a fresh semantic manifest.

    mf reads target/semantic_manifest.json of the project, where the relations carry the database
    name, which DuckDB takes from the file name: the copy is called nrr.duckdb like the default
    warehouse, so the manifest written here also fits warehouse/nrr.duckdb.
    """
    warehouse = tmp_path_factory.mktemp("mf") / "nrr.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    env = {**os.environ, "NRR_WAREHOUSE": str(warehouse), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env.pop("NRR_DATA_DIR", None)
    parse = run_dbt("parse", env=env)
    assert parse.returncode == 0, parse.stdout[-3000:]
    env["NRR_TEST_WAREHOUSE"] = str(warehouse)
    return env


def mf(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run the MetricFlow CLI in the project directory."""
    return subprocess.run(
        [BIN / "mf", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def mf_query(env: dict, tmp_path: Path, metrics: str, group_by: str) -> list[dict]:
    """`mf query` written to CSV and read back; months as dates, numbers as floats."""
    out = tmp_path / f"{metrics.replace(',', '_')}.csv"
    process = mf(env, "query", "--metrics", metrics, "--group-by", group_by, "--csv", str(out))
    assert process.returncode == 0 and out.exists(), process.stdout[-3000:] + process.stderr
    with out.open() as file:
        records = list(csv.DictReader(file))
    for record in records:
        record["month"] = date.fromisoformat(record.pop("metric_time__month")[:10])
        for metric in metrics.split(","):
            record[metric] = float(record[metric])
    return records


def close(a: float, b: float) -> bool:
    """Equal up to floating-point noise (MetricFlow divides doubles, the mart too)."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def test_validate_configs_against_the_warehouse(mf_env):
    """Semantic checks and the data-warehouse checks (every measure, dimension, metric queried)."""
    process = mf(mf_env, "validate-configs")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "Breaking issues" not in process.stdout


def test_nrr_and_grr_by_month_equal_nrr_by_period(mf_env, tmp_path):
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    expected = {
        month: (nrr, grr, float(starting))
        for month, nrr, grr, starting in rows(
            warehouse,
            "select period_end_month, nrr_pct, grr_pct, starting_mrr from marts.nrr_by_period"
            " where period_months = 12 and segment = 'All'",
        )
    }
    metrics = "nrr,grr,nrr_pct,grr_pct,starting_mrr_12m"
    answers = mf_query(mf_env, tmp_path, metrics, "metric_time__month")
    assert {a["month"] for a in answers} == set(expected)
    for answer in answers:
        nrr, grr, starting = expected[answer["month"]]
        # The `All` rows are not added to the segments' (that would double the amounts).
        assert abs(answer["starting_mrr_12m"] - starting) < 1e-6, answer
        assert close(100 * answer["nrr"], nrr), answer
        assert close(100 * answer["grr"], grr), answer
        assert close(answer["nrr_pct"], nrr) and close(answer["grr_pct"], grr), answer
    latest = max(expected)
    assert latest == date(2025, 12, 1)
    assert round(next(a["nrr_pct"] for a in answers if a["month"] == latest), 1) == 114.7


def test_nrr_by_segment_equals_nrr_by_period_without_double_counting_all(mf_env, tmp_path):
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    expected = {
        (month, segment): (nrr, grr)
        for month, segment, nrr, grr in rows(
            warehouse,
            "select period_end_month, segment, nrr_pct, grr_pct from marts.nrr_by_period"
            " where period_months = 12 and segment != 'All'",
        )
    }
    answers = mf_query(mf_env, tmp_path, "nrr,grr", "metric_time__month,segment")
    assert {(a["month"], a["segment"]) for a in answers} == set(expected)
    for answer in answers:
        nrr, grr = expected[(answer["month"], answer["segment"])]
        assert close(100 * answer["nrr"], nrr) and close(100 * answer["grr"], grr), answer


def test_mrr_and_movements_by_month_equal_the_bridge(mf_env, tmp_path):
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    columns = ["mrr", "arr", "new_mrr", "reactivation_mrr", "expansion_mrr"]
    columns += ["contraction_mrr", "churned_mrr", "active_customers"]
    bridge = {
        row[0]: dict(zip(columns, map(float, row[1:]), strict=True))
        for row in rows(
            warehouse,
            "select month, ending_mrr, ending_arr, new_mrr, reactivation_mrr, expansion_mrr,"
            " contraction_mrr, churned_mrr, active_customers from marts.mrr_bridge_monthly",
        )
    }
    answers = mf_query(mf_env, tmp_path, ",".join(columns), "metric_time__month")
    assert {a["month"] for a in answers} == set(bridge)
    for answer in answers:
        for column in columns:
            assert abs(answer[column] - bridge[answer["month"]][column]) < 1e-6, (answer, column)


def test_mrr_by_segment_adds_up_to_the_month(mf_env, tmp_path):
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    ((latest, total),) = rows(
        warehouse,
        "select month, ending_mrr from marts.mrr_bridge_monthly order by month desc limit 1",
    )
    answers = mf_query(mf_env, tmp_path, "mrr", "metric_time__month,segment")
    in_latest = [a for a in answers if a["month"] == latest]
    assert {a["segment"] for a in in_latest} == {"SMB", "Mid-Market", "Enterprise", "Unknown"}
    assert abs(sum(a["mrr"] for a in in_latest) - float(total)) < 1e-6


SAAS_METRICS = [
    "arpa",
    "quick_ratio",
    "logo_churn_rate_pct",
    "gross_mrr_churn_rate_pct",
    "net_mrr_churn_rate_pct",
    "expansion_rate_pct",
]


def mf_query_nullable(env: dict, tmp_path: Path, metrics: list[str], group_by: str) -> list[dict]:
    """Like mf_query, with an empty cell (a ratio over 0) read as None."""
    out = tmp_path / "saas_metrics.csv"
    process = mf(
        env, "query", "--metrics", ",".join(metrics), "--group-by", group_by, "--csv", str(out)
    )
    assert process.returncode == 0 and out.exists(), process.stdout[-3000:] + process.stderr
    with out.open() as file:
        records = list(csv.DictReader(file))
    for record in records:
        record["month"] = date.fromisoformat(record.pop("metric_time__month")[:10])
        for metric in metrics:
            record[metric] = float(record[metric]) if record[metric] not in ("", "None") else None
    return records


def same_or_both_null(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


@pytest.mark.parametrize("by_segment", [False, True], ids=["company", "segment"])
def test_saas_metrics_by_month_equal_saas_metrics_monthly(mf_env, tmp_path, by_segment):
    """SPEC section 10's rates from MetricFlow equal the mart's, nulls (a zero denominator)
    included, for the company and per segment (rows where the segment has a movement)."""
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    segment_filter = "segment != 'All'" if by_segment else "segment = 'All'"
    expected = {
        (row[0], row[1]): dict(zip(SAAS_METRICS, row[2:], strict=True))
        for row in rows(
            warehouse,
            f"select month, segment, arpa, {', '.join(SAAS_METRICS[1:])}"
            f" from marts.saas_metrics_monthly where {segment_filter}"
            " and (starting_mrr > 0 or ending_mrr > 0)",
        )
    }
    group_by = "metric_time__month,segment" if by_segment else "metric_time__month"
    answers = mf_query_nullable(mf_env, tmp_path, SAAS_METRICS, group_by)
    keys = {(a["month"], a["segment"] if by_segment else "All") for a in answers}
    assert keys == set(expected)
    for answer in answers:
        mart = expected[(answer["month"], answer["segment"] if by_segment else "All")]
        for metric in SAAS_METRICS:
            value = None if mart[metric] is None else float(mart[metric])
            # ARPA is money in the mart (10 places), a double in MetricFlow.
            if metric == "arpa":
                assert abs(answer[metric] - value) < 1e-6, (answer, metric)
            else:
                assert same_or_both_null(answer[metric], value), (answer, metric, value)
    # The figures are not all null: every rate has a value in most months of the company.
    for metric in SAAS_METRICS:
        assert sum(a[metric] is not None for a in answers) > len(answers) / 4, metric


CAUSES = ["seats", "price", "cross_sell", "cross_sell_lost"]


def test_movements_by_cause_equal_the_bridge(mf_env, tmp_path):
    """The expansion and contraction split by cause (DECISIONLOG "Causes of expansion and
    contraction") equal mrr_bridge_monthly's columns month by month, and add up to the movement."""
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    columns = [
        f"{direction}_{cause}_mrr" for direction in ("expansion", "contraction") for cause in CAUSES
    ]
    bridge = {
        row[0]: dict(
            zip(["expansion_mrr", "contraction_mrr", *columns], map(float, row[1:]), strict=True)
        )
        for row in rows(
            warehouse,
            f"select month, expansion_mrr, contraction_mrr, {', '.join(columns)}"
            " from marts.mrr_bridge_monthly",
        )
    }
    answers = mf_query(mf_env, tmp_path, ",".join(columns), "metric_time__month")
    assert {a["month"] for a in answers} == set(bridge)
    for answer in answers:
        mart = bridge[answer["month"]]
        for column in columns:
            assert abs(answer[column] - mart[column]) < 1e-6, (answer, column)
        expansion = (
            sum(answer[f"expansion_{c}_mrr"] for c in CAUSES[:3])
            - answer["expansion_cross_sell_lost_mrr"]
        )
        contraction = (
            answer["contraction_seats_mrr"]
            + answer["contraction_price_mrr"]
            + answer["contraction_cross_sell_lost_mrr"]
            - answer["contraction_cross_sell_mrr"]
        )
        assert abs(expansion - mart["expansion_mrr"]) < 1e-6, answer
        assert abs(contraction - mart["contraction_mrr"]) < 1e-6, answer
    # The demo's expansion is mostly seats, and some of it cross-sell: the split is not all zeros.
    assert sum(a["expansion_seats_mrr"] for a in answers) > 0
    assert sum(a["expansion_cross_sell_mrr"] for a in answers) > 0


def test_family_retention_metrics_equal_family_nrr_by_period(mf_env, tmp_path):
    """The account-family metrics give family_nrr_by_period's trailing-12-month `All` figures."""
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    expected = {
        month: (nrr, grr, logos)
        for month, nrr, grr, logos in rows(
            warehouse,
            "select period_end_month, nrr_pct, grr_pct, logo_retention_pct"
            " from marts.family_nrr_by_period where period_months = 12 and segment = 'All'",
        )
    }
    metrics = "family_nrr_pct,family_grr_pct,family_logo_retention_pct"
    answers = mf_query(mf_env, tmp_path, metrics, "metric_time__month")
    assert {a["month"] for a in answers} == set(expected)
    for answer in answers:
        nrr, grr, logos = expected[answer["month"]]
        assert close(answer["family_nrr_pct"], nrr), answer
        assert close(answer["family_grr_pct"], grr), answer
        assert close(answer["family_logo_retention_pct"], logos), answer


def test_dimension_metrics_equal_the_dimension_marts(mf_env, tmp_path):
    """By dimension and value, the semantic layer gives nrr_by_dimension's trailing-12-month NRR and
    GRR and saas_metrics_by_dimension's MRR, without counting the `All` rows again."""
    warehouse = Path(mf_env["NRR_TEST_WAREHOUSE"])
    expected = {
        (month, dimension, value): (nrr, grr)
        for month, dimension, value, nrr, grr in rows(
            warehouse,
            "select period_end_month, dimension, dimension_value, nrr_pct, grr_pct"
            " from marts.nrr_by_dimension where period_months = 12 and dimension_value != 'All'",
        )
    }
    prefix = "dimension_retention_period__"
    answers = mf_query(
        mf_env,
        tmp_path,
        "dimension_nrr_pct,dimension_grr_pct",
        f"metric_time__month,{prefix}dimension,{prefix}dimension_value",
    )
    keys = {(a["month"], a[f"{prefix}dimension"], a[f"{prefix}dimension_value"]) for a in answers}
    assert keys == set(expected)
    for answer in answers:
        key = (answer["month"], answer[f"{prefix}dimension"], answer[f"{prefix}dimension_value"])
        nrr, grr = expected[key]
        assert close(answer["dimension_nrr_pct"], nrr), answer
        assert close(answer["dimension_grr_pct"], grr), answer
    assert {dimension for _, dimension, _ in keys} == {"segment", "plan", "country", "arr_band"}

    mrr = {
        (month, dimension, value): float(ending)
        for month, dimension, value, ending in rows(
            warehouse,
            "select month, dimension, dimension_value, ending_mrr"
            " from marts.saas_metrics_by_dimension where dimension_value != 'All'",
        )
    }
    prefix = "dimension_saas_month__"
    answers = mf_query(
        mf_env,
        tmp_path,
        "dimension_mrr",
        f"metric_time__month,{prefix}dimension,{prefix}dimension_value",
    )
    # MetricFlow leaves out a value's months of zeros only if it has no row; the mart has them all.
    assert len(answers) == len(mrr)
    for answer in answers:
        key = (answer["month"], answer[f"{prefix}dimension"], answer[f"{prefix}dimension_value"])
        assert abs(answer["dimension_mrr"] - mrr[key]) < 1e-6, answer
