"""Faults around the harness, met as an operator meets them: a writer left on the published file,
its stray write-ahead log, a restricted file, signals at the worst moment, spill folders, a killed
export, a full disk, and every CLI stop in one line. Each refused or failed build leaves the
published warehouse byte-for-byte unchanged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLES_DIR, HARNESS, PROJECT_DIR, rows, run_harness
from test_publish import leftovers, published, run_log, sha256, staging_started, wait_for

from nrr_warehouse import build_mode, cli, dbt_runner
from nrr_warehouse import publish as wap
from nrr_warehouse.dbt_runner import dbt_process

# A read-write DuckDB connection on a file, as a notebook or a careless BI setting leaves one: it
# writes (so its log, <file>.wal, exists), says "open", then waits; SIGKILL makes it a crashed one.
WRITER = """
import sys
import duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table marts.stray as select 42 as answer")
con.execute("delete from marts.mrr_bridge_monthly where month > date '2025-06-01'")
print("open", flush=True)
sys.stdin.read()
"""

# nrr run with a signal sent to itself at the worst moments of publishing: just before the
# rename (inside publish) or just after it. argv: where (before|after), then nrr's arguments.
SIGNAL_AT_PUBLISH = """
import os, signal, sys
from nrr_warehouse import cli, publish as wap
where, real = sys.argv[1], wap.publish
def publish(staging, warehouse):
    if where == "before":
        os.kill(os.getpid(), signal.SIGTERM)
    notes = real(staging, warehouse)
    if where == "after":
        os.kill(os.getpid(), signal.SIGTERM)
    return notes
wap.publish = publish
sys.exit(cli.main(sys.argv[2:]))
"""

# nrr with one step broken by a bug nobody foresaw.
UNEXPECTED = """
import sys
from nrr_warehouse import cli, publish as wap
def remove_leftovers(warehouse):
    return {}["no such key"]
