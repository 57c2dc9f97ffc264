"""`nrr check-examples`: the SPEC section 6 examples, each built through the whole pipeline from
its data set in examples/, and its figures compared with the ones SPEC gives."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from nrr_warehouse import marts
from nrr_warehouse.build import BuildRequest, build
from nrr_warehouse.project import EXAMPLES_DIR


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
            # One file name in a folder per example: the same database name, so dbt parses the
            # project once for the four (DECISIONLOG "dbt opens the warehouse through a fixed
            # descriptor of its folder").
            warehouse = Path(scratch) / folder / "nrr.duckdb"
            request = BuildRequest(
                warehouse, EXAMPLES_DIR / folder, target_path=Path(scratch) / "target", quiet=True
            )
            build(request)
            built[folder] = {"warehouse": warehouse}

        for example in EXAMPLES:
            warehouse = built[example.folder]["warehouse"]
            row = marts.period_rows(warehouse, example.period_months)["All"]
            checks = [
                ("NRR", row["nrr_pct"], example.nrr_pct),
                ("GRR", row["grr_pct"], example.grr_pct),
            ]
            if example.contraction_mrr is not None:
                checks.append(("contraction", row["contraction_mrr"], example.contraction_mrr))
            if example.leaky_bucket is not None:
                company = marts.company_benchmark_row(warehouse, row["period_end_month"])
                leaky = None if company is None else company["leaky_bucket"]
                checks.append(("leaky bucket", leaky, example.leaky_bucket))
            all_ok &= print_checks(example.number, example.text, checks)

        # Example 4: the same cohort as example 1, plus a customer new inside the period, one
        # reactivated inside it and one that only trialled at the start: NRR and GRR do not move.
        base = marts.period_rows(built["nrr_105"]["warehouse"], 12)["All"]
        warehouse = built["new_and_reactivated"]["warehouse"]
        row = marts.period_rows(warehouse, 12)["All"]
        movements = marts.read(
            warehouse,
            """
            select movement_type, count(*) as movements from marts.fct_mrr_movements
            where month > cast(? as date) and month <= cast(? as date)
              and movement_type in ('new', 'reactivation')
            group by movement_type order by movement_type
            """,
            [row["period_start_month"], row["period_end_month"]],
        )
        inside = {found["movement_type"]: found["movements"] for found in movements}
        print(f"        (inside the period: {inside})")
        all_ok &= print_checks(
            4,
            "a customer new or reactivated inside the period leaves NRR and GRR unchanged",
            [
                ("NRR", row["nrr_pct"], base["nrr_pct"]),
                ("GRR", row["grr_pct"], base["grr_pct"]),
                ("new customers inside", inside.get("new", 0) > 0, True),
                ("reactivations inside", inside.get("reactivation", 0) > 0, True),
            ],
        )
    print("All examples hold." if all_ok else "Some examples FAILED.")
    return all_ok


def print_checks(number: int, text: str, checks: list[tuple]) -> bool:
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
