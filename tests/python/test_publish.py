"""Write-audit-publish: readers never see a broken warehouse, a failed or killed build changes
nothing, one writer at a time, a run log, Parquet export, and a file DuckDB 1.x can open."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLES_DIR, HARNESS, PROJECT_DIR, harness_of, rows, run_harness

from nrr_warehouse import cli, dbt_runner
from nrr_warehouse import publish as wap

MARTS = ["cohort_retention", "dim_customers", "fct_mrr_movements", "mrr_bridge_monthly"]
MARTS += ["nrr_by_period"]  # at least these; every table of schema marts is compared and exported

# A reader as a BI tool is one: a fresh read-only connection per query, in a loop, until told to
# stop. It reports how many queries it ran, its errors, and the distinct answers in the order seen.
READER = """
import json, sys, time
from pathlib import Path
import duckdb
path, stop, deadline = sys.argv[1], Path(sys.argv[2]), time.monotonic() + float(sys.argv[3])
reads, errors, answers = 0, [], []
while not stop.exists() and time.monotonic() < deadline:
    try:
        with duckdb.connect(path, read_only=True) as con:
            answer = con.execute(
                "select strftime(max(month), '%Y-%m'), count(*) from marts.mrr_bridge_monthly"
            ).fetchone()
        reads += 1
        if not answers or answers[-1] != list(answer):
            answers.append(list(answer))
        if reads == 1:
            print("ready", flush=True)
    except Exception as error:
        errors.append(repr(error))
    time.sleep(0.005)
print(json.dumps({"reads": reads, "errors": errors[:5], "error_count": len(errors),
                  "answers": answers}), flush=True)
"""

# Holds a warehouse's build lock until its standard input closes.
LOCK_HOLDER = """
import sys
from pathlib import Path
from nrr_warehouse import publish
lock = publish.WarehouseLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
sys.stdin.read()
lock.release()
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published(tmp: Path, demo_warehouse: Path) -> Path:
    """A published warehouse of our own: a copy of the session's demo build."""
    warehouse = tmp / "nrr.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    return warehouse


def run_log(warehouse: Path) -> list[dict]:
    path = wap.run_log_path(warehouse)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def leftovers(warehouse: Path) -> list[str]:
    """Files a build may leave beside the warehouse, other than the run log."""
    return sorted(
        p.name
        for p in warehouse.parent.glob(warehouse.name + ".*")
        if p != wap.run_log_path(warehouse)
    )


