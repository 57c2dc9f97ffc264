"""The benchmark layer (SPEC section 5): seeds as shipped, the marts through the whole pipeline,
and what the harness prints. The boundaries themselves are dbt unit tests; here the data flows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from conftest import EXAMPLES_DIR, build, rows, run_harness

LATEST_SEGMENTS = """
    select segment, benchmark_low_pct, benchmark_high_pct, position, leaky_bucket
    from marts.segment_benchmarks
    where period_end_month = (select max(month) from marts.mrr_bridge_monthly)
    order by segment
"""
COMPANY = """
    select period_end_month, ending_arr, company_stage, nrr_pct, grr_pct, rating,
           median_nrr_pct, best_in_class_nrr_pct, leaky_bucket
    from marts.company_benchmark
    order by period_end_month
"""


def test_shipped_seeds_hold_the_spec_values(demo_warehouse):
    """Users may edit the seeds; the project ships SPEC section 5's values, each with a source."""
    bands = rows(
        demo_warehouse,
        "select segment, nrr_low_pct, nrr_high_pct from reference.benchmark_segment_nrr_bands",
    )
    assert sorted(bands) == [("Enterprise", 120, 140), ("Mid-Market", 110, 125), ("SMB", 100, 115)]
    stages = rows(
        demo_warehouse,
        """
        select company_stage, arr_from, arr_to, concerning_below_nrr_pct, good_from_nrr_pct,
               excellent_above_nrr_pct
        from reference.benchmark_company_stages order by arr_from
        """,
    )
    assert stages == [
        ("early", 0, 10_000_000, 100, 105, 115),
        ("growth", 10_000_000, 50_000_000, 105, 110, 120),
        ("mature", 50_000_000, None, 110, 115, 125),
    ]
    lines = rows(
        demo_warehouse, "select reference_line, nrr_pct from reference.benchmark_reference_lines"
    )
    assert sorted(lines) == [("best_in_class", 120), ("median", 108)]
    for seed in ["benchmark_segment_nrr_bands", "benchmark_company_stages"]:
        sources = rows(demo_warehouse, f"select source, source_note from reference.{seed}")
        assert all(source and note for source, note in sources), seed


def test_demo_summary_shows_bands_positions_and_rating(demo_warehouse):
    process = run_harness("summary", "--warehouse", demo_warehouse)
    assert process.returncode == 0, process.stderr
    out = process.stdout.splitlines()
    segments = rows(demo_warehouse, LATEST_SEGMENTS)
    assert {row[0] for row in segments} == {"SMB", "Mid-Market", "Enterprise", "Unknown"}
    for segment, low, high, position, leaky in segments:
        [line] = [line for line in out if line.split()[:1] == [segment]]
        band = "-" if low is None else f"{float(low):g}-{float(high):g}"
        assert line.split()[4:6] == [band, position], line
        assert line.endswith("leaky bucket") == leaky, line
    # Unknown has no band; the banded segments keep SPEC's three positions.
    assert {row[0]: row[3] for row in segments}["Unknown"] == "no_band"
    assert all(row[3] in ("below", "within", "above") for row in segments if row[0] != "Unknown")

    *_, latest = rows(demo_warehouse, COMPANY)
    _, arr, stage, nrr, _, rating, median, best, leaky = latest
    # The demo ends at an ARR of about 13.2 M (growth) with an NRR of about 114.7 (good: 110-120).
    assert (stage, rating) == ("growth", "good")
    assert 10_000_000 <= arr < 50_000_000 and 110 <= nrr <= 120
    assert (
        f"Company benchmark: stage growth (ARR {arr:,.2f}), NRR {nrr:.1f} % rated good"
        in process.stdout
    )
    assert f"SaaS median NRR {float(median):g} %, best in class {float(best):g} % and above" in (
        process.stdout
    )
    assert ("WARNING leaky bucket" in process.stdout) == leaky


def test_example_3_raises_the_leaky_bucket(shared_build):
    """SPEC example 3: GRR 85 % and expansion 17 % give NRR 102 %: healthy-looking, but leaky."""
    warehouse, process = shared_build(data_dir=EXAMPLES_DIR / "leaky_bucket")
    assert process.returncode == 0, process.stdout[-3000:]
    [company] = rows(warehouse, COMPANY)
    assert company[0] == date(2025, 1, 1)
    assert company[2:] == ("early", 102.0, 85.0, "fair", 108, 120, True)
    assert rows(warehouse, LATEST_SEGMENTS) == [("Mid-Market", 110, 125, "below", True)]
    assert "WARNING leaky bucket: NRR 102.0 % is at least 100 while GRR 85.0 %" in process.stdout
    assert "rated fair" in process.stdout


def write_growing_company(folder: Path) -> Path:
    """One enterprise account grows the company's ARR across 10 M and then 50 M; a small SMB account
    and an account of an unknown segment stay flat."""
    folder.mkdir(parents=True)
    (folder / "subscriptions.csv").write_text(
        "subscription_id,customer_id,start_date,end_date,unit_amount,billing_interval\n"
        "sub_a,cust_a,2024-01-01,2025-02-01,800000,month\n"
        "sub_a,cust_a,2025-02-01,2025-03-01,850000,month\n"
        "sub_a,cust_a,2025-03-01,,5000000,month\n"
        "sub_b,cust_b,2024-01-01,,1000,month\n"
        "sub_c,cust_c,2024-01-01,,6000,year\n"
    )
    (folder / "customers.csv").write_text(
        "customer_id,segment\ncust_a,Enterprise\ncust_b,smb\ncust_c,Partner\n"
    )
    return folder


def test_stage_follows_arr_across_10m_and_50m(tmp_path):
    data_dir = write_growing_company(tmp_path / "data")
    warehouse, process = build(tmp_path, data_dir=data_dir)
    assert process.returncode == 0, process.stdout[-3000:]
    company = [(row[0], row[1], row[2], row[5]) for row in rows(warehouse, COMPANY)]
    assert company == [
        # ARR 12 x 801,500; NRR exactly 100: on the early concerning line, so fair.
        (date(2025, 1, 1), Decimal("9618000"), "early", "fair"),
        # ARR 12 x 851,500 crosses 10 M: growth; NRR 851,500 / 801,500 = 106.2: fair (105-110).
        (date(2025, 2, 1), Decimal("10218000"), "growth", "fair"),
        # ARR 12 x 5,001,500 crosses 50 M: mature; NRR 624 %: excellent.
        (date(2025, 3, 1), Decimal("60018000"), "mature", "excellent"),
    ]
    positions = rows(
        warehouse,
        "select period_end_month, segment, position from marts.segment_benchmarks order by all",
    )
    by_segment: dict[str, list[str]] = {}
    for _, segment, position in positions:
        by_segment.setdefault(segment, []).append(position)
    # SMB is flat at exactly 100 %, the low end of its band: within. Enterprise's 100 % and
    # 106.25 % are below 120; its 625 % is above 140. Partner is Unknown: no band.
    assert by_segment == {
        "Enterprise": ["below", "below", "above"],
        "SMB": ["within", "within", "within"],
        "Unknown": ["no_band", "no_band", "no_band"],
    }
    assert rows(warehouse, "select count(*) from marts.company_benchmark where leaky_bucket") == [
        (0,)
    ]
    assert "Company benchmark: stage mature (ARR 60,018,000.00)" in process.stdout
    assert "rated excellent" in process.stdout
