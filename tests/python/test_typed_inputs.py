"""Typed inputs stay typed (DECISIONLOG "Typed inputs stay typed"): a Parquet column that is already
a date or a number is used as it is, not cast to text and parsed again, and every row gets the
verdict (reason, row) and every mart the value that the CSV copy and the all-text copy give."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLES_DIR, PROJECT_DIR, build, rows

DIRTY_DIR = PROJECT_DIR / "tests" / "fixtures" / "dirty_inputs"
LIFTED = ("--max-rejected-pct", "100")  # the dirty fixture is mostly bad rows on purpose
# Every mart and the audit tables whose rows are the data's (build_record and input_fingerprints
# hold the build's paths and times; rejected_rows is compared on its own).
AUDIT_TABLES = ["input_quality", "input_reconciliation"]
VERDICTS = (
    "select source_table, row_key, reason_code, reason, mrr_if_computable"
    " from audit.rejected_rows order by all"
)


def write_parquet(source: Path, out: Path) -> dict[str, list[str]]:
    """Parquet copies of source's input CSVs in out/typed, typed as DuckDB's CSV sniffer reads them,
    and the same Parquet with every column cast to VARCHAR (the text path, each value the text of
    the typed one, as the build cast it before) in out/text. Returns each table's typed columns."""
    typed = {}
    (out / "typed").mkdir()
    (out / "text").mkdir()
    with duckdb.connect() as con:
        for csv_file in sorted(source.glob("*.csv")):
            if csv_file.stem == "expected_rejections":
                continue
            target = out / "typed" / f"{csv_file.stem}.parquet"
            con.execute(
                f"copy (select * from read_csv('{csv_file}')) to '{target}' (format parquet)"
            )
            con.execute(
                f"copy (select columns(*)::varchar from read_parquet('{target}'))"
                f" to '{out / 'text' / target.name}' (format parquet)"
            )
            described = con.execute(f"describe select * from '{target}'").fetchall()
            typed[csv_file.stem] = [name for name, kind, *_ in described if kind != "VARCHAR"]
    return typed


