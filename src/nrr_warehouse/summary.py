"""The headline figures of a built warehouse, as `nrr build` and `nrr summary` print them: the
latest month, what happened to the input rows, trailing-12-month NRR and GRR by segment against
their bands, and the company benchmark. Every figure is read from a mart (marts.py)."""

from __future__ import annotations

from pathlib import Path

from nrr_warehouse import marts
from nrr_warehouse.marts import SEGMENT_ORDER


def band_text(row: dict | None) -> str:
    """A segment's NRR band as '100-115', '-' when it has none."""
    if row is None or row["benchmark_low_pct"] is None:
        return "-"
    return f"{float(row['benchmark_low_pct']):g}-{float(row['benchmark_high_pct']):g}"


def summary(warehouse: Path) -> str:
    """The headline figures of a built warehouse, as text. Benchmarks are read from their marts."""
    marts.check_readable(warehouse)
    latest = marts.latest_month(warehouse)
    month = latest["month"]
    lines = [
        f"Warehouse: {warehouse}",
        f"As of {month:%Y-%m}: MRR {latest['ending_mrr']:,.2f}  ARR {latest['ending_arr']:,.2f}"
        f"  active customers {latest['active_customers']:,}",
    ]
    lines += input_audit_lines(warehouse)
    trailing = marts.period_rows(warehouse, 12)
    if not trailing:
        lines.append("Trailing-12-month NRR: not yet available (needs 13 months of history).")
        return "\n".join(lines)
    bands = marts.segment_benchmark_rows(warehouse, month)
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
    company = marts.company_benchmark_row(warehouse, month)
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
    reconciliation = marts.read(
        warehouse,
        """
        select source_table, rows_in, rows_used, rows_rejected, duplicate_rows_collapsed
        from audit.input_reconciliation
        order by source_table desc
        """,
    )
    # Each count column as wide as its default or, for millions of rows, its longest figure plus a
    # space before it, so large counts never run into their neighbours.
    columns = {"rows_in": 12, "rows_used": 8, "rows_rejected": 10, "duplicate_rows_collapsed": 12}
    width = {
        column: max([default] + [len(f"{row[column]:,}") + 2 for row in reconciliation])
        for column, default in columns.items()
    }
    headers = dict(zip(columns, ["in", "used", "rejected", "duplicates"], strict=True))
    lines = [
        f"Input rows:{'':<9}" + "".join(f"{headers[column]:>{width[column]}}" for column in columns)
    ]
    lines += [
        f"  {row['source_table']:<18}"
        + "".join(f"{row[column]:>{width[column]},}" for column in columns)
        for row in reconciliation
    ]
    reasons = marts.read(
        warehouse,
        """
        select source_table, reason_code, count(*) as rejected_rows
        from audit.rejected_rows
        group by source_table, reason_code
        order by source_table desc, count(*) desc, reason_code
        """,
    )
    if reasons:
        lines.append("Rejected rows (details in audit.rejected_rows):")
        lines += [
            f"  {row['source_table']:<18}{row['reason_code']:<28}{row['rejected_rows']:>6}"
            for row in reasons
        ]
    return lines
