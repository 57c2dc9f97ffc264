"""Real exports (SPEC sections 1, 2 and 8): what is readable is read, the rest is quarantined, and a
collapse is never published. Each case is a messy export on disk (tests/fixtures/messy_exports, see
its README) built as a user builds it, `nrr build --data-dir DIR`."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLES_DIR, PROJECT_DIR, build, rows

MESSY = PROJECT_DIR / "tests" / "fixtures" / "messy_exports"
MARTS = [
    "fct_mrr_movements",
    "mrr_bridge_monthly",
    "nrr_by_period",
    "cohort_retention",
    "dim_customers",
    "segment_benchmarks",
    "company_benchmark",
]


@pytest.fixture(scope="module")
def clean_build(shared_build) -> Path:
    """examples/nrr_105 built and published: the clean history every messy export here writes."""
    warehouse, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse


def assert_same_marts(warehouse: Path, clean: Path) -> None:
    for mart in MARTS:
        query = f"select * from marts.{mart} order by all"
        assert rows(warehouse, query) == rows(clean, query), mart


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_copy(clean: Path, tmp_path: Path) -> tuple[Path, str]:
    """A published warehouse of the clean history at tmp_path, and its digest."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(clean, target)
    return target, digest(target)


def assert_refused(process, message: str) -> None:
    """The build failed with `message` on screen and its one-line reason, and no traceback."""
    output = process.stdout + process.stderr
    assert process.returncode == 1, output[-3000:]
    assert message in output
    assert "Traceback" not in output
    assert process.stderr.strip().splitlines()[-1].startswith("nrr: ")


def reconciliation(warehouse: Path) -> dict:
    return {
        table: counts
        for table, *counts in rows(
            warehouse,
            """
            select source_table, rows_in, rows_used, rows_rejected, duplicate_rows_collapsed,
                   rows_reconcile
            from audit.input_reconciliation
            """,
        )
    }


def test_messy_export_reads_as_the_clean_one(clean_build, tmp_path):
    # BOM, CRLF and one LF line, header spellings and an unknown column, null tokens, currency
    # symbols and thousands separators, slash dates, timestamps, trailing spaces, and an end_date
    # 9999-12-31 that must not stretch the months.
    warehouse, process = build(tmp_path, data_dir=MESSY / "messy_export")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "As of 2025-01: MRR 105,000.00  ARR 1,260,000.00  active customers 3" in process.stdout
    assert reconciliation(warehouse) == {
        "subscriptions": [6, 6, 0, 0, True],
        "customers": [4, 4, 0, 0, True],
        "fx_rates": [1, 1, 0, 0, True],
    }
    assert_same_marts(warehouse, clean_build)


