"""The benchmark runs end to end at a tiny size, so it cannot rot: the baseline's marts equal dbt's,
the incremental run is incremental, and the table is written."""

from __future__ import annotations

import csv
import subprocess
import sys

from conftest import PROJECT_DIR


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
