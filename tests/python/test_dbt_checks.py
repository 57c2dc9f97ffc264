"""Our data tests catch what they claim to; input problems stop the build clearly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLES_DIR, build, rows, run_dbt

from nrr_warehouse.build import print_failing_rows
from nrr_warehouse.dbt_runner import DbtRun, read_run_results


@pytest.fixture(scope="module")
def example_warehouse(tmp_path_factory, shared_build) -> tuple[Path, Path]:
    """Example 1 built once; tests corrupt copies of it. `dbt test` opens a warehouse for writing,
    so this module's is a copy of the session's shared build."""
    tmp = tmp_path_factory.mktemp("example")
    shared, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0, process.stdout[-3000:]
    warehouse = tmp / "warehouse.duckdb"
    shutil.copyfile(shared, warehouse)
    return warehouse, tmp


def dbt_test(warehouse: Path, select: str, target: Path) -> subprocess.CompletedProcess:
    """`dbt test --select SELECT` against a built warehouse, data from example 1."""
    env = dict(os.environ, NRR_WAREHOUSE=str(warehouse), NRR_DATA_DIR=str(EXAMPLES_DIR / "nrr_105"))
    return run_dbt("test", "--select", select, "--target-path", target, env=env)


def corrupted_copy(example_warehouse, name: str, statement: str) -> Path:
    """A copy of the example warehouse with one SQL statement applied to it."""
    warehouse, tmp = example_warehouse
    copy = tmp / f"{name}.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute(statement)
    return copy


CORRUPTIONS = [
    (
        "bridge_identity",
        "update marts.mrr_bridge_monthly set ending_mrr = ending_mrr + 0.01 "
        "where month = date '2024-07-01'",
        "mrr_bridge_monthly",
        "mrr_bridge_monthly_row_rules",
    ),
    (
        "nrr_components",
        "update marts.nrr_by_period set churned_mrr = churned_mrr + 1 "
        "where segment = 'All' and period_months = 12",
        "nrr_by_period",
        "nrr_by_period_row_rules",
    ),
    (
        "grr_above_100",
        "update marts.nrr_by_period set grr_pct = 100.5 where segment = 'Enterprise'",
        "nrr_by_period",
        "nrr_by_period_row_rules",
    ),
    (
        "duplicate_movement",
        "insert into intermediate.int_mrr_movements_classified "
        "select * from intermediate.int_mrr_movements_classified limit 1",
        "int_mrr_movements_classified",
        "unique_key_combination_int_mrr_movements_classified",
    ),
    (
        "empty_mart",
        "delete from marts.cohort_retention",
        "cohort_retention",
        "has_rows_cohort_retention",
    ),
    (
        "movements_off_bridge",
        "update intermediate.int_mrr_movements_classified "
        "set expansion_mrr = expansion_mrr + 1, ending_mrr = ending_mrr + 1 "
        "where movement_type = 'expansion'",
        "assert_movements_sum_to_bridge",
        "assert_movements_sum_to_bridge",
    ),
    (
        "benchmark_row_missing",
        "delete from marts.segment_benchmarks where segment = 'Mid-Market'",
        "assert_benchmarks_cover_trailing_nrr",
        "assert_benchmarks_cover_trailing_nrr",
    ),
    (
        "benchmark_seed_source_missing",
        "update reference.benchmark_reference_lines set source = null",
        "benchmark_reference_lines",
        "benchmark_reference_lines_column_rules",
    ),
    (
        "bridge_off_month_end_rule",
        "update marts.mrr_bridge_monthly set active_customers = active_customers + 1 "
        "where month = date '2024-03-01'",
        "assert_bridge_matches_month_end_rule",
        "assert_bridge_matches_month_end_rule",
    ),
    (
        # Example 1's customers have no parent: each is a family of one, whose months are its own.
        "family_month_off_customer",
        "update intermediate.int_family_months_aggregated set mrr = mrr + 1 "
        "where family_id = 'cust_a' and month = date '2024-06-01'",
        "assert_single_member_families_match_customers",
        "assert_single_member_families_match_customers",
    ),
]


@pytest.fixture(scope="module")
def clean_run(example_warehouse) -> subprocess.CompletedProcess:
    """One `dbt test` of every selection below on the clean warehouse (one dbt start, not eight):
    it passes only if each selection passes on its own."""
    warehouse, tmp = example_warehouse
    selects = sorted({select for _, _, select, _ in CORRUPTIONS})
    return dbt_test(warehouse, " ".join(selects), tmp / "target_clean")


# The identities each corruption above breaks, in its model's row_rules node.
BROKEN_RULES = {
    # 0.01 more ending MRR: off the bridge.
    "bridge_identity": {"mrr_bridge_monthly_identity"},
    # 1 more churned MRR: the components no longer add up, nor give the stored nrr_pct.
    "nrr_components": {"nrr_by_period_components_add_up", "nrr_by_period_nrr_identity"},
    "grr_above_100": {"nrr_by_period_grr_at_most_100_and_nrr"},
}


@pytest.mark.parametrize(("name", "statement", "select", "expected_failure"), CORRUPTIONS)
def test_data_test_fails_on_corrupted_mart(
    example_warehouse, clean_run, capsys, name, statement, select, expected_failure
):
    _, tmp = example_warehouse
    # The test that must fail below passes on the clean warehouse, so the corruption fails it.
    assert clean_run.returncode == 0, clean_run.stdout[-3000:]
    assert re.search(rf"PASS\S* {expected_failure}", clean_run.stdout), clean_run.stdout[-3000:]
    corrupted = corrupted_copy(example_warehouse, name, statement)
    process = dbt_test(corrupted, select, tmp / f"target_{name}")
    assert process.returncode == 1, process.stdout[-3000:]
    assert f"Failure in test {expected_failure}" in process.stdout
    if name in BROKEN_RULES:
        # A batched node (row_rules): the rows a failed audit prints name the identities broken.
        run = DbtRun(1, read_run_results(tmp / f"target_{name}", 0))
        failed = [node for node in run.named({"fail"}) if node.split(".")[2] == expected_failure]
        print_failing_rows(corrupted, run, failed, quiet=False)
        printed = capsys.readouterr().out.splitlines()
        assert printed, "no failing row printed"
        prefix = f"{expected_failure} failing row: rule_name="
        assert all(line.startswith(prefix) for line in printed), printed
        assert {re.search(r"rule_name=(\w+)", line)[1] for line in printed} == BROKEN_RULES[name]


def write_inputs(folder: Path, subscriptions: str, customers: str | None) -> Path:
    """A data dir with the given CSV texts."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "subscriptions.csv").write_text(subscriptions)
    if customers is not None:
        (folder / "customers.csv").write_text(customers)
    return folder