def test_parquet_with_spelled_headers_and_null_tokens(clean_build, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    source = EXAMPLES_DIR / "nrr_105"
    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                select subscription_id as "Subscription ID", customer_id as "customer-id", plan_id,
                       start_date as "Start Date", coalesce(end_date, 'NULL') as "End Date",
                       '$' || unit_amount as "Unit Amount", quantity,
                       coalesce(discount_pct, 'nan') as discount_pct, billing_interval, currency
                from read_csv('{source / "subscriptions.csv"}', all_varchar = true)
            ) to '{data_dir / "subscriptions.parquet"}' (format parquet)
            """
        )
    shutil.copy(source / "customers.csv", data_dir)
    shutil.copy(source / "fx_rates.csv", data_dir)
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert_same_marts(warehouse, clean_build)


def malformed_dir(tmp_path: Path) -> Path:
    """The malformed_lines export plus a line over 2 MB before its last line (too big for git)."""
    data_dir = tmp_path / "data"
    shutil.copytree(MESSY / "malformed_lines", data_dir)
    lines = (data_dir / "subscriptions.csv").read_text().splitlines()
    huge = "huge,cust_c," + "x" * (2 * 1024 * 1024 + 10) + ",2024-02-01,,100,1,0,month,USD"
    (data_dir / "subscriptions.csv").write_text("\n".join([*lines[:-1], huge, lines[-1]]) + "\n")
    return data_dir


def test_malformed_lines_and_values_out_of_range_are_quarantined(clean_build, tmp_path):
    warehouse, process = build(
        tmp_path, "--max-rejected-pct", "100", data_dir=malformed_dir(tmp_path)
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    rejected = rows(
        warehouse,
        """
        select row_key, reason_code, reason from audit.rejected_rows
        where source_table = 'subscriptions' order by row_key
        """,
    )
    too_large = "value_out_of_range", "{} is not finite or too large: {}"
    unparsed = "malformed_line", "line {} does not parse as a row of the header: {}"
    assert rejected == [
        ("bad_big / 2024-02-01", too_large[0], too_large[1].format("unit_amount", "1e308")),
        ("bad_inf / 2024-02-01", too_large[0], too_large[1].format("unit_amount", "inf")),
        ("bad_nan / 2024-02-01", "missing_required_value", "unit_amount is empty"),
        ("bad_qty / 2024-02-01", too_large[0], too_large[1].format("quantity", "1e300")),
        ("line 10", unparsed[0], unparsed[1].format(10, "missing columns")),
        ("line 15", unparsed[0], unparsed[1].format(15, "line size over maximum")),
        ("line 16", unparsed[0], unparsed[1].format(16, "unquoted value")),
        ("line 9", unparsed[0], unparsed[1].format(9, "too many columns")),
    ]
    raw = rows(
        warehouse,
        "select json_extract_string(raw_values, '$.raw_line') from audit.rejected_rows "
        "where row_key in ('line 9', 'line 16') order by row_key",
    )
    assert raw == [
        ('quote,"cust_c,pro,2024-02-01,,100,1,0,month,USD',),
        ("eleven,cust_c,pro,2024-02-01,,100,1,0,month,USD,oops",),
    ]
    # Malformed lines are rows read: 6 clean + 7 messy + the huge line + the broken quote.
    assert reconciliation(warehouse)["subscriptions"] == [15, 7, 8, 0, True]
    # The one messy row used is a zero-amount trial whose NaN discount reads as empty: no change.
    assert_same_marts(warehouse, clean_build)


def test_too_many_rejected_rows_fail_the_audit_and_publish_nothing(clean_build, tmp_path):
    warehouse, before = published_copy(clean_build, tmp_path)
    data_dir = tmp_path / "data"
    shutil.copytree(MESSY / "malformed_lines", data_dir)
    _, process = build(tmp_path, data_dir=data_dir)
    assert_refused(
        process,
        "Input check failed: rejected 50.0 % of the subscription rows read (7 of 14), more than "
        "max_rejected_rows_pct 5.0: top reasons malformed_line 3, value_out_of_range 3, "
        "missing_required_value 1",
    )
    # The rejection summary prints on the failed build exactly as on a good one.
    assert "  subscriptions               14       7         7           0" in process.stdout
    assert "  subscriptions     malformed_line                   3" in process.stdout
    assert "input_quality_within_limits" in process.stderr
    assert digest(warehouse) == before


def test_dates_in_another_layout_need_an_explicit_format(clean_build, tmp_path):
    warehouse, before = published_copy(clean_build, tmp_path)
    _, process = build(tmp_path, data_dir=MESSY / "us_dates")
    assert_refused(process, "rejected 100.0 % of the subscription rows read (6 of 6)")
    assert "  subscriptions     unparseable_required_value       6" in process.stdout
    assert digest(warehouse) == before
    built, process = build(
        tmp_path / "with_format", "--date-format", "%m/%d/%Y", data_dir=MESSY / "us_dates"
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert_same_marts(built, clean_build)


def test_decimal_comma_with_its_option(clean_build, tmp_path):
    warehouse, process = build(tmp_path, "--decimal-comma", data_dir=MESSY / "decimal_comma")
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert_same_marts(warehouse, clean_build)


def test_rejected_rows_that_move_the_as_of_month_fail_unless_it_is_explicit(tmp_path):
    # A rejected row dated 2025-06 would make the reporting months run to 2025-06.
    _, process = build(tmp_path, "--max-rejected-pct", "50", data_dir=MESSY / "moved_as_of")
    assert_refused(
        process,
        "rejected rows move the as-of month: 2025-06-01 with every row, 2025-01-01 without the "
        "rejected ones (top reasons unparseable_required_value 1)",
    )
    _, process = build(
        tmp_path, "--max-rejected-pct", "50", "--as-of", "2025-01", data_dir=MESSY / "moved_as_of"
    )
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]


def next_month(today: date) -> str:
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2019-01", "as-of month 2019-01 (var as_of_month) is before the first month with MRR"),
        (next_month(date.today()), "(var as_of_month) is after the run month"),
    ],
)
def test_as_of_month_outside_the_data_is_refused_before_any_model(
    clean_build, tmp_path, as_of, message
):
    warehouse, before = published_copy(clean_build, tmp_path)
    _, process = build(tmp_path, "--as-of", as_of, data_dir=EXAMPLES_DIR / "nrr_105")
    assert_refused(process, message)
    assert "the data runs from 2023-12 (first month with MRR) to 2025-01" in process.stderr
    assert "START sql" not in process.stdout
    assert digest(warehouse) == before


def test_more_than_100_years_of_months_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(EXAMPLES_DIR / "nrr_105", data_dir)
    with (data_dir / "subscriptions.csv").open("a") as subscriptions:
        subscriptions.write("old,cust_c,pro,1900-01-01,1900-02-01,5,1,0,month,USD\n")
    _, process = build(tmp_path, data_dir=data_dir)
    assert_refused(
        process,
        "as-of month 2025-01 (from the data) would make 1501 reporting months, more than 100 "
        "years; the data runs from 1900-01",
    )
    assert "START sql" not in process.stdout


def test_demo_refuses_an_as_of_month_before_its_data(tmp_path):
    _, process = build(tmp_path, "--as-of", "1990-01")
    assert_refused(
        process, "as-of month 1990-01 (var as_of_month) is before the first month with MRR"
    )
    assert "the data runs from 2022-01" in process.stderr


def test_file_in_another_encoding_stops_in_one_line(clean_build, tmp_path):
    warehouse, before = published_copy(clean_build, tmp_path)
    # Written here, not kept in tests/fixtures: dbt reads that folder as UTF-8 when it parses.
    data_dir = tmp_path / "data"
    shutil.copytree(EXAMPLES_DIR / "nrr_105", data_dir)
    customers = (data_dir / "customers.csv").read_text().replace("Acme", "Café Acme")
    (data_dir / "customers.csv").write_bytes(customers.encode("latin-1"))
    _, process = build(tmp_path, data_dir=data_dir)
    assert_refused(process, "customers.csv: cannot be read: not UTF-8 text")
    assert digest(warehouse) == before


def test_every_missing_column_is_named_with_the_columns_found(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "subscriptions.csv").write_text("Subscription ID,customer_id,Plan\ns1,c1,pro\n")
    (data_dir / "customers.csv").write_text("customer_id\nc1\n")
    _, process = build(tmp_path, data_dir=data_dir)
    assert_refused(
        process,
        "subscriptions.csv: required columns start_date, unit_amount are missing (columns found: "
        "subscription_id, customer_id, plan)",
    )


def test_one_crlf_line_inside_an_lf_file_is_harmless(clean_build, tmp_path):
    # DuckDB's strict CSV parser aborts on such a file; it is read leniently (docs/own-data.md).
    data_dir = tmp_path / "data"
    shutil.copytree(EXAMPLES_DIR / "nrr_105", data_dir)
    lines = (data_dir / "subscriptions.csv").read_bytes().split(b"\n")
    lines[3] += b"\r"
    (data_dir / "subscriptions.csv").write_bytes(b"\n".join(lines))
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert reconciliation(warehouse)["subscriptions"] == [6, 6, 0, 0, True]
    assert_same_marts(warehouse, clean_build)