def differences(left: Path, right: Path, table: str) -> tuple[int, int]:
    """Rows of `table` in one warehouse and not the other, both ways (EXCEPT ALL)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        return tuple(
            con.execute(
                f"select count(*) from (from {a}.{table} except all from {b}.{table})"
            ).fetchone()[0]
            for a, b in [("l", "r"), ("r", "l")]
        )


def mart_tables(warehouse: Path) -> list[str]:
    names = rows(
        warehouse,
        "select table_name from information_schema.tables where table_schema = 'marts'"
        " order by all",
    )
    return [f"marts.{name}" for (name,) in names] + [f"audit.{t}" for t in AUDIT_TABLES]


def assert_same_marts(actual: Path, expected: Path) -> None:
    tables = mart_tables(expected)
    assert len(tables) >= 9 and tables == mart_tables(actual)
    assert rows(expected, "select count(*) from marts.mrr_bridge_monthly")[0][0] > 0
    for table in tables:
        assert differences(actual, expected, table) == (0, 0), table


def raw_values_as_values(warehouse: Path) -> list[tuple]:
    """Each rejected row's raw values with numbers as numbers: a typed 1.0 is the CSV's 1."""

    def value(text):
        try:
            return float(text)
        except (TypeError, ValueError):
            return text

    found = rows(
        warehouse, "select source_table, row_key, reason_code, raw_values from audit.rejected_rows"
    )
    return sorted(
        [
            (table, key, code, sorted((k, repr(value(v))) for k, v in json.loads(raw).items()))
            for table, key, code, raw in found
        ],
        key=repr,
    )


def view_sql(warehouse: Path, view: str) -> str:
    """The SQL of a staging view as the build created it."""
    [(sql,)] = rows(warehouse, "select sql from duckdb_views() where view_name = ?", [view])
    return sql


@pytest.mark.parametrize(
    ("source", "extra", "typed_columns"),
    [
        (
            EXAMPLES_DIR / "nrr_105",
            (),
            {
                "subscriptions": [
                    "start_date",
                    "end_date",
                    "unit_amount",
                    "quantity",
                    "discount_pct",
                ],
                "fx_rates": ["rate_to_reporting"],
                "customers": [],
            },
        ),
        (
            DIRTY_DIR,
            LIFTED,
            {"subscriptions": ["quantity"], "fx_rates": [], "customers": []},
        ),
    ],
    ids=["nrr_105", "dirty_inputs"],
)
def test_typed_parquet_gives_the_verdicts_and_marts_of_csv_and_text(
    tmp_path, shared_build, source, extra, typed_columns
):
    typed = write_parquet(source, tmp_path)
    assert typed == typed_columns  # what the sniffer typed: the test exercises the typed path
    csv_warehouse, csv_run = shared_build(*extra, data_dir=source)
    typed_warehouse, typed_run = build(tmp_path / "t", *extra, data_dir=tmp_path / "typed")
    text_warehouse, text_run = build(tmp_path / "x", *extra, data_dir=tmp_path / "text")
    for run in (csv_run, typed_run, text_run):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # The typed columns were used as they are: selected without a cast to text, never parsed.
    for table in ("subscriptions", "fx_rates"):
        compiled = view_sql(typed_warehouse, f"stg_billing__{table}")
        for column in typed[table]:
            assert f"CAST({column} AS VARCHAR) AS {column}," not in compiled
            assert f"CAST({column}_given AS" in compiled
    # Same marts as the CSV copy and as the all-text copy.
    assert_same_marts(typed_warehouse, csv_warehouse)
    assert_same_marts(typed_warehouse, text_warehouse)
    # Same rejections: reason and row as the CSV copy; as the all-text copy, raw values included
    # (a typed value's raw text is its text form, 1.0 for a double; the CSV's is as written, 1).
    assert rows(typed_warehouse, VERDICTS) == rows(csv_warehouse, VERDICTS)
    assert raw_values_as_values(typed_warehouse) == raw_values_as_values(csv_warehouse)
    assert differences(typed_warehouse, text_warehouse, "audit.rejected_rows") == (0, 0)
    if source == DIRTY_DIR:
        assert len(rows(typed_warehouse, VERDICTS)) > 20


EDGE_SUBSCRIPTIONS = """
    select * from (values
        ('ok', 'c1', date '2023-01-01', null::date, 100.0::double, 2.0::double, 10.0::double),
        ('nan_amount', 'c1', date '2023-01-01', null, 'nan'::double, 1.0, 0.0),
        ('inf_amount', 'c1', date '2023-01-01', null, 'inf'::double, 1.0, 0.0),
        ('big_amount', 'c1', date '2023-01-01', null, 1e300, 1.0, 0.0),
        ('nan_quantity', 'c1', date '2023-01-01', null, 100.0, 'nan'::double, 0.0),
        ('half_quantity', 'c1', date '2023-01-01', null, 100.0, 2.5, 0.0),
        ('neg_quantity', 'c1', date '2023-01-01', null, 100.0, -2.0, 0.0),
        ('no_start', 'c1', null, null, 100.0, 1.0, 0.0),
        ('far_start', 'c1', date '10000-01-01', null, 100.0, 1.0, 0.0),
        ('bc_start', 'c1', date '0044-03-15 (BC)', null, 100.0, 1.0, 0.0),
        ('ends_first', 'c1', date '2024-05-01', date '2024-04-01', 100.0, 1.0, 0.0),
        ('neg_amount', 'c1', date '2023-01-01', null, -100.0, 1.0, 0.0),
        ('big_discount', 'c1', date '2023-01-01', null, 100.0, 1.0, 120.0),
        ('nan_discount', 'c1', date '2023-01-01', null, 100.0, 1.0, 'nan'::double)
    ) as t(subscription_id, customer_id, start_date, end_date, unit_amount, quantity, discount_pct)
