"""The harness: runs the dbt project, prints the headline figures and checks the SPEC examples.

dbt does all the modelling. This script only chooses the inputs and the warehouse file, calls
`dbt build`, reads the marts back and prints or asserts them.

    python scripts/nrr.py build [--data-dir DIR] [--warehouse PATH] [--as-of YYYY-MM]
    python scripts/nrr.py summary [--warehouse PATH]
    python scripts/nrr.py check-examples
    python scripts/nrr.py report [--warehouse PATH] [--out FILE]

Exit codes: 0 success; 1 a dbt model or test failed, or an example missed its figure;
2 bad arguments (argparse).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = PROJECT_DIR / "examples"
# The profile's own default (profiles.yml): the warehouse when neither --warehouse nor
# NRR_WAREHOUSE says otherwise.
DEFAULT_WAREHOUSE = "warehouse/nrr.duckdb"
SEGMENT_ORDER = ["All", "SMB", "Mid-Market", "Enterprise", "Unknown"]


class HarnessError(Exception):
    """A failure to report in one line and exit 1 on."""


def warehouse_path(warehouse: str | None) -> Path:
    """The DuckDB file a build writes: --warehouse, else NRR_WAREHOUSE, else the profile default."""
    chosen = warehouse or os.environ.get("NRR_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(chosen)
    return path if path.is_absolute() else (PROJECT_DIR / path).resolve()


def dbt_executable() -> str:
    """The dbt of the interpreter running this script (the project's .venv)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def run_dbt(
    args: list[str],
    warehouse: Path,
    data_dir: Path | None,
    target_path: Path | None = None,
    quiet: bool = False,
) -> Path:
    """Run one dbt command on the project; return its target dir. HarnessError on failure."""
    env = dict(os.environ)
    env["NRR_WAREHOUSE"] = str(warehouse)
    env.pop("NRR_DATA_DIR", None)
    if data_dir is not None:
        env["NRR_DATA_DIR"] = str(data_dir)
    target = target_path or PROJECT_DIR / "target"
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
    ]
    completed = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=env,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        check=False,
    )
    if completed.returncode != 0:
        if quiet and completed.stdout:
            print(completed.stdout[-6000:], file=sys.stderr)
        raise HarnessError(f"dbt {args[0]} failed{failed_nodes(target)}")
    return target


def failed_nodes(target: Path) -> str:
    """': a, b' naming the models and tests that did not pass in the last run, if known."""
    results_file = target / "run_results.json"
    if not results_file.exists():
        return ""
    results = json.loads(results_file.read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "runtime error")]
    return (": " + ", ".join(failed)) if failed else ""


def build(
    warehouse: Path,
    data_dir: Path | None = None,
    as_of: str | None = None,
    target_path: Path | None = None,
    quiet: bool = False,
) -> None:
    """Seeds, models and every data and unit test into `warehouse`."""
    if data_dir is not None and not data_dir.is_dir():
        raise HarnessError(f"--data-dir {data_dir}: no such directory")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    args = ["build"]
    if as_of:
        args += ["--vars", json.dumps({"as_of_month": as_of})]
    run_dbt(args, warehouse, data_dir, target_path, quiet)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query against the marts, read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def period_rows(warehouse: Path, period_months: int, end_month: str | None = None) -> dict:
    """nrr_by_period rows of one period length and end month (default: the latest), by segment."""
    rows = query(
        warehouse,
        """
        select segment, period_start_month, period_end_month, cohort_customers,
               starting_mrr, expansion_mrr, contraction_mrr, churned_mrr, ending_mrr,
               nrr_pct, grr_pct, logo_retention_pct
        from marts.nrr_by_period
        where period_months = ?
          and period_end_month = coalesce(
                cast(? as date), (select max(month) from marts.mrr_bridge_monthly))
        """,
        [period_months, end_month],
    )
    names = [
        "segment",
        "period_start_month",
        "period_end_month",
        "cohort_customers",
        "starting_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "ending_mrr",
        "nrr_pct",
        "grr_pct",
        "logo_retention_pct",
    ]
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


def segment_benchmark_rows(warehouse: Path, end_month: date) -> dict:
    """segment_benchmarks rows of one end month, by segment: band, position, leaky flag."""
    rows = query(
        warehouse,
        """
        select segment, benchmark_low_pct, benchmark_high_pct, position, leaky_bucket
        from marts.segment_benchmarks
        where period_end_month = ?
        """,
        [end_month],
    )
    names = ["segment", "benchmark_low_pct", "benchmark_high_pct", "position", "leaky_bucket"]
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


def company_benchmark_row(warehouse: Path, end_month: date) -> dict | None:
    """The company_benchmark row of one end month (stage, rating, lines, leaky flag), if any."""
    names = [
        "ending_arr",
        "company_stage",
        "nrr_pct",
        "grr_pct",
        "rating",
        "median_nrr_pct",
        "best_in_class_nrr_pct",
        "leaky_bucket",
    ]
    rows = query(
        warehouse,
        f"select {', '.join(names)} from marts.company_benchmark where period_end_month = ?",
        [end_month],
    )
    return dict(zip(names, rows[0], strict=True)) if rows else None


