"""Benchmark: the full harness build against a hand-tuned DuckDB script, and an incremental run.

    python tools/bench.py [--sizes 10000,100000,1000000] [--months 60] [--seed 42]
                            [--scratch DIR] [--out docs/performance-run] [--full-only]

For each size (customers) it generates the billing export with tools/generate_demo_data.py
(Parquet, cached in the scratch folder per size, months and seed; when it runs, its wall time and
peak RSS are printed and kept in the CSV), and measures, each in a child process (wall time, and
peak RSS of the largest process from wait4):

  baseline     tools/bench_baseline.sql run with DuckDB's Python API into a fresh file: the five
               core marts, no dbt, no tests;
  full build   `nrr build --full-refresh` of the data cut one month before its end: dbt build
               of every seed, model and data test (no unit tests, as a scheduled build), then
               publish (write-audit-publish);
  incremental  `nrr build` of the whole data (one month more) on that warehouse: copy of the
               published file, incremental dbt build with the default look-back window, publish
               (skipped with --full-only).

Both builds read the export from one folder, as a scheduled export lands in the same place each
month (the month's files are copied there first, outside the measurement): the project's inputs
and profile are then unchanged between the runs, so the incremental run's dbt parses partially.

On the smallest size it checks that the baseline's marts equal dbt's, so the comparison is honest.
Prints a table and writes it to <out>.md and <out>.csv (out defaults to docs/performance-run; what
the figures mean is in docs/performance.md, which this never overwrites).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb

from nrr_warehouse.project import PROJECT_DIR

GENERATOR = PROJECT_DIR / "tools" / "generate_demo_data.py"
# The harness as `nrr` runs it, with this interpreter (the venv the package is installed in).
HARNESS = [sys.executable, "-m", "nrr_warehouse"]
BASELINE_SQL = PROJECT_DIR / "tools" / "bench_baseline.sql"
# The marts the baseline also computes (their keys are the marts' contracts, in the manifest; the
# comparison below sorts whole rows, so it needs none).
CORE_MARTS = (
    "fct_mrr_movements",
    "mrr_bridge_monthly",
    "nrr_by_period",
    "cohort_retention",
    "dim_customers",
)
MIB = 1024 * 1024


def cut_snapshot(source: Path, target: Path, as_of_month: str) -> Path:
    """The billing export as it looked at the end of `as_of_month` (YYYY-MM): periods starting later
    are not there yet, and an end date after that month was not known yet (the period is open)."""
    target.mkdir(parents=True, exist_ok=True)
    month_end = f"(date '{as_of_month}-01' + interval 1 month - interval 1 day)"
    with duckdb.connect() as con:
        con.execute(
            f"""copy (
                select * replace (
                    case when end_date > {month_end} then null else end_date end as end_date
                )
                from read_parquet('{source}/subscriptions.parquet')
                where start_date <= {month_end}
            ) to '{target}/subscriptions.parquet' (format parquet)"""
        )
        for table in ("customers", "fx_rates"):
            con.execute(
                f"copy (select * from read_parquet('{source}/{table}.parquet')) "
                f"to '{target}/{table}.parquet' (format parquet)"
            )
    return target


def measured(command: list[str], log: Path) -> tuple[float, float]:
    """Run `command` (output to `log`); (wall seconds, peak RSS MiB of its largest process)."""
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed; see {log}")
    return wall, usage.ru_maxrss * 1024 / MIB  # ru_maxrss is in KiB on Linux


def run_baseline(data_dir: Path, database: Path) -> None:
    """The baseline script into a fresh DuckDB file (runs in a child process of the benchmark)."""
    database.unlink(missing_ok=True)
    sql = BASELINE_SQL.read_text().replace("${DATA_DIR}", str(data_dir))
    with duckdb.connect(str(database)) as con:
        con.execute(f"set memory_limit = '{os.environ.get('NRR_DUCKDB_MEMORY_LIMIT', '3GB')}'")
        con.execute(sql)
        con.execute("checkpoint")


def generated(
    scratch: Path, customers: int, months: int, seed: int
) -> tuple[Path, tuple[float, float] | None]:
    """The generated export for this size (cached), and (wall seconds, peak RSS MiB) of the
    generator when this call ran it (None when the export was cached)."""
    out = scratch / f"data-{customers}-m{months}-s{seed}"
    if (out / "subscriptions.parquet").exists():
        return out, None
    cost = measured(
        [sys.executable, str(GENERATOR), "--customers", str(customers), "--months",
         str(months), "--seed", str(seed), "--format", "parquet", "--out", str(out),
         "--prefix", ""],
        scratch / f"generate-{customers}-m{months}-s{seed}.log",
    )  # fmt: skip
    return out, cost


def land(export: Path, files: Path) -> Path:
    """Put a month's export files into the one export folder the builds read."""
    export.mkdir(parents=True, exist_ok=True)
    for table in ("subscriptions", "customers", "fx_rates"):
        shutil.copyfile(files / f"{table}.parquet", export / f"{table}.parquet")
    return export


