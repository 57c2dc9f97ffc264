"""The harness end to end: demo build, examples, the file route (CSV and Parquet) and --as-of."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
from conftest import EXAMPLES_DIR, GENERATOR, build, harness_of, rows, run_harness

TRAILING_12 = """
    select segment, nrr_pct, grr_pct, starting_mrr, expansion_mrr, contraction_mrr,
           churned_mrr, ending_mrr
    from marts.nrr_by_period
    where period_months = 12
      and period_end_month = (select max(month) from marts.mrr_bridge_monthly)
    order by segment
"""


def test_demo_build_summary_and_plausible_segments(demo_warehouse):
    summary = run_harness("summary", "--warehouse", demo_warehouse)
    assert summary.returncode == 0, summary.stderr
    assert "As of 2025-12" in summary.stdout
    assert "Trailing 12 months" in summary.stdout
    by_segment = {row[0]: row for row in rows(demo_warehouse, TRAILING_12)}
    assert set(by_segment) >= {"All", "SMB", "Mid-Market", "Enterprise", "Unknown"}
    for segment in ["SMB", "Mid-Market", "Enterprise"]:
        _, nrr, grr, *_ = by_segment[segment]
        assert 85 < nrr < 135, (segment, nrr)
        assert 60 < grr < 100, (segment, grr)
    # Larger accounts retain better gross revenue in the demo, as in real SaaS.
    assert by_segment["Enterprise"][2] > by_segment["SMB"][2]


def test_demo_bridge_reconciles_every_month(demo_warehouse):
    bridge = rows(
        demo_warehouse,
        """
        select month, starting_mrr, new_mrr, reactivation_mrr, expansion_mrr,
               contraction_mrr, churned_mrr, ending_mrr
        from marts.mrr_bridge_monthly order by month
        """,
    )
    assert len(bridge) == 48  # 2022-01 through 2025-12
    previous_ending = Decimal(0)
    for month, start, new, react, exp, contr, churn, end in bridge:
        assert start == previous_ending, month
        assert end == start + new + react + exp - contr - churn, month
        previous_ending = end
    kinds = dict(
        rows(
            demo_warehouse, "select movement_type, count(*) from marts.fct_mrr_movements group by 1"
        )
    )
    assert set(kinds) == {"new", "reactivation", "expansion", "contraction", "churn", "retained"}


def test_check_examples_prints_each_figure():
    process = run_harness("check-examples")
    assert process.returncode == 0, process.stdout + process.stderr
    out = process.stdout
    assert "example 1" in out and "NRR 105.00 (expected 105), GRR 85.00 (expected 85)" in out
    assert "example 2" in out and "contraction 300.00 (expected 300)" in out
    assert "NRR 40.00 (expected 40), GRR 40.00 (expected 40)" in out
    assert "example 3" in out and "NRR 102.00 (expected 102), GRR 85.00 (expected 85)" in out
    assert "GRR 85.00 (expected 85), leaky bucket True" in out
    assert "ok   example 4" in out
    assert "All examples hold." in out


def test_check_examples_fails_when_an_example_misses(tmp_path):
    """The examples are data: break one and check-examples must say MISS and exit non-zero."""
    project_copy = tmp_path / "project"
    shutil.copytree(
        Path(GENERATOR).parents[1],
        project_copy,
        ignore=shutil.ignore_patterns(
            ".venv", "target", "logs", "warehouse", ".git", "dbt_packages"
        ),
    )
    subscriptions = project_copy / "examples" / "nrr_105" / "subscriptions.csv"
    # Customer C contracts to 16,000 instead of 15,000: NRR 106, GRR 86.
    subscriptions.write_text(subscriptions.read_text().replace("100,150,", "100,160,"))
    command, env = harness_of(project_copy)
    process = subprocess.run(
        [*command, "check-examples"], env=env, capture_output=True, text=True, check=False
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert "MISS example 1" in process.stdout
    assert "NRR 106.00 (expected 105)" in process.stdout


def test_file_route_csv_matches_example_105(shared_build):
    warehouse, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0, process.stdout[-3000:]
    assert "As of 2025-01" in process.stdout
    company = {row[0]: row for row in rows(warehouse, TRAILING_12)}["All"]
    assert company[1:3] == (105.0, 85.0)
    assert company[3:] == (100000, 20000, 5000, 10000, 105000)


def test_file_route_parquet_from_generator_with_another_seed(tmp_path):
    """A data set not designed for the tests: every dbt identity test must pass on it."""
    data_dir = tmp_path / "data"
    generated = subprocess.run(
        [sys.executable, str(GENERATOR), "--seed", "7", "--customers", "250", "--months", "30",
         "--start-month", "2023-01", "--out", str(data_dir), "--prefix", "", "--format",
         "parquet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    assert sorted(p.name for p in data_dir.iterdir()) == [
        "customers.parquet",
        "fx_rates.parquet",
        "subscriptions.parquet",
    ]
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:]
    months = rows(warehouse, "select min(month), max(month) from marts.mrr_bridge_monthly")[0]
    assert (f"{months[0]:%Y-%m}", f"{months[1]:%Y-%m}") == ("2023-01", "2025-06")
    for _, nrr, grr, start, exp, contr, churn, end in rows(warehouse, TRAILING_12):
        assert end == start + exp - contr - churn
        assert abs(nrr - float(100 * end / start)) < 1e-9
        assert grr <= 100


def test_parquet_and_csv_inputs_give_identical_marts(tmp_path, shared_build):
    """The same data as CSV and as Parquet build the same marts."""
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    with duckdb.connect() as con:
        for csv_file in (EXAMPLES_DIR / "nrr_105").glob("*.csv"):
            target = parquet_dir / f"{csv_file.stem}.parquet"
            con.execute(
                f"copy (select * from read_csv('{csv_file}')) to '{target}' (format parquet)"
            )
    csv_warehouse, csv_run = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    parquet_warehouse, parquet_run = build(tmp_path / "pq", data_dir=parquet_dir)
    assert csv_run.returncode == 0 and parquet_run.returncode == 0
    for mart in [
        "fct_mrr_movements",
        "mrr_bridge_monthly",
        "nrr_by_period",
        "cohort_retention",
        "segment_benchmarks",
        "company_benchmark",
    ]:
        query = f"select * from marts.{mart} order by all"
        assert rows(csv_warehouse, query) == rows(parquet_warehouse, query), mart


def test_as_of_cuts_history_without_changing_it(tmp_path, demo_warehouse):
    warehouse, process = build(tmp_path, "--as-of", "2024-06")
    assert process.returncode == 0, process.stdout[-3000:]
    assert "As of 2024-06" in process.stdout
    assert rows(warehouse, "select max(month) from marts.mrr_bridge_monthly")[0][0].isoformat() == (
        "2024-06-01"
    )
    # Every figure up to the as-of month is the same as in the full build.
    query = """
        select * from marts.nrr_by_period
        where period_end_month <= date '2024-06-01' order by all
    """
    assert rows(warehouse, query) == rows(demo_warehouse, query)
    query = "select * from marts.mrr_bridge_monthly where month <= date '2024-06-01' order by all"
    assert rows(warehouse, query) == rows(demo_warehouse, query)


def test_bad_as_of_is_refused():
    process = run_harness("build", "--as-of", "2024-13")
    assert process.returncode == 2
    assert "--as-of must look like YYYY-MM" in process.stderr


def test_thin_history_says_no_trailing_12_months_yet(shared_build):
    warehouse, process = shared_build(data_dir=EXAMPLES_DIR / "single_contraction")
    assert process.returncode == 0, process.stdout[-3000:]
    assert "not yet available" in process.stdout
    assert rows(warehouse, "select count(*) from marts.nrr_by_period where period_months = 12") == [
        (0,)
    ]
    # The benchmark marts are rightly empty too, and their data tests pass on empty marts.
    for mart in ["segment_benchmarks", "company_benchmark"]:
        assert rows(warehouse, f"select count(*) from marts.{mart}") == [(0,)], mart