def band_text(row: dict | None) -> str:
    """A segment's NRR band as '100-115', '-' when it has none."""
    if row is None or row["benchmark_low_pct"] is None:
        return "-"
    return f"{float(row['benchmark_low_pct']):g}-{float(row['benchmark_high_pct']):g}"


def summary(warehouse: Path) -> str:
    """The headline figures of a built warehouse, as text. Benchmarks are read from their marts."""
    month, mrr, arr, active = query(
        warehouse,
        """
        select month, ending_mrr, ending_arr, active_customers
        from marts.mrr_bridge_monthly
        order by month desc
        limit 1
        """,
    )[0]
    lines = [
        f"Warehouse: {warehouse}",
        f"As of {month:%Y-%m}: MRR {mrr:,.2f}  ARR {arr:,.2f}  active customers {active:,}",
    ]
    lines += input_audit_lines(warehouse)
    trailing = period_rows(warehouse, 12)
    if not trailing:
        lines.append("Trailing-12-month NRR: not yet available (needs 13 months of history).")
        return "\n".join(lines)
    bands = segment_benchmark_rows(warehouse, month)
    lines.append("Trailing 12 months (cohort method):")
    lines.append(
        f"  {'segment':<12}{'cohort':>8}{'NRR %':>9}{'GRR %':>9}  {'band %':<9}{'position':<10}flag"
    )
    for segment in [s for s in SEGMENT_ORDER if s in trailing]:
        row = trailing[segment]
        benchmark = bands.get(segment)
        position = "" if benchmark is None else benchmark["position"]
        band = "" if segment == "All" else band_text(benchmark)
        leaky = "leaky bucket" if benchmark is not None and benchmark["leaky_bucket"] else ""
        line = (
            f"  {segment:<12}{row['cohort_customers']:>8}"
            f"{row['nrr_pct']:>9.1f}{row['grr_pct']:>9.1f}  {band:<9}{position:<10}{leaky}"
        )
        lines.append(line.rstrip())
    company = company_benchmark_row(warehouse, month)
    if company is not None:
        lines.append(
            f"Company benchmark: stage {company['company_stage']}"
            f" (ARR {company['ending_arr']:,.2f}), NRR {company['nrr_pct']:.1f} % rated"
            f" {company['rating']}"
        )
        lines.append(
            f"  reference lines: SaaS median NRR {float(company['median_nrr_pct']):g} %,"
            f" best in class {float(company['best_in_class_nrr_pct']):g} % and above"
        )
        if company["leaky_bucket"]:
            lines.append(
                f"  WARNING leaky bucket: NRR {company['nrr_pct']:.1f} % is at least 100 while GRR"
                f" {company['grr_pct']:.1f} % is below"
            )
            lines.append("  the leaky_bucket_grr_pct line: expansion is hiding churn.")
    return "\n".join(lines)


def input_audit_lines(warehouse: Path) -> list[str]:
    """What happened to the input rows: used, rejected (by reason), collapsed duplicates."""
    reconciliation = query(
        warehouse,
        """
        select source_table, rows_in, rows_used, rows_rejected, duplicate_rows_collapsed
        from audit.input_reconciliation
        order by source_table desc
        """,
    )
    lines = [f"Input rows:   {'in':>14}{'used':>8}{'rejected':>10}{'duplicates':>12}"]
    lines += [
        f"  {table:<14}{rows_in:>12,}{used:>8,}{rejected:>10,}{collapsed:>12,}"
        for table, rows_in, used, rejected, collapsed in reconciliation
    ]
    reasons = query(
        warehouse,
        """
        select source_table, reason_code, count(*)
        from audit.rejected_rows
        group by source_table, reason_code
        order by source_table desc, count(*) desc, reason_code
        """,
    )
    if reasons:
        lines.append("Rejected rows (details in audit.rejected_rows):")
        lines += [f"  {table:<14}{code:<28}{count:>6}" for table, code, count in reasons]
    return lines


@dataclass
class Example:
    """A SPEC section 6 example: a data set in examples/ and the figures it must produce."""

    number: int
    folder: str
    period_months: int
    text: str
    nrr_pct: float
    grr_pct: float
    contraction_mrr: float | None = None
    leaky_bucket: bool | None = None


EXAMPLES = [
    Example(
        1,
        "nrr_105",
        12,
        "starting 100,000; expansion 20,000; churned 10,000; contraction 5,000",
        nrr_pct=105,
        grr_pct=85,
    ),
    Example(
        2,
        "single_contraction",
        1,
        "one account from 500 to 200 a month",
        nrr_pct=40,
        grr_pct=40,
        contraction_mrr=300,
    ),
    Example(
        3,
        "leaky_bucket",
        12,
        "gross retention 85 % with expansion of 17 %",
        nrr_pct=102,
        grr_pct=85,
        leaky_bucket=True,
    ),
]