wap.remove_leftovers = remove_leftovers
sys.exit(cli.main(sys.argv[1:]))
"""


def no_traceback(process: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in process.stdout + process.stderr, process.stderr[-3000:]


def error_lines(process: subprocess.CompletedProcess) -> list[str]:
    return [line for line in process.stderr.splitlines() if line.startswith("nrr:")]


def start_writer(warehouse: Path) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "open"
    return writer


def bridge_months(warehouse: Path) -> int:
    return rows(warehouse, "select count(*) from marts.mrr_bridge_monthly")[0][0]


def has_stray_table(warehouse: Path) -> bool:
    found = rows(
        warehouse,
        "select count(*) from information_schema.tables where table_name = 'stray'",
    )
    return found[0][0] > 0


# --- publishing -------------------------------------------------------------------------------


def test_build_refused_while_a_writer_holds_the_published_file(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    writer = start_writer(warehouse)
    try:
        before = sha256(warehouse)
        started = time.monotonic()
        refused = run_harness("build", "--warehouse", warehouse)
        elapsed = time.monotonic() - started
        after = sha256(warehouse)  # before the writer closes (and checkpoints its own changes)
    finally:
        writer.communicate("", timeout=30)
    assert refused.returncode == 4, refused.stdout[-3000:] + refused.stderr
    assert elapsed < 15  # refused before dbt ran
    (line,) = error_lines(refused)
    assert f"{warehouse} is open read-write by pid {writer.pid}" in line
    assert "the published warehouse" in line and "is unchanged" in line
    no_traceback(refused)
    assert after == before
    record = run_log(warehouse)[-1]
    assert (record["result"], record["exit_code"]) == ("publish_refused", 4)


def test_writer_arriving_during_the_build_blocks_its_publish(tmp_path, demo_warehouse):
    """The check that counts is the one at the rename: a writer that opened the file while dbt
    ran is found there, and nothing is published."""
    warehouse = published(tmp_path, demo_warehouse)
    build_run = subprocess.Popen(
        [str(HARNESS), "build", "--warehouse", str(warehouse), "--full-refresh"],
        cwd=PROJECT_DIR,
        stdout=(tmp_path / "build.out").open("w"),
        stderr=(tmp_path / "build.err").open("w"),
    )
    wait_for(lambda: staging_started(warehouse), 90, "the build to start writing")
    writer = start_writer(warehouse)
    try:
        before = sha256(warehouse)
        assert build_run.wait(timeout=300) == 4, (tmp_path / "build.err").read_text()
        assert sha256(warehouse) == before
    finally:
        writer.communicate("", timeout=30)
    assert f"is open read-write by pid {writer.pid}" in (tmp_path / "build.err").read_text()
    assert run_log(warehouse)[-1]["result"] == "publish_refused"
    assert not wap.staging_path(warehouse).exists()


def test_a_crashed_writers_wal_never_reaches_readers_of_the_new_file(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    writer = start_writer(warehouse)
    writer.kill()  # crashed: its log stays beside the published file
    writer.communicate(timeout=30)
    assert wap.wal_path(warehouse).exists()
    # The hazard is real: a new read-only reader replays that log onto the file it opens.
    assert has_stray_table(warehouse) and bridge_months(warehouse) == 42

    rebuilt = run_harness("build", "--warehouse", warehouse)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    assert not wap.wal_path(warehouse).exists()
    assert not has_stray_table(warehouse) and bridge_months(warehouse) == 48
    record = run_log(warehouse)[-1]
    assert record["result"] == "published" and record["mode"] == "full"
    assert any(note.startswith("removed nrr.duckdb.wal (") for note in record["notes"])
    assert leftovers(warehouse) == []


def test_publish_keeps_the_published_files_mode_owner_and_group(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    adm = 4  # group adm on Debian; any group other than root's proves the point
    os.chmod(warehouse, 0o640)
    os.chown(warehouse, 0, adm)
    rebuilt = run_harness("build", "--warehouse", warehouse, "--as-of", "2024-06")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    assert bridge_months(warehouse) == 30  # the new file is in place ...
    status = os.stat(warehouse)
    assert (status.st_mode & 0o7777, status.st_uid, status.st_gid) == (0o640, 0, adm)  # ... as 640


@pytest.mark.parametrize("moment", ["before", "after"])
def test_sigterm_at_the_rename_is_reported_truthfully(tmp_path, demo_warehouse, moment):
    """SIGTERM just before the rename (held back until the record says so) or just after it:
    published, and both the last line and the run log say so; never "nothing published"."""
    warehouse = published(tmp_path, demo_warehouse)
    arguments = ["build", "--warehouse", str(warehouse)]
    arguments += ["--data-dir", str(EXAMPLES_DIR / "nrr_105"), "--full-refresh"]
    process = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT_PUBLISH, moment, *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 143, process.stdout[-3000:] + process.stderr
    assert "nothing published" not in process.stderr
    assert f"interrupted by SIGTERM; the build had published {warehouse}" in process.stderr
    no_traceback(process)
    assert rows(warehouse, "select max(month) from marts.mrr_bridge_monthly")[0][0].year == 2025
    assert bridge_months(warehouse) == 14  # example 1: 2023-12 to 2025-01, the new file
    record = run_log(warehouse)[-1]
    assert (record["result"], record["exit_code"]) == ("published", 143)
    assert "published, then interrupted by SIGTERM" in record["message"]
    assert leftovers(warehouse) == []


def test_duckdb_spills_beside_the_file_it_builds(tmp_path):
    """The profile leaves temp_directory at DuckDB's default: <file>.tmp, what spill_path says.
    dbt gets the file as the harness gives it (dbt_runner.stable_path, DECISIONLOG "dbt opens the
    warehouse through a fixed descriptor of its folder"): the real file's folder, database name and
    spill folder in each of two folders, and the second folder's dbt parses the project partially
    (the profile's path is the same string), where an absolute path would make it parse it all."""
    target = tmp_path / "target"
    query = "select current_setting('temp_directory') as spill, current_database() as db"
    for folder in ("first", "second"):
        database = tmp_path / folder / "w.duckdb.building"
        database.parent.mkdir()
        run = dbt_process(
            ["show", "--inline", query, "--output", "json", "--log-format", "json"],
            database, None, target, quiet=True,
        )  # fmt: skip
        assert run.returncode == 0, "".join(run.output)[-3000:]
        events = [json.loads(line) for line in run.output if line.startswith("{")]
        shown = [e["data"]["preview"] for e in events if e["info"]["name"] == "ShowNode"]
        assert [json.loads(preview) for preview in shown] == [
            [{"spill": str(wap.spill_path(database)), "db": "w"}]
        ]
        assert database.is_file()  # DuckDB created the file in its own folder
        reparsed = [
            e["data"]["reason"] for e in events if e["info"]["name"] == "UnableToPartialParse"
        ]
        assert reparsed == (
            ["saved manifest not found. Starting full parse."] if folder == "first" else []
        )


def test_other_vars_in_turn_each_reuse_their_own_saved_parse(tmp_path):
    """dbt parses everything again when the --vars (or the profile) differ from its saved parse's;
    the harness keeps one saved parse per parse key (dbt_runner.parse_key, DECISIONLOG "dbt keeps
    one saved parse per set of vars and connection"), so builds with and without `--as-of` in turn,
    as the suite runs them, each parse partially after their first."""
    target = tmp_path / "target"
    database = tmp_path / "w.duckdb.building"
    as_of = ("--vars", json.dumps({"as_of_month": "2025-01"}))

    def reparsed(*options: str) -> list[str]:
        run = dbt_process(["parse", *options, "--log-format", "json"], database, None, target, True)
        assert run.returncode == 0, "".join(run.output)[-3000:]
        events = [json.loads(line) for line in run.output if line.startswith("{")]
        return [e["data"]["reason"] for e in events if e["info"]["name"] == "UnableToPartialParse"]

    assert reparsed(*as_of) == ["saved manifest not found. Starting full parse."]
    assert reparsed() == ["config vars, config profile, or config target have changed"]
    assert reparsed(*as_of) == []  # without the kept parse: "config vars ... have changed"
    assert reparsed() == []
    assert len(list((target / dbt_runner.PARSE_DIR).glob("*.msgpack"))) == 2  # one per key


def test_a_new_window_reuses_the_saved_parse_as_it_is(tmp_path):
    """An incremental run's window changes every month. Passed in the environment
    (build_mode.WINDOW_ENV), which the macros read only when they compile a node, it is in no
    saved parse: a parse with another window finds nothing changed and writes no new saved parse
    (DECISIONLOG "The harness passes the look-back window to dbt"). As a --vars entry, each new
    window parsed the whole project."""
    target = tmp_path / "target"
    database = tmp_path / "w.duckdb.building"

    def parse(window: str | None, *options: str) -> tuple[list[str], set[str]]:
        run = dbt_process(
            ["parse", *options, "--log-format", "json", "--log-level", "debug"],
            database,
            None,
            target,
            True,
            extra_env={build_mode.WINDOW_ENV: window} if window else None,
        )
        assert run.returncode == 0, "".join(run.output)[-3000:]
        events = [json.loads(line) for line in run.output if line.startswith("{")]
        unable = [e for e in events if e["info"]["name"] == "UnableToPartialParse"]
        return [e["data"]["reason"] for e in unable], {e["info"]["name"] for e in events}

    assert parse("2025-01-01")[0] == ["saved manifest not found. Starting full parse."]
    saved = dbt_runner.saved_parse_version(target)
    reasons, events = parse("2025-02-01")
    assert reasons == [] and "PartialParsingSkipParsing" in events
    assert dbt_runner.saved_parse_version(target) == saved  # nothing re-parsed, nothing saved
    # The same window as a --vars entry: a parse key (and a dbt parse) of its own, in full.
    window_var = json.dumps({build_mode.WINDOW_VAR: "2025-03-01"})
    assert parse(None, "--vars", window_var)[0] != []


def test_parse_key_follows_what_dbt_compares_and_kept_parses_are_pruned(tmp_path):
    """The key changes with the vars' values, the target and the warehouse's path string (its file
    name is the database name), not with the vars' order or the data folder and build record, which
    dbt tracks per file; keep_parse keeps the KEPT_PARSES newest parses."""
    key = dbt_runner.parse_key
    env = {"NRR_WAREHOUSE": "/proc/self/fd/100/nrr.duckdb.building", "PATH": "/bin"}
    both = ["build", "--vars", '{"a": 1, "b": "x"}']
    assert key(both, env) == key(["parse", "--vars", '{"b": "x", "a": 1}'], env)
    assert key(both, env) == key(both, {**env, "NRR_DATA_DIR": "d", "NRR_BUILD_RECORD": "{}"})
    assert key(both, env) == key(both, {**env, build_mode.WINDOW_ENV: "2025-01-01"})
    assert key(both, env) == key(both, {**env, "PATH": "/usr/bin"})
    assert len({
        key(both, env),
        key(["build", "--vars", '{"a": 2, "b": "x"}'], env),
        key(["build"], env),
        key([*both, "--target", "spark"], env),
        key(both, {**env, "NRR_WAREHOUSE": "/proc/self/fd/100/w.duckdb.building"}),
        key(both, {**env, "NRR_SOURCE_DATABASE": "/tmp/s.duckdb"}),
    }) == 6  # fmt: skip
    (tmp_path / "partial_parse.msgpack").write_bytes(b"parse")
    for i in range(dbt_runner.KEPT_PARSES + 2):
        kept = dbt_runner.keyed_parse_file(tmp_path, f"k{i:02d}")
        dbt_runner.keep_parse(tmp_path, kept)
        os.utime(kept, ns=(i * 10**9, i * 10**9))  # the order they were kept in
    names = sorted(p.name for p in (tmp_path / dbt_runner.PARSE_DIR).iterdir())
    assert names == [f"k{i:02d}.msgpack" for i in range(2, dbt_runner.KEPT_PARSES + 2)]


def test_stable_path_falls_back_to_the_absolute_path_and_leaves_no_descriptor(tmp_path):
    """Descriptor 100 already taken or a folder that cannot be opened: dbt gets the absolute path
    (the build is the same, parsed in full); the descriptor lives only while dbt starts."""
    database = tmp_path / "w.duckdb.building"
    with dbt_runner.stable_path(database) as (path, fds):
        assert (path, fds) == (f"/proc/self/fd/100/{database.name}", (100,))
        assert Path(path).resolve() == database.resolve().parent / database.name
    assert not dbt_runner.descriptor_open(dbt_runner.FOLDER_FD)
    with dbt_runner.stable_path(tmp_path / "missing" / database.name) as (path, fds):
        assert (path, fds) == (str(tmp_path / "missing" / database.name), ())
    taken = os.open(tmp_path, os.O_RDONLY)
    os.dup2(taken, dbt_runner.FOLDER_FD)
    try:
        with dbt_runner.stable_path(database) as (path, fds):
            assert (path, fds) == (str(database), ())
        assert dbt_runner.descriptor_open(dbt_runner.FOLDER_FD)  # not ours: left open
    finally:
        os.close(dbt_runner.FOLDER_FD)
        os.close(taken)


def test_sigterm_removes_the_spill_folder(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    build_run = subprocess.Popen(
        [str(HARNESS), "build", "--warehouse", str(warehouse), "--full-refresh"],
        cwd=PROJECT_DIR,
        stdout=(tmp_path / "build.out").open("w"),
        stderr=(tmp_path / "build.err").open("w"),
    )
    wait_for(lambda: staging_started(warehouse), 90, "the build to start writing")
    # What DuckDB writes when it spills (the demo is too small to spill by itself).
    spill = wap.spill_path(wap.staging_path(warehouse))
    spill.mkdir(exist_ok=True)
    (spill / "duckdb_temp_storage_S32K-0.tmp").write_bytes(b"\0" * 1_000_000)
    build_run.send_signal(signal.SIGTERM)
    assert build_run.wait(timeout=30) == 143
    assert "nothing published" in (tmp_path / "build.err").read_text()
    assert not spill.exists()
    assert sha256(warehouse) == before
    assert leftovers(warehouse) == []


# --- export -----------------------------------------------------------------------------------


def exported_set(version: Path) -> dict[str, int]:
    """Rows per file of one export version, counted from the Parquet files themselves."""
    with duckdb.connect() as con:
        return {
            path.name: con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0]
            for path in sorted(version.glob("*.parquet"))
        }


def test_export_versions_switch_current_and_keep_two(tmp_path, demo_warehouse):
    out = tmp_path / "bi"
    versions = []
    for _ in range(3):
        process = run_harness("export", "--out", out, "--warehouse", demo_warehouse)
        assert process.returncode == 0, process.stderr
        versions.append(os.readlink(out / "current"))
    assert len(set(versions)) == 3 and versions == sorted(versions)
    # The current one and the one before it are kept; the oldest was pruned.
    assert sorted(p.name for p in out.iterdir()) == [".export.lock", "current", *versions[1:]]
    assert f"pruned {versions[0]}" in process.stdout
    manifest = json.loads((out / "current" / "export.json").read_text())
    counted = exported_set(out / "current")
    assert manifest["files"] == counted
    for name, count in counted.items():
        mart = name.removesuffix(".parquet")
        assert count == rows(demo_warehouse, f"select count(*) from marts.{mart}")[0][0]


def test_killed_export_leaves_current_whole_and_the_next_export_cleans_up(tmp_path, demo_warehouse):
    out = tmp_path / "bi"
    assert run_harness("export", "--out", out, "--warehouse", demo_warehouse).returncode == 0
    complete = os.readlink(out / "current")
    expected = exported_set(out / complete)
    arguments = ["export", "--out", str(out), "--warehouse", str(demo_warehouse)]
    for _attempt in range(20):
        victim = subprocess.Popen(
            [str(HARNESS), *arguments],
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while victim.poll() is None and not list(out.glob(".v-*.partial/*.parquet")):
            assert time.monotonic() < deadline
            time.sleep(0.001)
        victim.kill()
        victim.wait()
        if list(out.glob(".v-*.partial")):
            break  # killed half-way through writing its files
        complete = os.readlink(out / "current")  # it finished first; try again
    assert list(out.glob(".v-*.partial")), "never caught an export half-way"
    # kill -9 half-way: `current` still names a whole export, the one before.
    assert os.readlink(out / "current") == complete
    assert exported_set(out / "current") == expected

    # The old layout's leftovers too: a flat mart file and a `.partial` of a killed old export.
    (out / "mrr_bridge_monthly.parquet").write_bytes(b"old")
    (out / ".nrr_by_period.parquet.partial-123").write_bytes(b"half")
    after = run_harness("export", "--out", out, "--warehouse", demo_warehouse)
    assert after.returncode == 0, after.stderr
    assert "left over by an interrupted export" in after.stdout
    assert "removed mrr_bridge_monthly.parquet of the old flat layout" in after.stdout
    assert not list(out.glob(".v-*.partial")) and not list(out.glob(".*.partial-*"))
    assert not (out / "mrr_bridge_monthly.parquet").exists()
    assert exported_set(out / "current") == expected


# A reader following the convention: resolve `current` once, then read the files its export.json
# lists from that folder (and start again if one is gone: pruned two exports later).
EXPORT_READER = """
import json, os, sys, time
from pathlib import Path
import duckdb
out, stop = Path(sys.argv[1]), Path(sys.argv[2])
known = [json.loads(s) for s in sys.argv[3:]]
reads, mixed, gone = 0, [], 0
con = duckdb.connect()
while not stop.exists():
    try:
        version = Path(os.path.realpath(out / "current"))
        listed = json.loads((version / "export.json").read_text())["files"]
        counts = {name: con.execute(
                      f"select count(*) from read_parquet('{version / name}')").fetchone()[0]
                  for name in sorted(listed)}
    except (FileNotFoundError, duckdb.IOException):
        gone += 1  # pruned two exports later, while read: read `current` again
        continue
    reads += 1
    if counts not in known:
        mixed.append(counts)
print(json.dumps({"reads": reads, "mixed": mixed[:3], "gone": gone}), flush=True)
"""


def test_readers_never_see_a_mixed_set_while_exports_run(tmp_path, demo_warehouse, shared_build):
    small, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0, process.stdout[-3000:]
    out = tmp_path / "bi"
    known = []
    for source in [demo_warehouse, small]:
        assert run_harness("export", "--out", out, "--warehouse", source).returncode == 0
        known.append(exported_set(out / "current"))
    assert known[0] != known[1]
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", EXPORT_READER, str(out), str(stop), *map(json.dumps, known)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for turn in range(8):
            source = [demo_warehouse, small][turn % 2]
            exported = run_harness("export", "--out", out, "--warehouse", source)
            assert exported.returncode == 0, exported.stderr
    finally:
        stop.touch()
        report = json.loads(reader.communicate(timeout=60)[0])
    assert report["reads"] > 10, report
    assert report["mixed"] == [], report


def test_a_second_export_into_the_same_folder_is_refused(tmp_path, demo_warehouse):
    out = tmp_path / "bi"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path\n"
         "from nrr_warehouse import export\nwith export.export_lock(Path(sys.argv[1])):\n"
         "    print('locked', flush=True); sys.stdin.read()",
         str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = run_harness("export", "--out", out, "--warehouse", demo_warehouse)
    finally:
        holder.communicate("", timeout=30)
    assert refused.returncode == 3
    assert error_lines(refused) == [
        f"nrr: another export is writing {out} (lock {out}/.export.lock); not starting a second"
    ]


# --- the run log ------------------------------------------------------------------------------


def log_is_whole(path: Path) -> list[dict]:
    """The run log read the documented way (DuckDB read_json), and line by line."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    with duckdb.connect() as con:
        read = con.execute(
            f"select result from read_json('{path}', format = 'newline_delimited')"
        ).fetchall()
    assert [r for (r,) in read] == [line["result"] for line in lines]
    return lines


@pytest.mark.parametrize("fault", ["short", "enospc"])
def test_run_log_write_is_whole_or_nothing(tmp_path, monkeypatch, fault):
    warehouse = tmp_path / "nrr.duckdb"
    wap.append_run_log(warehouse, {"result": "published", "message": "first"})
    size = wap.run_log_path(warehouse).stat().st_size
    real_write = os.write

    def failing_write(fd, data):
        if fault == "short":
            return real_write(fd, data[: len(data) // 2])  # the disk filled half-way
        real_write(fd, data[:7])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError, match="cannot append to the run log"):
        wap.append_run_log(warehouse, {"result": "audit_failed", "message": "second"})
    monkeypatch.undo()
    assert wap.run_log_path(warehouse).stat().st_size == size
    wap.append_run_log(warehouse, {"result": "locked", "message": "third"})
    assert [r["result"] for r in log_is_whole(wap.run_log_path(warehouse))] == [
        "published",
        "locked",
    ]


def test_run_log_line_after_a_torn_line_stays_a_line(tmp_path):
    """A power cut mid-write leaves a line without its newline: the next one starts afresh, and
    the documented read fails loudly on the torn line instead of skipping it."""
    warehouse = tmp_path / "nrr.duckdb"
    wap.run_log_path(warehouse).write_text('{"result": "published"}\n{"result": "pub')
    wap.append_run_log(warehouse, {"result": "locked"})
    lines = wap.run_log_path(warehouse).read_text().splitlines()
    assert lines[-1] == '{"result": "locked"}' and lines[1] == '{"result": "pub'
    with duckdb.connect() as con, pytest.raises(duckdb.Error):
        con.execute(f"select * from read_json('{wap.run_log_path(warehouse)}')").fetchall()


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs of our own (needs root), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 0) -> None:
    """Fill the file system until writing fails, then free `leave` bytes."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        chunk = b"\0" * (1 << 20)
        with pytest.raises(OSError):
            while True:
                handle.write(chunk)
        handle.truncate(max(0, handle.tell() - leave))


def test_full_disk_when_the_lock_is_taken(small_disk, demo_warehouse):
    warehouse = published(small_disk, demo_warehouse)
    log = wap.run_log_path(warehouse)
    # A log whose next line will cross into a page the full disk cannot give: a short write.
    line = json.dumps({"result": "published", "message": "x"}) + "\n"
    padding = json.dumps({"result": "published", "message": "x" * (4096 - len(line) - 60)}) + "\n"
    log.write_text(padding + line)
    fill(small_disk)
    before = sha256(warehouse)

    refused = run_harness("build", "--warehouse", warehouse)
    assert refused.returncode == 1, refused.stdout[-3000:] + refused.stderr
    no_traceback(refused)
    (line_out,) = error_lines(refused)
    assert f"cannot write the build lock {warehouse}.lock: No space left on device" in line_out
    assert f"cannot append to the run log {log}" in refused.stdout
    assert "this run (build_failed) is not logged" in refused.stdout
    assert sha256(warehouse) == before
    assert [r["result"] for r in log_is_whole(log)] == ["published", "published"]
    assert leftovers(warehouse) == []


def test_full_disk_while_the_staging_file_is_written(small_disk, demo_warehouse):
    warehouse = published(small_disk, demo_warehouse)
    fill(small_disk, leave=3_000_000)  # room for less than half a warehouse
    before = sha256(warehouse)
    for mode in [[], ["--full-refresh"]]:  # the incremental copy; dbt writing a new file
        failed = run_harness("build", "--warehouse", warehouse, *mode)
        assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr
        no_traceback(failed)
        (line,) = error_lines(failed)
        assert "No space left on device" in line, line
        assert "dbt build failed: ;" not in line
        assert line.endswith(f"the published warehouse {warehouse} is unchanged")
        assert sha256(warehouse) == before
        assert leftovers(warehouse) == []
    assert [r["result"] for r in log_is_whole(wap.run_log_path(warehouse))] == [
        "build_failed",
        "build_failed",
    ]


# --- one line for every stop ------------------------------------------------------------------


def test_reading_commands_on_a_missing_or_foreign_file_say_so_in_one_line(tmp_path):
    missing = tmp_path / "none.duckdb"
    foreign = tmp_path / "notes.duckdb"
    foreign.write_text("not a database\n")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for command in [["summary"], ["report"], ["export", "--out", tmp_path / "bi"]]:
        for path, message in [
            (missing, f"nrr: {missing}: no such warehouse; run `nrr build` first"),
            (foreign, f"nrr: {foreign}: cannot read it as a warehouse: not a DuckDB"),
            (empty, "nrr: "),
        ]:
            process = run_harness(*command, "--warehouse", path)
            assert process.returncode == 1, (command, path, process.stderr)
            no_traceback(process)
            (line,) = error_lines(process)
            assert line.startswith(message), line
    summary = run_harness("summary", "--warehouse", empty)
    assert "cannot read the warehouse: Catalog Error" in summary.stderr


def test_dbt_failure_without_node_names_prints_dbts_own_reason(tmp_path, demo_warehouse):
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    (tmp_path / "export").mkdir()
    failed = run_harness("build", "--warehouse", warehouse, "--data-dir", tmp_path / "export")
    assert failed.returncode == 1
    (line,) = error_lines(failed)
    assert "dbt build failed: ;" not in line
    assert "dbt build failed: Compilation Error: " in line
    assert f"{tmp_path / 'export'}/subscriptions.csv" in line
    assert sha256(warehouse) == before
    assert run_log(warehouse)[-1]["message"] == line.removeprefix("nrr: ")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_run_log(
    tmp_path, demo_warehouse
):
    warehouse = published(tmp_path, demo_warehouse)
    before = sha256(warehouse)
    process = subprocess.run(
        [sys.executable, "-c", UNEXPECTED, "build", "--warehouse", str(warehouse)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    no_traceback(process)
    assert error_lines(process) == [
        "nrr: unexpected error: KeyError: 'no such key' (a build's run log keeps the "
        "traceback; NRR_DEBUG=1 prints it)"
    ]
    assert sha256(warehouse) == before
    record = run_log(warehouse)[-1]
    assert (record["result"], record["exit_code"]) == ("error", 1)
    assert "remove_leftovers" in record["traceback"]
    assert leftovers(warehouse) == []
    debug = subprocess.run(
        [sys.executable, "-c", UNEXPECTED, "build", "--warehouse", str(warehouse)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "NRR_DEBUG": "1"},
        check=False,
    )
    assert "Traceback" in debug.stderr


def test_exit_code_4_is_documented():
    assert "\n  4  build refused: a process has the published file open read-write" in cli.__doc__
    assert "| 4 | `build` refused" in (PROJECT_DIR / "docs" / "operations.md").read_text()