def start_build(warehouse: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    """`nrr build` in the background, its output to files in tmp."""
    return subprocess.Popen(
        [str(HARNESS), "build", "--warehouse", str(warehouse), *extra],
        cwd=PROJECT_DIR,
        stdout=(tmp / "build.out").open("w"),
        stderr=(tmp / "build.err").open("w"),
    )


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def staging_started(warehouse: Path) -> bool:
    """A build has begun writing its file."""
    staging = wap.staging_path(warehouse)
    return staging.exists() and staging.stat().st_size > 0


def lock_is_free(warehouse: Path) -> bool:
    """Nobody holds the build lock (probed without touching the lock file's content)."""
    try:
        fd = os.open(wap.lock_path(warehouse), os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def mart_names(warehouse: Path) -> list[str]:
    names = [
        name
        for (name,) in rows(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name",
        )
    ]
    assert set(names) >= set(MARTS)
    return names


def marts_of(warehouse: Path) -> dict[str, list[tuple]]:
    return {
        m: rows(warehouse, f"select * from marts.{m} order by all") for m in mart_names(warehouse)
    }


def test_reader_sees_no_error_during_rebuild_and_then_the_new_data(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    held = duckdb.connect(str(warehouse), read_only=True)  # a dashboard left open all along
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop), "180"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        rebuild = run_harness("build", "--warehouse", warehouse, "--as-of", "2024-06")
        time.sleep(0.5)  # a few more reads, of the new file
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    assert rebuild.returncode == 0, rebuild.stdout[-3000:] + rebuild.stderr
    report = json.loads(out.strip().splitlines()[-1])
    assert report["error_count"] == 0, report["errors"]
    assert report["reads"] > 20, report
    # Every answer was the old warehouse or the new one, old first: never anything in between.
    assert report["answers"] == [["2025-12", 48], ["2024-06", 30]], report
    # A connection opened before the publish keeps reading the old file, without error ...
    assert held.execute("select count(*) from marts.mrr_bridge_monthly").fetchone() == (48,)
    held.close()
    # ... and once closed, connecting again shows the new one.
    assert rows(warehouse, "select count(*) from marts.mrr_bridge_monthly") == [(30,)]
    assert leftovers(warehouse) == []
    assert run_log(warehouse)[-1]["result"] == "published"


def test_failed_audit_leaves_published_file_byte_identical(tmp_path, demo_warehouse):
    """An error-severity test fails: exit 1, nothing published, the file's bytes unchanged."""
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    # A copy of the project with one planted failing data test, so that this test does not depend
    # on which input problems the models reject and which ones a test catches.
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", "target", "logs", "warehouse", ".git", "__pycache__", "dbt_packages"
        ),
    )
    planted = project / "data-tests" / "assert_planted_failure.sql"
    planted.write_text("select 1 as planted_failure\n")
    harness, env = harness_of(project)
    command = [*harness, "build"]
    command += ["--warehouse", str(warehouse), "--data-dir", str(EXAMPLES_DIR / "nrr_105")]
    failed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)

    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr
    assert "audit failed" in failed.stderr
    assert "assert_planted_failure" in failed.stderr
    assert f"the published warehouse {warehouse} is unchanged" in failed.stderr
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == []  # staging file and lock cleaned up
    record = run_log(warehouse)[-1]
    assert record["result"] == "audit_failed" and record["exit_code"] == 1
    assert record["rows_in"] == 6 and record["as_of"] == "2025-01"  # example 1's input

    kept = subprocess.run(
        [*command, "--keep-failed"], env=env, capture_output=True, text=True, check=False
    )
    assert kept.returncode == 1
    assert f"kept the failed build's file for inspection: {warehouse}.failed" in kept.stdout
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == ["nrr.duckdb.failed"]
    assert rows(wap.failed_path(warehouse), "select count(*) from marts.nrr_by_period")[0][0] > 0


@pytest.fixture(scope="module")
def killed_then_rebuilt(tmp_path_factory, demo_warehouse) -> dict:
    """A build SIGKILLed while writing, then the next build, with no clean-up in between."""
    tmp = tmp_path_factory.mktemp("killed")
    warehouse = published(tmp, demo_warehouse)
    before = sha256(warehouse)
    victim = start_build(warehouse, tmp)
    wait_for(lambda: staging_started(warehouse), 90, "the build to start writing")
    time.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    after_kill = {"sha": sha256(warehouse), "files": leftovers(warehouse)}
    # dbt dies with the harness (it would otherwise hold the lock until it finished).
    started = time.monotonic()
    wait_for(lambda: lock_is_free(warehouse), 10, "the killed build's dbt to exit")
    lock_freed_after = time.monotonic() - started
    rebuild = run_harness("build", "--warehouse", warehouse)
    return {
        "warehouse": warehouse,
        "before": before,
        "victim_pid": victim.pid,
        "after_kill": after_kill,
        "lock_freed_after": lock_freed_after,
        "rebuild": rebuild,
    }


def test_killed_build_leaves_published_intact_and_next_build_succeeds(killed_then_rebuilt):
    run = killed_then_rebuilt
    warehouse, pid = run["warehouse"], run["victim_pid"]
    assert run["after_kill"]["sha"] == run["before"]
    # Killed half-way: its staging file and its lock file are left behind ...
    files = set(run["after_kill"]["files"]) - {"nrr.duckdb.building.wal"}
    assert files == {"nrr.duckdb.building", "nrr.duckdb.lock"}
    assert run["lock_freed_after"] < 5
    # ... and the next build deals with both, says so, and publishes.
    rebuild = run["rebuild"]
    assert rebuild.returncode == 0, rebuild.stdout[-3000:] + rebuild.stderr
    assert f"stale lock {warehouse}.lock taken over" in rebuild.stdout
    assert f"pid {pid}" in rebuild.stdout
    assert "removed nrr.duckdb.building, left over by an interrupted build" in rebuild.stdout
    assert leftovers(warehouse) == []
    record = run_log(warehouse)[-1]
    assert record["result"] == "published"
    assert any("nrr.duckdb.building," in note for note in record["notes"])
    assert any(f"pid {pid}" in note for note in record["notes"])