def close(actual: float, expected: float) -> bool:
    """Figures agree: exact up to floating-point noise (the pipeline never rounds)."""
    return abs(float(actual) - expected) < 1e-9


def check_examples() -> bool:
    """Build each example through the whole pipeline and compare its figures; True when all hold."""
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="nrr-examples-") as scratch:
        built: dict[str, dict] = {}
        for folder in ["nrr_105", "single_contraction", "leaky_bucket", "new_and_reactivated"]:
            warehouse = Path(scratch) / f"{folder}.duckdb"
            build(
                warehouse, EXAMPLES_DIR / folder, target_path=Path(scratch) / "target", quiet=True
            )
            built[folder] = {"warehouse": warehouse}

        for example in EXAMPLES:
            row = period_rows(built[example.folder]["warehouse"], example.period_months)["All"]
            checks = [
                ("NRR", row["nrr_pct"], example.nrr_pct),
                ("GRR", row["grr_pct"], example.grr_pct),
            ]
            if example.contraction_mrr is not None:
                checks.append(("contraction", row["contraction_mrr"], example.contraction_mrr))
            if example.leaky_bucket is not None:
                company = company_benchmark_row(
                    built[example.folder]["warehouse"], row["period_end_month"]
                )
                leaky = None if company is None else company["leaky_bucket"]
                checks.append(("leaky bucket", leaky, example.leaky_bucket))
            all_ok &= report(example.number, example.text, checks)

        # Example 4: the same cohort as example 1, plus a customer new inside the period, one
        # reactivated inside it and one that only trialled at the start: NRR and GRR do not move.
        base = period_rows(built["nrr_105"]["warehouse"], 12)["All"]
        warehouse = built["new_and_reactivated"]["warehouse"]
        row = period_rows(warehouse, 12)["All"]
        inside = query(
            warehouse,
            """
            select movement_type, count(*) from marts.fct_mrr_movements
            where month > cast(? as date) and month <= cast(? as date)
              and movement_type in ('new', 'reactivation')
            group by movement_type order by movement_type
            """,
            [row["period_start_month"], row["period_end_month"]],
        )
        print(f"        (inside the period: {dict(inside)})")
        all_ok &= report(
            4,
            "a customer new or reactivated inside the period leaves NRR and GRR unchanged",
            [
                ("NRR", row["nrr_pct"], base["nrr_pct"]),
                ("GRR", row["grr_pct"], base["grr_pct"]),
                ("new customers inside", dict(inside).get("new", 0) > 0, True),
                ("reactivations inside", dict(inside).get("reactivation", 0) > 0, True),
            ],
        )
    print("All examples hold." if all_ok else "Some examples FAILED.")
    return all_ok


def report(number: int, text: str, checks: list[tuple]) -> bool:
    """Print one example's figures against what SPEC expects; True when every one holds."""
    ok = all(
        (actual == expected) if isinstance(expected, bool) else close(actual, expected)
        for _, actual, expected in checks
    )
    figures = ", ".join(
        f"{name} {actual}"
        if isinstance(expected, bool)
        else f"{name} {float(actual):.2f} (expected {expected:g})"
        for name, actual, expected in checks
    )
    print(f"{'ok  ' if ok else 'MISS'} example {number}: {text}: {figures}")
    return ok


def write_report_command(warehouse: str | None, out: Path | None) -> Path:
    """`report`: the HTML report of a built warehouse (scripts/retention_report.py); its path."""
    from retention_report import write_report  # altair loads only for this command

    path = warehouse_path(warehouse)
    if not path.exists():
        raise HarnessError(f"{path}: no such warehouse; run `nrr.py build` first")
    target = (out or path.with_name("report.html")).resolve()
    return write_report(path, target)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="nrr.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the warehouse and print its summary")
    build_cmd.add_argument(
        "--data-dir",
        type=Path,
        help="folder of subscriptions/customers/"
        "fx_rates .csv or .parquet files (default: the demo seeds)",
    )
    build_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")
    build_cmd.add_argument("--as-of", help="last reporting month, YYYY-MM (default: from data)")

    summary_cmd = commands.add_parser("summary", help="print the summary of a built warehouse")
    summary_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")

    commands.add_parser("check-examples", help="build and assert the SPEC section 6 examples")

    report_cmd = commands.add_parser("report", help="write the HTML report of a built warehouse")
    report_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")
    report_cmd.add_argument("--out", type=Path, help="HTML file (default: report.html beside it)")

    args = parser.parse_args(argv)
    if getattr(args, "as_of", None) and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.as_of):
        parser.error(f"--as-of must look like YYYY-MM, got {args.as_of!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "build":
            warehouse = warehouse_path(args.warehouse)
            data_dir = args.data_dir.resolve() if args.data_dir else None
            build(warehouse, data_dir, args.as_of)
            print(summary(warehouse))
        elif args.command == "summary":
            print(summary(warehouse_path(args.warehouse)))
        elif args.command == "check-examples":
            return 0 if check_examples() else 1
        elif args.command == "report":
            print(write_report_command(args.warehouse, args.out))
    except HarnessError as error:
        print(f"nrr.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
