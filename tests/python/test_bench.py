"""The benchmark runs end to end at a tiny size, so it cannot rot: the baseline's marts equal dbt's,
the incremental run is incremental, and the table is written."""

from __future__ import annotations

import csv
import subprocess
import sys

from conftest import PROJECT_DIR, load_tool


def test_bench_at_a_tiny_size(tmp_path):
    out = tmp_path / "performance"
    process = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "tools" / "bench.py"), "--sizes", "1000",
         "--months", "24", "--scratch", str(tmp_path / "scratch"), "--out", str(out)],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "marts equal to the baseline: yes" in process.stdout
    (row,) = list(csv.DictReader(out.with_suffix(".csv").open()))
    assert row["customers"] == "1000" and row["marts_equal_baseline"] == "yes"
    assert float(row["full_build_s"]) > 0 and float(row["incremental_s"]) > 0
    assert "| 1,000 |" in out.with_suffix(".md").read_text()


def test_a_full_only_size_writes_its_row_without_an_incremental_run(tmp_path):
    """--full-only (a 3M size): the table shows "-" for the incremental run, the CSV empty cells,
    and the generator's cost when the run generated the data."""
    bench = load_tool("bench")
    assert bench.parse_args(["--sizes", "3000000", "--full-only"]).full_only
    row = {
        "customers": 3_000_000, "subscription_rows": 7_857_643, "baseline_s": 120.0,
        "baseline_peak_rss_mib": 5000, "full_build_s": 300.0, "full_build_peak_rss_mib": 5900,
        "full_build_rows_per_s": 26192, "ratio_to_baseline": 2.5, "incremental_s": "",
        "incremental_peak_rss_mib": "", "incremental_pct_of_full": "", "generate_s": 732.0,
        "generate_peak_rss_mib": 355,
    }  # fmt: skip
    out = tmp_path / "performance"
    bench.write_results([row], out, [])
    line = "| 3,000,000 | 7,857,643 | 120.0 | 5,000 | 300.0 | 5,900 | 26,192 | 2.50 x | - | - | - |"
    assert line in out.with_suffix(".md").read_text()
    (written,) = list(csv.DictReader(out.with_suffix(".csv").open()))
    assert written["incremental_s"] == "" and written["generate_peak_rss_mib"] == "355"