def test_two_builds_of_the_same_data_give_identical_marts(killed_then_rebuilt, demo_warehouse):
    assert marts_of(killed_then_rebuilt["warehouse"]) == marts_of(demo_warehouse)


def test_concurrent_build_is_refused_at_once(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        refused = run_harness("build", "--warehouse", warehouse)
        elapsed = time.monotonic() - started
    finally:
        holder.communicate("", timeout=30)
    assert refused.returncode == 3, refused.stdout[-3000:] + refused.stderr
    assert elapsed < 15  # no dbt was started: refused before any work
    assert f"another build is running on this warehouse (pid {holder.pid}" in refused.stderr
    assert "refusing to start a second writer" in refused.stderr
    assert sha256(warehouse) == before
    record = run_log(warehouse)[-1]
    assert (record["result"], record["exit_code"]) == ("locked", 3)
    assert leftovers(warehouse) == []  # the holder released its lock and removed the file


def test_stale_lock_is_taken_over(tmp_path):
    """A lock file nobody holds (its build died) does not block; the takeover is reported."""
    warehouse = tmp_path / "nrr.duckdb"
    dead = {"pid": 4194304, "host": "somewhere", "started": "2025-01-01T03:00:00+00:00"}
    wap.lock_path(warehouse).write_text(json.dumps(dead))
    with wap.WarehouseLock(warehouse) as lock:
        assert len(lock.notes) == 1
        assert "pid 4194304 on host somewhere" in lock.notes[0]
        assert json.loads(wap.lock_path(warehouse).read_text())["pid"] == os.getpid()
        with pytest.raises(wap.LockedError, match=f"pid {os.getpid()}"):
            wap.WarehouseLock(warehouse).acquire()
    assert not wap.lock_path(warehouse).exists()


def test_sigterm_cleans_up_and_publishes_nothing(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    build = start_build(warehouse, tmp_path)
    wait_for(lambda: staging_started(warehouse), 90, "the build to start writing")
    build.send_signal(signal.SIGTERM)
    assert build.wait(timeout=30) == 128 + signal.SIGTERM
    assert "interrupted by SIGTERM" in (tmp_path / "build.err").read_text()
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == []
    record = run_log(warehouse)[-1]
    assert (record["result"], record["exit_code"]) == ("interrupted", 143)


def test_publish_never_lands_on_a_foreign_write_ahead_log(tmp_path):
    """A .wal beside the published file belongs to it: replayed on a new file, it corrupts it. With
    no writer holding the file it is a crashed writer's, removed before the rename (test_faults.py
    has the real writer, crashed and alive)."""
    warehouse, staging = tmp_path / "nrr.duckdb", tmp_path / "nrr.duckdb.building"
    warehouse.write_bytes(b"old")
    staging.write_bytes(b"new")
    wap.wal_path(warehouse).write_bytes(b"log")
    (note,) = wap.publish(staging, warehouse)
    assert note.startswith("removed nrr.duckdb.wal (3 bytes)")
    assert warehouse.read_bytes() == b"new" and not staging.exists()
    assert not wap.wal_path(warehouse).exists()


def test_demo_build_published_for_duckdb_1x_with_a_run_log(demo_warehouse):
    """The profile's storage_compatibility_version is in effect: the header says format 64 (what
    DuckDB 1.0 and 1.1 write and every later DuckDB reads), and DuckDB reports it too."""
    assert wap.storage_version(demo_warehouse) == wap.STORAGE_VERSION_V1_0
    tags = rows(
        demo_warehouse,
        "select tags['storage_version'] from duckdb_databases() where database_name = ?",
        [demo_warehouse.stem],
    )
    assert tags == [("v1.0.0+",)]
    assert leftovers(demo_warehouse) == []
    (record,) = run_log(demo_warehouse)
    assert record["result"] == "published" and record["exit_code"] == 0
    assert (record["as_of"], record["rows_in"], record["rows_rejected"]) == ("2025-12", 1006, 0)
    assert record["start"] <= record["end"]


@pytest.mark.skipif(
    not os.environ.get("NRR_DUCKDB1_PYTHON"),
    reason="set NRR_DUCKDB1_PYTHON to a python with duckdb 1.x to open the file with DuckDB 1.x",
)
def test_duckdb_1x_reads_the_published_file(demo_warehouse):
    script = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__, con.execute(\n"
        "    'select count(*) from marts.nrr_by_period where nrr_pct > 0').fetchone()[0],\n"
        "    con.execute('select count(*) from marts.fct_mrr_movements').fetchone()[0])\n"
    )
    process = subprocess.run(
        [os.environ["NRR_DUCKDB1_PYTHON"], "-c", script, str(demo_warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    version, count, movements = process.stdout.split()
    assert version.startswith("1.")
    assert int(count) == rows(demo_warehouse, "select count(*) from marts.nrr_by_period")[0][0]
    # fct_mrr_movements is a view: its SQL must bind in DuckDB 1.x too.
    assert (
        int(movements) == rows(demo_warehouse, "select count(*) from marts.fct_mrr_movements")[0][0]
    )


def test_export_writes_every_mart_as_parquet(tmp_path, demo_warehouse):
    out = tmp_path / "bi"
    process = run_harness(
        "export", "--format", "parquet", "--out", out, "--warehouse", demo_warehouse
    )
    assert process.returncode == 0, process.stderr
    marts = mart_names(demo_warehouse)
    # One version folder, named by `current` (test_faults.py: versions, kill -9, readers).
    current = out / "current"
    assert sorted(p.name for p in current.iterdir()) == sorted(
        [f"{m}.parquet" for m in marts] + ["export.json"]
    )
    with duckdb.connect() as con:
        for mart in marts:
            exported = con.execute(
                f"select * from read_parquet('{current / mart}.parquet') order by all"
            ).fetchall()
            assert exported == rows(demo_warehouse, f"select * from marts.{mart} order by all")
            assert f"{mart}.parquet: {len(exported):,} rows" in process.stdout


def test_export_needs_an_out_folder_and_a_warehouse(tmp_path):
    assert run_harness("export").returncode == 2
    missing = run_harness("export", "--out", tmp_path, "--warehouse", tmp_path / "none.duckdb")
    assert missing.returncode == 1
    assert "no such warehouse" in missing.stderr


DBT_LINES = [
    "14:17:11  Concurrency: 2 threads (target='duckdb')\n",
    "14:17:12  1 of 3 START sql view model staging.stg_a ........... [RUN]\n",
    "14:17:12  1 of 3 OK created sql view model staging.stg_a ...... [OK in 0.07s]\n",
    "14:17:12  2 of 3 START test unique_stg_a_id ................... [RUN]\n",
    "14:17:12  2 of 3 FAIL 1 unique_stg_a_id ....................... [FAIL 1 in 0.03s]\n",
    "14:17:12  3 of 3 SKIP relation marts.b ........................ [SKIP]\n",
    "14:17:14  Done. PASS=1 WARN=0 ERROR=1 SKIP=1 NO-OP=0 TOTAL=3\n",
]


def test_progress_on_a_terminal_is_one_line_and_plain_elsewhere():
    plain = io.StringIO()
    output = dbt_runner.DbtOutput(plain, on_terminal=False)
    for line in DBT_LINES:
        output.feed(line)
    output.close()
    assert plain.getvalue() == "".join(DBT_LINES)

    screen = io.StringIO()
    output = dbt_runner.DbtOutput(screen, on_terminal=True)
    for line in DBT_LINES:
        output.feed(line)
    output.close()
    text = screen.getvalue()
    for progress in [
        "[0/3] running sql view model staging.stg_a",
        "[1/3] OK created sql view model staging.stg_a",
        "[1/3] running test unique_stg_a_id",
        "[3/3] SKIP relation marts.b",
    ]:
        assert "\r\x1b[K" + progress in text
    # A failure and the lines around the node lines stay on screen, whole; the rest do not.
    for kept in [DBT_LINES[0], DBT_LINES[4], DBT_LINES[6]]:
        assert kept in text
    for collapsed in [DBT_LINES[1], DBT_LINES[2], DBT_LINES[5]]:
        assert collapsed not in text


def test_exit_codes_are_documented():
    for code in ["0 ", "1 ", "2 ", "3 ", "130, 143 "]:
        assert f"\n  {code}" in cli.__doc__
