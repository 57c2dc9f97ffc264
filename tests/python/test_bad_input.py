"""Bad input: each reason is in audit.rejected_rows, nothing is lost, broken inputs stop early."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from conftest import EXAMPLES_DIR, PROJECT_DIR, build, rows

DIRTY_DIR = PROJECT_DIR / "tests" / "fixtures" / "dirty_inputs"
MARTS = [
    "fct_mrr_movements",
    "mrr_bridge_monthly",
    "nrr_by_period",
    "cohort_retention",
    "dim_customers",
]


@pytest.fixture(scope="module")
def dirty_build(shared_build):
    """The dirty fixture built once: (warehouse, harness process)."""
    # 18 of its 25 subscription rows are rejected on purpose: far above max_rejected_rows_pct.
    warehouse, process = shared_build("--max-rejected-pct", "100", data_dir=DIRTY_DIR)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse, process


def test_every_reason_lands_in_rejected_rows(dirty_build):
    warehouse, _ = dirty_build
    with (DIRTY_DIR / "expected_rejections.csv").open() as expected_file:
        expected = Counter(
            (row["source_table"], row["row_key"], row["reason_code"])
            for row in csv.DictReader(expected_file)
        )
    actual = Counter(
        (table, key or "", code)
        for table, key, code in rows(
            warehouse, "select source_table, row_key, reason_code from audit.rejected_rows"
        )
    )
    assert actual == expected
    reasons = {code for _, _, code in expected}
    assert reasons >= {
        "missing_key", "conflicting_duplicate", "missing_required_value",
        "unparseable_required_value", "unparseable_optional_value", "unknown_billing_interval",
        "end_before_start", "negative_amount", "negative_quantity", "discount_out_of_range",
        "unknown_currency", "overlapping_period", "invalid_fx_rate",
    }  # fmt: skip
    # Each rejected row keeps its raw values and a reason in words.
    assert rows(
        warehouse,
        "select count(*) from audit.rejected_rows where raw_values is null or reason is null",
    ) == [(0,)]
    assert rows(
        warehouse,
        "select reason from audit.rejected_rows where row_key = 'bad_start / 2024-13-01'",
    ) == [("start_date is not a date: 2024-13-01",)]


def test_reconciliation_counts_every_row(dirty_build):
    warehouse, _ = dirty_build
    reconciliation = {
        row[0]: row[1:]
        for row in rows(
            warehouse,
            """
            select source_table, rows_in, rows_used, rows_rejected, duplicate_rows_collapsed,
                   customers_added_from_subscriptions, rows_reconcile, mrr_reconciles
            from audit.input_reconciliation
            """,
        )
    }
    assert reconciliation == {
        "subscriptions": (25, 6, 18, 1, None, True, True),
        "customers": (8, 4, 3, 1, 0, True, True),
        "fx_rates": (9, 1, 7, 1, None, True, True),
    }
    for source, count in [("subscriptions", 25), ("customers", 8), ("fx_rates", 9)]:
        with (DIRTY_DIR / f"{source}.csv").open() as source_file:
            assert sum(1 for _ in csv.DictReader(source_file)) == count


def test_marts_equal_those_of_the_clean_rows_alone(dirty_build, shared_build):
    warehouse, _ = dirty_build
    clean, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0
    for mart in MARTS:
        query = f"select * from marts.{mart} order by all"
        assert rows(warehouse, query) == rows(clean, query), mart


def test_summary_reports_rejections_and_build_still_passes(dirty_build):
    _, process = dirty_build
    assert "WARN 28 no_input_rows_rejected" in process.stdout
    assert "Rejected rows (details in audit.rejected_rows):" in process.stdout
    assert "  subscriptions               25       6        18           1" in process.stdout


def test_demo_reconciles_with_nothing_rejected(demo_warehouse):
    assert rows(
        demo_warehouse,
        """
        select source_table, rows_in = rows_used, rows_rejected, rows_reconcile, mrr_reconciles
        from audit.input_reconciliation order by source_table
        """,
    ) == [
        # The demo's parent links (account families): every one resolves.
        ("customer_parents", True, 0, True, True),
        ("customers", True, 0, True, True),
        ("fx_rates", True, 0, True, True),
        ("subscriptions", True, 0, True, True),
    ]
    # The demo bills three customers that are missing from its customers table: kept as Unknown.
    assert rows(
        demo_warehouse,
        """
        select customers_added_from_subscriptions from audit.input_reconciliation
        where source_table = 'customers'
        """,
    ) == [(3,)]


def write(folder: Path, files: dict[str, str]) -> Path:
    """A data dir with the given file texts."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def assert_stopped_before_models(process, message: str, warehouse: Path) -> None:
    """The build failed with one clear message and no model ran."""
    assert process.returncode == 1
    assert message in process.stdout
    assert "START sql" not in process.stdout
    assert not warehouse.exists() or not rows(
        warehouse,
        # raw.input_*: the input files, loaded by the on-run-start hook before it checks their rows.
        "select * from information_schema.tables where table_schema <> 'main' "
        "and not (table_schema = 'raw' and table_name like 'input_%')",
    )


def test_missing_required_file_stops_before_any_model(tmp_path):
    data_dir = write(
        tmp_path / "data",
        {
            "subscriptions.csv": "subscription_id,customer_id,start_date,unit_amount\n"
            "s1,c1,2024-01-01,9\n"
        },
    )
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert_stopped_before_models(
        process, "customers.csv (or .parquet): required input file is missing", warehouse
    )


def test_missing_required_column_stops_before_any_model(tmp_path):
    data_dir = write(
        tmp_path / "data",
        {
            "subscriptions.csv": "subscription_id,customer_id,unit_amount\ns1,c1,100\n",
            "customers.csv": "customer_id\nc1\n",
        },
    )
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert_stopped_before_models(
        process, "subscriptions.csv: required column start_date is missing", warehouse
    )


def test_empty_subscriptions_file_is_an_error(tmp_path):
    data_dir = write(
        tmp_path / "data",
        {
            "subscriptions.csv": "subscription_id,customer_id,start_date,unit_amount\n",
            "customers.csv": "customer_id\nc1\n",
        },
    )
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert_stopped_before_models(
        process, "subscriptions.csv: the file has no readable rows", warehouse
    )


def test_unreadable_file_is_an_error_naming_it(tmp_path):
    data_dir = write(
        tmp_path / "data",
        {"subscriptions.parquet": "this is not parquet", "customers.csv": "customer_id\nc1\n"},
    )
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert_stopped_before_models(process, "subscriptions.parquet", warehouse)


def test_all_rows_rejected_fails_instead_of_empty_marts(tmp_path):
    data_dir = write(
        tmp_path / "data",
        {
            "subscriptions.csv": "subscription_id,customer_id,start_date,unit_amount\n"
            "s1,c1,2024-01-01,-5\n",
            "customers.csv": "customer_id\nc1\n",
        },
    )
    _, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 1
    assert "has_rows_mrr_bridge_monthly" in process.stdout + process.stderr