def count(sql: str) -> int:
    with duckdb.connect() as con:
        return con.execute(sql).fetchone()[0]


def marts_differ(baseline: Path, warehouse: Path) -> list[str]:
    """Core marts whose rows differ between the baseline file and the dbt warehouse, on the
    baseline's columns: the marts' columns past the SPEC's (the causes of movement on
    fct_mrr_movements and mrr_bridge_monthly) are the project's own, which the baseline does not
    compute."""
    differing = []
    for mart in CORE_MARTS:
        tables = []
        columns = "*"
        for database in (baseline, warehouse):
            with duckdb.connect(str(database), read_only=True) as con:
                result = con.execute(f"select {columns} from marts.{mart}")
                names = [d[0] for d in result.description]
                columns = ", ".join(f'"{name}"' for name in names)
                tables.append((names, sorted(result.fetchall(), key=repr)))
        (names_a, rows_a), (names_b, rows_b) = tables
        same = names_a == names_b and len(rows_a) == len(rows_b)
        for row_a, row_b in zip(rows_a, rows_b, strict=False) if same else []:
            for a, b in zip(row_a, row_b, strict=True):
                if isinstance(a, float) and isinstance(b, float):
                    same &= abs(a - b) <= 1e-9 * max(1.0, abs(a))
                else:
                    same &= (Decimal(a) == Decimal(b)) if isinstance(a, int) else a == b
        if not same:
            differing.append(mart)
    return differing


def bench_size(customers: int, args: argparse.Namespace) -> dict:
    scratch = args.scratch / f"run-{customers}"
    scratch.mkdir(parents=True, exist_ok=True)
    data, generator = generated(args.scratch, customers, args.months, args.seed)
    if generator:
        print(f"   generated   {generator[0]:8.1f} s  {generator[1]:7.0f} MiB", flush=True)
    subscriptions = f"read_parquet('{data}/subscriptions.parquet')"
    last_month = count(f"select strftime(max(start_date), '%Y-%m') from {subscriptions}")
    previous_month = (dt.date.fromisoformat(last_month + "-01") - dt.timedelta(days=1)).strftime(
        "%Y-%m"
    )
    snapshot = cut_snapshot(data, scratch / f"snapshot-{previous_month}", previous_month)
    rows_in = count(f"select count(*) from read_parquet('{snapshot}/subscriptions.parquet')")
    rows_next = count(f"select count(*) from read_parquet('{data}/subscriptions.parquet')")
    print(f"== {customers:,} customers: {rows_in:,} subscription rows", flush=True)

    baseline_db = scratch / "baseline.duckdb"
    base_s, base_rss = measured(
        [sys.executable, __file__, "_baseline", str(snapshot), str(baseline_db)],
        scratch / "baseline.log",
    )
    print(f"   baseline    {base_s:8.1f} s  {base_rss:7.0f} MiB", flush=True)

    warehouse = scratch / "nrr.duckdb"
    for leftover in scratch.glob("nrr.duckdb*"):
        leftover.unlink()
    target = scratch / "target"
    harness = [*HARNESS, "build", "--warehouse", str(warehouse)]
    export = land(scratch / "export", snapshot)
    full_s, full_rss = measured(
        [*harness, "--data-dir", str(export), "--full-refresh"], scratch / "full.log"
    )
    timings = node_timings(PROJECT_DIR / "target" / "run_results.json", target / "full")
    ratio = full_s / base_s
    print(f"   full build  {full_s:8.1f} s  {full_rss:7.0f} MiB  {ratio:5.2f} x", flush=True)

    differing = None
    if args.check:
        differing = marts_differ(baseline_db, warehouse)
        verdict = differing or "yes"
        print(f"   marts equal to the baseline: {verdict}", flush=True)

    inc_s = inc_rss = None
    if not args.full_only:
        land(export, data)
        inc_s, inc_rss = measured(
            [*harness, "--data-dir", str(export)], scratch / "incremental.log"
        )
        node_timings(PROJECT_DIR / "target" / "run_results.json", target / "incremental")
        runs = (scratch / "nrr.duckdb.runs.jsonl").read_text().splitlines()
        mode = json.loads(runs[-1])["mode"]
        assert mode == "incremental", mode
        print(f"   incremental {inc_s:8.1f} s  {inc_rss:7.0f} MiB  {100 * inc_s / full_s:5.1f} %")
    print("   heaviest dbt nodes (full build): " + ", ".join(f"{n} {s:.1f}s" for n, s in timings))
    return {
        "customers": customers,
        "subscription_rows": rows_in,
        "subscription_rows_incremental": rows_next,
        "as_of_full": previous_month,
        "as_of_incremental": last_month,
        "baseline_s": round(base_s, 2),
        "baseline_peak_rss_mib": round(base_rss),
        "full_build_s": round(full_s, 2),
        "full_build_peak_rss_mib": round(full_rss),
        "full_build_rows_per_s": round(rows_in / full_s),
        "baseline_rows_per_s": round(rows_in / base_s),
        "ratio_to_baseline": round(full_s / base_s, 2),
        "incremental_s": "" if inc_s is None else round(inc_s, 2),
        "incremental_peak_rss_mib": "" if inc_rss is None else round(inc_rss),
        "incremental_pct_of_full": "" if inc_s is None else round(100 * inc_s / full_s, 1),
        "marts_equal_baseline": "" if differing is None else ("yes" if not differing else "NO"),
        "warehouse_mib": round(warehouse.stat().st_size / MIB),
        "generate_s": "" if generator is None else round(generator[0], 2),
        "generate_peak_rss_mib": "" if generator is None else round(generator[1]),
    }