"""


def test_typed_edge_values_get_the_verdicts_of_their_text(tmp_path):
    """NaN, infinities, a date beyond year 9999 or before year 1, nulls, negatives: a typed
    column's value gets the verdict its text gets on the text path, reason and raw values alike."""
    typed_dir, text_dir = tmp_path / "typed", tmp_path / "text"
    with duckdb.connect() as con:
        for out, select in [
            (typed_dir, EDGE_SUBSCRIPTIONS),
            (text_dir, f"select columns(*)::varchar from '{typed_dir}/subscriptions.parquet'"),
        ]:
            out.mkdir()
            con.execute(f"copy ({select}) to '{out}/subscriptions.parquet' (format parquet)")
            con.execute(
                f"copy (select 'c1' as customer_id) to '{out}/customers.parquet' (format parquet)"
            )
    as_of = ("--as-of", "2024-12")  # the rows' dates include rejected ones: the month is given
    typed_warehouse, typed_run = build(tmp_path / "t", *LIFTED, *as_of, data_dir=typed_dir)
    text_warehouse, text_run = build(tmp_path / "x", *LIFTED, *as_of, data_dir=text_dir)
    for run in (typed_run, text_run):
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert differences(typed_warehouse, text_warehouse, "audit.rejected_rows") == (0, 0)
    verdicts = dict(
        rows(
            typed_warehouse,
            "select split_part(row_key, ' / ', 1), reason_code from audit.rejected_rows",
        )
    )
    assert verdicts == {
        "nan_amount": "missing_required_value",
        "inf_amount": "value_out_of_range",
        "big_amount": "value_out_of_range",
        "half_quantity": "unparseable_optional_value",
        "neg_quantity": "negative_quantity",
        "no_start": "missing_required_value",
        "far_start": "unparseable_required_value",
        "bc_start": "unparseable_required_value",
        "ends_first": "end_before_start",
        "neg_amount": "negative_amount",
        "big_discount": "discount_out_of_range",
    }
    # NaN in an optional column reads as not given (its default), as the text `nan` does.
    used = (
        "select subscription_id, quantity, discount_pct"
        " from intermediate.int_subscription_rows_validated where row_status = 'used' order by all"
    )
    assert rows(typed_warehouse, used) == rows(text_warehouse, used)
    assert [r[0] for r in rows(typed_warehouse, used)] == ["nan_discount", "nan_quantity", "ok"]


def test_parquet_amount_as_text_takes_the_text_path(tmp_path):
    """A Parquet file whose amount column is VARCHAR is parsed as text: its bad values are
    quarantined with a reason, not a load error."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with duckdb.connect() as con:
        con.execute(
            "copy (select * from (values ('s1', 'c1', date '2023-01-01', '1,200.50'),"
            " ('s2', 'c1', date '2023-01-01', '12O'), ('s3', 'c1', date '2023-01-01', ' '))"
            " as t(subscription_id, customer_id, start_date, unit_amount))"
            f" to '{data_dir}/subscriptions.parquet' (format parquet)"
        )
        con.execute(
            f"copy (select 'c1' as customer_id) to '{data_dir}/customers.parquet' (format parquet)"
        )
    warehouse, process = build(tmp_path / "b", *LIFTED, "--as-of", "2024-12", data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert rows(
        warehouse, "select row_key, reason_code, reason from audit.rejected_rows order by all"
    ) == [
        ("s2 / 2023-01-01", "unparseable_required_value", "unit_amount is not a number: 12O"),
        ("s3 / 2023-01-01", "missing_required_value", "unit_amount is empty"),
    ]
    assert rows(
        warehouse,
        "select subscription_id, unit_amount from intermediate.int_subscription_rows_validated"
        " where row_status = 'used'",
    ) == [("s1", 1200.5)]