def test_segments_and_intervals_normalised(tmp_path):
    subscriptions = (
        "subscription_id,customer_id,start_date,unit_amount,billing_interval,currency\n"
        "s1,c1,2024-01-01,100,Monthly,usd\n"
        "s2,c2,2024-01-01,300,QUARTERLY,\n"
        "s3,c3,2024-01-01,1200,annual,USD\n"
        "s4,c4,2024-01-01,1200, Yearly ,\n"
        "s5,c5,2024-01-01,100,,\n"
        "s6,c6,2024-01-01,100,month,\n"
        "s7,c7,2024-01-01,300,quarter,\n"
        "s8,c8,2024-01-01,1200,year,\n"
        "s9,c_missing,2024-03-01,100,month,\n"
    )
    customers = (
        "customer_id,segment\n"
        "c1,smb\nc2,mid market\nc3,MidMarket\nc4,mid-market\nc5,ENTERPRISE\n"
        "c6,Partner\nc7,\nc8, S.M.B. \n"
    )
    data_dir = write_inputs(tmp_path / "data", subscriptions, customers)
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:]
    segments = dict(rows(warehouse, "select customer_id, segment from marts.dim_customers"))
    assert segments == {
        "c1": "SMB", "c2": "Mid-Market", "c3": "Mid-Market", "c4": "Mid-Market",
        "c5": "Enterprise", "c6": "Unknown", "c7": "Unknown", "c8": "SMB",
        "c_missing": "Unknown",
    }  # fmt: skip
    # Every plan above is worth 100 a month, whatever its interval's spelling.
    mrr = rows(warehouse, "select distinct current_mrr from marts.dim_customers")
    assert mrr == [(100,)]


def test_batched_column_checks_name_the_column_and_the_rule(example_warehouse, capsys):
    # One node checks many columns of a seed (column_rules); its failing rows, which a failed audit
    # prints, say which column broke which rule and how often.
    _, tmp = example_warehouse
    corrupted = corrupted_copy(
        example_warehouse,
        "benchmark_rules",
        "update reference.benchmark_company_stages set source = null, company_stage = 'seed' "
        "where company_stage = 'growth'",
    )
    target = tmp / "target_benchmark_rules"
    process = dbt_test(corrupted, "benchmark_company_stages_column_rules", target)
    assert process.returncode == 1, process.stdout[-3000:]
    assert "Failure in test benchmark_company_stages_column_rules" in process.stdout
    run = DbtRun(1, read_run_results(target, 0))
    failed = run.named({"fail"})
    assert [node.split(".")[2] for node in failed] == ["benchmark_company_stages_column_rules"]
    print_failing_rows(corrupted, run, failed, quiet=False)
    assert sorted(capsys.readouterr().out.splitlines()) == [
        "benchmark_company_stages_column_rules failing row: column_name=company_stage, "
        "rule_name=accepted_values, failing_rows=1",
        "benchmark_company_stages_column_rules failing row: column_name=source, "
        "rule_name=not_null, failing_rows=1",
    ]


def test_batched_column_checks_of_a_mart_name_the_column(example_warehouse, capsys):
    # The not_null and accepted_values checks of a mart are one node (dim_customers_column_rules):
    # one corrupted column, and the printed failing row names it and the rule it breaks.
    _, tmp = example_warehouse
    corrupted = corrupted_copy(
        example_warehouse,
        "customer_status",
        "update marts.dim_customers set status = 'paused' where customer_id = "
        "(select min(customer_id) from marts.dim_customers)",
    )
    target = tmp / "target_customer_status"
    process = dbt_test(corrupted, "dim_customers_column_rules", target)
    assert process.returncode == 1, process.stdout[-3000:]
    run = DbtRun(1, read_run_results(target, 0))
    failed = run.named({"fail"})
    assert [node.split(".")[2] for node in failed] == ["dim_customers_column_rules"]
    print_failing_rows(corrupted, run, failed, quiet=False)
    assert capsys.readouterr().out.splitlines() == [
        "dim_customers_column_rules failing row: column_name=status, "
        "rule_name=accepted_values, failing_rows=1",
    ]