def node_timings(run_results: Path, keep: Path, top: int = 5) -> list[tuple[str, float]]:
    """Keep dbt's run_results.json of the last run; its `top` slowest nodes."""
    keep.mkdir(parents=True, exist_ok=True)
    text = run_results.read_text()
    (keep / "run_results.json").write_text(text)
    results = json.loads(text)["results"]
    ranked = sorted(results, key=lambda r: -r["execution_time"])[:top]
    return [(r["unique_id"].split(".")[-1][:60], r["execution_time"]) for r in ranked]


def write_results(results: list[dict], out: Path, notes: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.with_suffix(".csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(results[0]))
        writer.writeheader()
        writer.writerows(results)
    lines = [
        "# Performance: the latest benchmark run",
        "",
        f"Written by `tools/bench.py`; the raw figures are in `{out.with_suffix('.csv').name}`;"
        " what they measure and mean: [performance.md](performance.md).",
        "",
        "| customers | subscription rows | baseline s | baseline RSS MiB | full build s "
        "| full RSS MiB | rows/s (full) | full / baseline | incremental s | incremental RSS MiB "
        "| incremental / full |",
        "|" + "---:|" * 11,
    ]
    for r in results:
        # Sizes run with --full-only have no incremental run: its cells are "-".
        incremental = (
            ["-", "-", "-"]
            if r["incremental_s"] == ""
            else [
                f"{r['incremental_s']:.1f}",
                f"{r['incremental_peak_rss_mib']:,}",
                f"{r['incremental_pct_of_full']:.1f} %",
            ]
        )
        lines.append(
            f"| {r['customers']:,} | {r['subscription_rows']:,} | {r['baseline_s']:.1f} "
            f"| {r['baseline_peak_rss_mib']:,} | {r['full_build_s']:.1f} "
            f"| {r['full_build_peak_rss_mib']:,} | {r['full_build_rows_per_s']:,} "
            f"| {r['ratio_to_baseline']:.2f} x | " + " | ".join(incremental) + " |"
        )
    lines += ["", *notes, ""]
    out.with_suffix(".md").write_text("\n".join(lines))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="customers, comma-separated"
    )
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--scratch", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "nrr-bench"
    )
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "docs" / "performance-run")
    parser.add_argument(
        "--full-only",
        action="store_true",
        help="skip the incremental run at every size (e.g. --sizes 3000000: the full build only)",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_baseline"]:
        run_baseline(Path(argv[1]), Path(argv[2]))
        return 0
    args = parse_args(argv)
    args.scratch = args.scratch.resolve()
    load_before = os.getloadavg()
    results = []
    for number, size in enumerate(args.sizes):
        args.check = number == 0  # the smallest size first: baseline and dbt must agree
        results.append(bench_size(size, args))
    load_after = os.getloadavg()
    notes = [
        f"Run {dt.datetime.now().astimezone().isoformat(timespec='minutes')} on {os.cpu_count()} "
        f"cores ({platform.machine()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}); load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after (the machine is shared: wall times are noisy, ratios "
        "measured in the same run).",
        f"Data: tools/generate_demo_data.py, {args.months} months, seed {args.seed}; the "
        "full build reads the export cut one month before its end, the incremental run the "
        "whole export.",
        f"Baseline marts equal dbt's on the {args.sizes[0]:,}-customer data: "
        f"{results[0]['marts_equal_baseline']}.",
    ]
    by_size = {r["customers"]: r for r in results}
    if 100_000 in by_size and 1_000_000 in by_size:
        growth = by_size[1_000_000]["full_build_s"] / by_size[100_000]["full_build_s"]
        base_growth = by_size[1_000_000]["baseline_s"] / by_size[100_000]["baseline_s"]
        notes.append(
            f"Growth 1M / 100k: full build {growth:.1f} x, baseline {base_growth:.1f} x "
            "(linear: 10)."
        )
    for note in notes:
        print(note)
    write_results(results, args.out, notes)
    print(f"wrote {args.out.with_suffix('.md')} and {args.out.with_suffix('.csv')}")
    return 0 if results[0]["marts_equal_baseline"] != "NO" else 1


if __name__ == "__main__":
    sys.exit(main())
