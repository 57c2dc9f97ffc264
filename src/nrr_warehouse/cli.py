"""The harness: builds the warehouse (write-audit-publish), prints the headline figures, checks the
SPEC examples and exports the marts.

dbt does all the modelling. This script only chooses the inputs and the warehouse file, calls
`dbt build`, decides whether to publish, reads the marts back and prints or asserts them.

    python scripts/nrr.py build [--data-dir DIR | --source-database PATH --source-schema NAME]
                                [--warehouse PATH] [--as-of YYYY-MM]
                                [--date-format FMT] [--decimal-comma] [--max-rejected-pct N]
                                [--full-refresh | --incremental] [--keep-failed]
    python scripts/nrr.py summary [--warehouse PATH]
    python scripts/nrr.py check-examples
    python scripts/nrr.py export --format parquet --out DIR [--warehouse PATH]
    python scripts/nrr.py report [--warehouse PATH] [--out FILE]

`build` is a write-audit-publish run, safe while BI tools read the published file:
write: `dbt build` into a new file next to the published one (`nrr.duckdb.building`), never
the published file itself; audit: every dbt data and unit test runs against that new file, and any
error-severity failure stops the run there; publish: only then the new file atomically replaces the
published one (a rename within its folder). One build per warehouse at a time (`nrr.duckdb.lock`);
each run appends one JSON line to `nrr.duckdb.runs.jsonl`. File handling: warehouse_publish.py.

When a published warehouse exists, `build` is incremental: it copies the published file to the
staging file and runs `dbt build` on the copy, which recomputes only the look-back window of the
heavy month-keyed models (dbt var incremental_lookback_months). `--full-refresh` builds from
scratch (`dbt build --full-refresh`), as the first build does. A build runs as a full refresh by
itself, and says why, when the published warehouse was built from other inputs or configuration, or
an input row dated before the look-back window changed (build_mode.py); `--incremental` forces an
incremental build anyway (the audit then refuses a stale result).

Exit codes:
  0  success (build: audited and published)
  1  failure: a dbt model or test failed (build: nothing published, the published warehouse is
     byte-for-byte unchanged), an example missed its figure, or a file is missing
  2  bad arguments
  3  build refused: another build holds this warehouse's lock (export: another export
     writes the same folder)
  4  build refused: a process has the published file open read-write (nothing published)
  130, 143  interrupted by SIGINT or SIGTERM: cleaned up; the last line and the run log say
     whether the build had published (it had if the signal came after the rename)
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import build_mode
import duckdb
import mart_export
import warehouse_publish as wap

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = PROJECT_DIR / "examples"
# The profile's own default (profiles.yml): the warehouse when neither --warehouse nor
# NRR_WAREHOUSE says otherwise.
DEFAULT_WAREHOUSE = "warehouse/nrr.duckdb"
SEGMENT_ORDER = ["All", "SMB", "Mid-Market", "Enterprise", "Unknown"]

EXIT_FAILED = 1
EXIT_LOCKED = 3
EXIT_WRITER = 4
# dbt result statuses that fail a run; "warn" (a warn-severity test) does not.
FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class SourceTables:
    """The source-table route: a schema of a DuckDB file a loader wrote, attached read-only."""

    database: Path
    schema: str

    def dbt_vars(self) -> dict:
        """The dbt vars that select the route (the profile attaches the file as `nrr_source`)."""
        return {
            "nrr_input_route": "sources",
            "nrr_source_database": "nrr_source",
            "nrr_source_schema": self.schema,
        }


class HarnessError(Exception):
    """A failure to report in one line and exit on; `result` names it in the run log."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, result: str = "failed"):
        super().__init__(message)
        self.result = result


class Locked(HarnessError):
    """Another build holds the warehouse's lock."""

    exit_code = EXIT_LOCKED


class WriterPresent(HarnessError):
    """A process has the published file open read-write: publishing over it is refused."""

    exit_code = EXIT_WRITER


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; raised by the handler main() installs. `published` is set when
    the build had already published (the signal came after the rename)."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum
        self.published: Path | None = None


def warehouse_path(warehouse: str | None) -> Path:
    """The DuckDB file a build writes: --warehouse, else NRR_WAREHOUSE, else the profile default."""
    chosen = warehouse or os.environ.get("NRR_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(chosen)
    return path if path.is_absolute() else (PROJECT_DIR / path).resolve()


def dbt_executable() -> str:
    """The dbt of the interpreter running this script (the project's .venv)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


@dataclass
class DbtRun:
    """What one dbt command did: its exit code and its node results (run_results.json)."""

    returncode: int
    results: list[dict] = field(default_factory=list)
    output: list[str] = field(default_factory=list)  # the last lines dbt printed

    def named(self, statuses: set[str], kinds: tuple[str, ...] | None = None) -> list[str]:
        """unique_ids of the nodes with one of `statuses` (of resource types `kinds`, if given)."""
        return [
            r["unique_id"]
            for r in self.results
            if r["status"] in statuses and (kinds is None or r["unique_id"].startswith(kinds))
        ]

    def message(self, unique_id: str) -> str:
        """The first line of a node's message in run_results.json ('' if none)."""
        for r in self.results:
            if r["unique_id"] == unique_id and (r.get("message") or "").strip():
                return " ".join(r["message"].split("\n")[:2]).strip()
        return ""


def dbt_process(
    args: list[str],
    warehouse: Path,
    data_dir: Path | None,
    target_path: Path | None = None,
    quiet: bool = False,
    keep_fds: tuple[int, ...] = (),
    extra_env: dict[str, str] | None = None,
    source: SourceTables | None = None,
) -> DbtRun:
    """Run one dbt command on the project, its output shown as it comes (see DbtOutput), or kept
    and shown only on failure when `quiet`. `keep_fds` stay open in dbt (the build lock);
    `extra_env` are more environment variables for dbt (the build record). With `source`, the
    profile attaches its file read-only (NRR_SOURCE_DATABASE)."""
    env = dict(os.environ)
    env.update(extra_env or {})
    env["NRR_WAREHOUSE"] = str(warehouse)
    env.pop("NRR_DATA_DIR", None)
    env.pop("NRR_SOURCE_DATABASE", None)
    if data_dir is not None:
        env["NRR_DATA_DIR"] = str(data_dir)
    if source is not None:
        env["NRR_SOURCE_DATABASE"] = str(source.database)
    target = target_path or PROJECT_DIR / "target"
    on_terminal = not quiet and sys.stdout.isatty()
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
    if not on_terminal:
        command.append("--no-use-colors")
    started = time.time()
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        pass_fds=keep_fds,
        preexec_fn=die_with_parent_preexec(),  # safe: the harness runs no threads
    )
    output = DbtOutput(sys.stdout, on_terminal) if not quiet else None
    kept: collections.deque[str] = collections.deque(maxlen=300)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            kept.append(line)
            if output is not None:
                output.feed(line)
        returncode = process.wait()
    finally:
        if process.poll() is None:  # we were interrupted: the writer goes with us
            process.kill()
            process.wait()
        if output is not None:
            output.close()
    if returncode != 0 and quiet:
        print("".join(kept)[-6000:], file=sys.stderr)
    return DbtRun(returncode, read_run_results(target, started), list(kept))


def dbt_error_line(run: DbtRun) -> str:
    """dbt's own reason for a failure no node result names, in one line: the error that follows
    its "Encountered an error:" (e.g. `Compilation Error: .../subscriptions.csv (or .parquet):
    required input file is missing`), else its last error line, else its exit code."""
    lines = [ANSI.sub("", line).rstrip() for line in run.output]
    starts = [i for i, line in enumerate(lines) if line.endswith("Encountered an error:")]
    if starts:
        block = [line.strip() for line in lines[starts[-1] + 1 :]]
        block = [line for line in block if line and not line.startswith(">")]
        if block:
            kind = re.sub(r" in .*$", "", block[0])
            detail = next((line for line in block[1:]), "")
            return f"{kind}: {detail}" if detail and kind.endswith("Error") else block[0]
    errors = [line for line in lines if re.search(r"\b(Error|error)\b", line)]
    if errors:
        return re.sub(r"^\d\d:\d\d:\d\d\s+", "", errors[-1]).strip()
    return f"dbt exited with code {run.returncode} (details in logs/dbt.log)"


def read_run_results(target: Path, since: float) -> list[dict]:
    """The node results dbt wrote in `target`, if it wrote them after `since` (else [])."""
    results_file = target / "run_results.json"
    try:
        if results_file.stat().st_mtime < since - 1:
            return []  # left over from an earlier run: this one died before writing its own
        return json.loads(results_file.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []


_PR_SET_PDEATHSIG = 1


def die_with_parent_preexec():
    """On Linux, a function that makes the dbt child be killed when the harness dies (even by
    SIGKILL), so a killed build leaves no orphaned dbt writing on; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the harness died before the line above took effect
            os._exit(1)

    return preexec


# "14:17:12  7 of 100 PASS unique_x ....... [PASS in 0.03s]", once colours are stripped.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NODE_LINE = re.compile(r"^\S*\s+(\d+) of (\d+) ([A-Z-]+) (.*?)\s*(?:\.{2,}\s*)?\[")


class DbtOutput:
    """dbt's output, as a person or a log wants it.

    On a terminal, dbt's "i of n START/OK/PASS ..." lines collapse into one progress line that
    rewrites itself (`[ 42/100] running table model marts.nrr_by_period`); failures, warnings and
    every other line stay on screen. Not on a terminal (cron, CI, a pipe), every line is passed on
    plain, as dbt wrote it.
    """

    def __init__(self, stream, on_terminal: bool):
        self.stream = stream
        self.on_terminal = on_terminal
        self.done = 0
        self.showing = False

    def feed(self, line: str) -> None:
        if not self.on_terminal:
            self.stream.write(line)
            self.stream.flush()
            return
        match = NODE_LINE.match(ANSI.sub("", line))
        if match is not None and match.group(3) != "START":
            self.done += 1
        if match is None or match.group(3) in ("WARN", "ERROR", "FAIL"):
            self.clear()
            self.stream.write(line)
        else:
            _, total, status, node = match.groups()
            text = f"running {node}" if status == "START" else f"{status} {node}"
            width = max(20, shutil.get_terminal_size().columns - 1)
            progress = f"[{self.done:>{len(total)}}/{total}] {text}"
            self.stream.write("\r\x1b[K" + progress[:width])
            self.showing = True
        self.stream.flush()

    def clear(self) -> None:
        if self.showing:
            self.stream.write("\r\x1b[K")
            self.showing = False

    def close(self) -> None:
        self.clear()
        self.stream.flush()


def build(
    warehouse: Path,
    data_dir: Path | None = None,
    as_of: str | None = None,
    target_path: Path | None = None,
    quiet: bool = False,
    keep_failed: bool = False,
    full_refresh: bool = False,
    force_incremental: bool = False,
    source: SourceTables | None = None,
    input_vars: dict | None = None,
) -> dict:
    """Seeds, models and every data and unit test into a new file; publish it as `warehouse` only
    if every error-severity test passed. Returns the run-log record; HarnessError (Locked when
    another build runs) if nothing was published, the published file untouched either way.
    `data_dir` (files) or `source` (source tables) replaces the demo seeds.
    Incremental or full: build_mode.choose() (`full_refresh` / `force_incremental` decide alone)."""
    if data_dir is not None and not data_dir.is_dir():
        raise HarnessError(f"--data-dir {data_dir}: no such directory")
    if source is not None and not source.database.is_file():
        raise HarnessError(f"--source-database {source.database}: no such file")
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    def say(message: str) -> None:
        if not quiet:
            print(f"nrr.py: {message}", flush=True)

    record: dict = {
        "start": wap.now(),
        "end": None,
        "result": None,
        "exit_code": None,
        "as_of": as_of,
        "rows_in": None,
        "rows_rejected": None,
        "warehouse": str(warehouse),
        "data_dir": str(data_dir) if data_dir else None,
        "source_tables": f"{source.database}:{source.schema}" if source else None,
        "pid": os.getpid(),
        "mode": None,
        "mode_reason": None,
        "message": None,
        "notes": [],
    }
    try:
        try:
            lock = wap.WarehouseLock(warehouse).acquire()
        except wap.LockedError as error:
            raise Locked(str(error), "locked") from None
        except OSError as error:  # a full disk, a read-only folder
            raise HarnessError(os_error_text(error), "build_failed") from None
        try:
            if (writer := wap.writer_pid(warehouse)) is not None:
                # Checked again, and held off, while publishing; here it saves a doomed build.
                raise WriterPresent(wap.writer_message(warehouse, writer), "publish_refused")
            record["notes"] = lock.notes + wap.remove_leftovers(warehouse)
            for note in record["notes"]:
                say(note)
            staging = wap.staging_path(warehouse)
            cli_vars = {"as_of_month": as_of} if as_of else {}
            cli_vars.update(input_vars or {})
            if source is not None:
                cli_vars.update(source.dbt_vars())
            facts = build_mode.current_record(PROJECT_DIR, data_dir, cli_vars, source)
            try:
                mode = build_mode.choose(
                    warehouse,
                    facts,
                    build_mode.expected_vars(PROJECT_DIR, cli_vars),
                    as_of,
                    full_refresh,
                    force_incremental,
                )
                incremental = mode.incremental
                record.update(mode=mode.name, mode_reason=mode.reason)
                if incremental and wap.wal_path(warehouse).exists():
                    # A stray log of a crashed writer: the file may not be what was audited.
                    note = f"{wap.wal_path(warehouse).name} beside the published file: full build"
                    record["notes"].append(note)
                    incremental = False
                    record.update(mode="full", mode_reason=note)
                kind = "incremental run" if incremental else "full refresh"
                say(f"{kind}: {record['mode_reason']}")
                if incremental:
                    # The copy is part of an incremental run's cost; the published file is read.
                    say(f"incremental run: copying {warehouse.name} to {staging.name}")
                    try:
                        wap.copy_published(warehouse, staging)
                    except OSError as error:
                        raise HarnessError(os_error_text(error), "build_failed") from None
                record["message"] = write_and_audit(
                    staging,
                    data_dir,
                    as_of,
                    target_path,
                    quiet,
                    lock.fd,
                    record,
                    say,
                    incremental,
                    {"NRR_BUILD_RECORD": json.dumps(facts)},
                    source,
                    input_vars,
                )
                # SIGINT and SIGTERM wait until the rename and the record agree: "published"
                # in the record exactly when the new file is in place.
                with deferred_signals():
                    try:
                        record["notes"] += wap.publish(staging, warehouse)
                    except wap.WriterPresentError as error:
                        raise WriterPresent(str(error), "publish_refused") from None
                    except OSError as error:
                        raise HarnessError(os_error_text(error), "publish_failed") from None
                    record.update(result="published", exit_code=0)
            except BaseException:
                if keep_failed and (kept := wap.keep_failed(staging, warehouse)):
                    say(f"kept the failed build's file for inspection: {kept}")
                else:
                    wap.remove_database(staging)
                raise
            finally:
                wap.remove_spill(staging)  # DuckDB's spill folder, on every way out
        finally:
            lock.release()
        say(
            f"published {warehouse} (atomic replace; connections opened before keep the previous "
            "version until they reconnect)"
        )
        return record
    except HarnessError as error:
        if error.result != "locked":
            error.args = (f"{error}; the published warehouse {warehouse} is unchanged",)
        record.update(result=error.result, exit_code=error.exit_code, message=str(error))
        raise
    except Interrupted as error:
        if record["result"] == "published":  # the signal came after the rename
            error.published = warehouse
            record["message"] = f"{record['message']}; published, then {error}"
            record["exit_code"] = 128 + error.signum  # what the process exits with
        else:
            record.update(result="interrupted", exit_code=128 + error.signum, message=str(error))
        raise
    except BaseException as error:
        record.update(
            result="error",
            exit_code=EXIT_FAILED,
            message=repr(error),
            traceback=traceback.format_exc(),
        )
        raise
    finally:
        record["end"] = wap.now()
        with deferred_signals():
            try:
                log = wap.append_run_log(warehouse, record)
            except OSError as error:
                text = os_error_text(error)
                print(f"nrr.py: {text}; this run ({record['result']}) is not logged", flush=True)
            else:
                if record["result"] != "published":
                    say(f"run logged in {log}")


def write_and_audit(
    staging: Path,
    data_dir: Path | None,
    as_of: str | None,
    target_path: Path | None,
    quiet: bool,
    lock_fd: int | None,
    record: dict,
    say,
    incremental: bool = False,
    extra_env: dict[str, str] | None = None,
    source: SourceTables | None = None,
    input_vars: dict | None = None,
) -> str:
    """Write: `dbt build` into `staging`. Audit: its verdict. Returns the audit's one-line verdict;
    HarnessError ("build_failed" or "audit_failed") if the file must not be published.

    One `dbt build`, not `dbt run` then `dbt test`: build runs every data and unit test against the
    new file as soon as the model under test exists, and skips whatever depends on a failed test,
    so bad data stops where it is found. The audit's verdict is dbt's exit code together with every
    node's status in run_results.json: any model, seed or error-severity test that errored or
    failed (a warn-severity test only warns), or an audit that ran no test at all, blocks
    publishing.
    """
    args = ["build"] if incremental else ["build", "--full-refresh"]
    dbt_vars = dict(input_vars or {})
    if as_of:
        dbt_vars["as_of_month"] = as_of
    if source is not None:
        dbt_vars.update(source.dbt_vars())
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    say(f"writing {staging} (the published file is not touched until the audit passes)")
    keep_fds = (lock_fd,) if lock_fd is not None else ()
    run = dbt_process(args, staging, data_dir, target_path, quiet, keep_fds, extra_env, source)
    record.update({k: v for k, v in staging_stats(staging).items() if v is not None})

    tests = ("test.", "unit_test.")
    failed_tests = run.named(FAILED_STATUSES, tests)
    failed_models = [n for n in run.named(FAILED_STATUSES) if not n.startswith(tests)]
    if failed_models or (run.returncode != 0 and not failed_tests):
        named = failed_models + failed_tests
        reason = ", ".join(named) if named else dbt_error_line(run)
        if failed_models and (why := run.message(failed_models[0])):
            reason += f" ({why})"  # e.g. DuckDB's "No space left on device"
        raise HarnessError("dbt build failed: " + reason, "build_failed")
    if failed_tests:
        print_rejection_summary(staging, quiet)
        hint = (
            " (an incremental run keeps months before its look-back window: if the data changed "
            "before it, rebuild with --full-refresh)"
            if incremental
            else ""
        )
        raise HarnessError(
            f"audit failed: {len(failed_tests)} error-severity test(s) did not pass: "
            + ", ".join(failed_tests)
            + hint,
            "audit_failed",
        )
    passed, warned = run.named({"pass", "success"}, tests), run.named({"warn"}, tests)
    if run.returncode != 0 or not passed:
        raise HarnessError("audit ran no test: not publishing", "audit_failed")
    verdict = f"audit passed: {len(passed)} tests against {staging.name}"
    if warned:
        verdict += f", {len(warned)} warned: " + ", ".join(warned)
    checkpoint(staging)
    say(verdict)
    return verdict


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so it is complete without it (publish() refuses a
    file with a log); HarnessError with DuckDB's reason (a full disk) if that fails."""
    try:
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")
    except duckdb.Error as error:
        reason = " ".join(str(error).split())
        raise HarnessError(f"cannot checkpoint {database.name}: {reason}", "build_failed") from None


def print_rejection_summary(staging: Path, quiet: bool) -> None:
    """On a failed audit, the input rows and rejections of the staging file (as the summary of a
    good build prints them) and why the input fails (audit.input_quality), before the file goes."""
    if quiet or not staging.exists():
        return
    with contextlib.suppress(duckdb.Error):
        lines = input_audit_lines(staging)
        verdict = query(staging, "select message from audit.input_quality where not passes")
        print("\n".join(lines + [f"Input check failed: {message}" for (message,) in verdict]))


def staging_stats(database: Path) -> dict:
    """as_of, rows_in and rows_rejected of a built file, as far as it got (None where unknown).

    Also checkpoints the file, so that it is complete without its write-ahead log.
    rows_in counts the subscriptions input rows (staging.stg_billing__subscriptions, one row per
    input row); rows_rejected counts those of them in audit.rejected_rows, the bad-input quarantine,
    once that table exists (else 0; all of its rows if it has no source_table column).
    """
    stats: dict = {"as_of": None, "rows_in": None, "rows_rejected": None}
    if not database.exists():
        return stats
    queries = {
        "as_of": "select strftime(max(month), '%Y-%m') from marts.mrr_bridge_monthly",
        "rows_in": "select count(*) from staging.stg_billing__subscriptions",
    }
    with contextlib.suppress(duckdb.Error), duckdb.connect(str(database)) as con:
        con.execute("checkpoint")
        for key, sql in queries.items():
            with contextlib.suppress(duckdb.Error):
                stats[key] = con.execute(sql).fetchone()[0]
        stats["rows_rejected"] = rejected_subscription_rows(con)
    return stats


def rejected_subscription_rows(con: duckdb.DuckDBPyConnection) -> int | None:
    """Subscriptions rows in the quarantine (audit.rejected_rows); 0 when there is no quarantine."""
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'audit' and table_name = 'rejected_rows'"
        ).fetchall()
    }
    if not columns:
        return 0
    where = " where source_table = 'subscriptions'" if "source_table" in columns else ""
    with contextlib.suppress(duckdb.Error):
        return con.execute("select count(*) from audit.rejected_rows" + where).fetchone()[0]
    return None


def export(warehouse: Path, out_dir: Path, file_format: str = "parquet") -> list[tuple[str, int]]:
    """Every table of schema `marts` as one file in a new version folder of `out_dir`, then
    `out_dir/current` switched to it (scripts/mart_export.py; README "Reading the warehouse");
    returns (file, rows) per table, printing what it cleaned up and where it wrote."""
    check_readable(warehouse)
    try:
        version, written, notes = mart_export.export(
            warehouse, out_dir, file_format, switch=deferred_signals
        )
    except mart_export.ExportLockedError as error:
        raise Locked(str(error), "locked") from None
    except mart_export.ExportFolderError as error:
        raise HarnessError(str(error)) from None
    for note in notes:
        print(f"nrr.py: {note}")
    print(f"nrr.py: exported {warehouse} to {version}; {out_dir / mart_export.CURRENT} names it")
    return written


def check_readable(warehouse: Path) -> None:
    """HarnessError, in one line, unless `warehouse` is a DuckDB file (checked by its header)."""
    if not warehouse.exists():
        raise HarnessError(f"{warehouse}: no such warehouse; run `nrr.py build` first")
    try:
        wap.storage_version(warehouse)
    except (OSError, ValueError, struct.error) as error:
        reason = "not a DuckDB database file" if not isinstance(error, OSError) else error.strerror
        raise HarnessError(f"{warehouse}: cannot read it as a warehouse: {reason}") from None


def sql_text(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


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
    check_readable(warehouse)
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
    check_readable(path)
    target = (out or path.with_name("report.html")).resolve()
    return write_report(path, target)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="nrr.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser(
        "build", help="build, audit and publish the warehouse; print its summary"
    )
    build_cmd.add_argument(
        "--data-dir",
        type=Path,
        help="folder of subscriptions/customers/"
        "fx_rates .csv or .parquet files (default: the demo seeds)",
    )
    build_cmd.add_argument(
        "--source-database",
        type=Path,
        help="DuckDB file holding the input tables (e.g. written by dlt), attached read-only and "
        "never written; with --source-schema",
    )
    build_cmd.add_argument(
        "--source-schema",
        help="schema of --source-database holding subscriptions, customers (and fx_rates) tables",
    )
    build_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")
    build_cmd.add_argument("--as-of", help="last reporting month, YYYY-MM (default: from data)")
    build_cmd.add_argument(
        "--date-format",
        help="strftime format of dates that are not ISO, e.g. %%m/%%d/%%Y (var input_date_format)",
    )
    build_cmd.add_argument(
        "--decimal-comma",
        action="store_true",
        help="amounts use a decimal comma: 1.200,50 (var input_decimal_comma)",
    )
    build_cmd.add_argument(
        "--max-rejected-pct",
        type=float,
        help="largest share of rejected subscription rows, in percent, a build may publish "
        "(var max_rejected_rows_pct, default 5)",
    )
    build_cmd.add_argument(
        "--benchmark-set",
        choices=["rules_of_thumb", "saas_capital_2023"],
        help="benchmarks of segment_benchmarks: the SPEC's segment bands (default rules_of_thumb) "
        "or SaaS Capital's 2023 medians by ACV (var benchmark_set)",
    )
    mode = build_cmd.add_mutually_exclusive_group()
    mode.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every month from scratch (default: incremental when a published warehouse "
        "exists, recomputing the last incremental_lookback_months months, unless its inputs or "
        "configuration differ or an input row before that window changed)",
    )
    mode.add_argument(
        "--incremental",
        action="store_true",
        help="build incrementally whenever a published warehouse exists, even when a full refresh "
        "is due (the audit then fails a stale result rather than rebuilding everything)",
    )
    build_cmd.add_argument(
        "--keep-failed",
        action="store_true",
        help="keep a failed build's file as <warehouse>.failed for inspection (default: delete it)",
    )

    summary_cmd = commands.add_parser("summary", help="print the summary of a built warehouse")
    summary_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")

    commands.add_parser("check-examples", help="build and assert the SPEC section 6 examples")

    export_cmd = commands.add_parser("export", help="write every mart as a file for BI tools")
    export_cmd.add_argument("--format", choices=["parquet"], default="parquet")
    export_cmd.add_argument("--out", type=Path, required=True, help="folder to write into")
    export_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")
    report_cmd = commands.add_parser("report", help="write the HTML report of a built warehouse")
    report_cmd.add_argument("--warehouse", help=f"DuckDB file (default: {DEFAULT_WAREHOUSE})")
    report_cmd.add_argument("--out", type=Path, help="HTML file (default: report.html beside it)")

    args = parser.parse_args(argv)
    if getattr(args, "as_of", None) and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.as_of):
        reason = "not a valid month" if re.fullmatch(r"\d{4}-\d{2}", args.as_of) else "not a month"
        parser.error(f"--as-of must look like YYYY-MM: {args.as_of!r} is {reason}")
    if args.command == "build":
        if (args.source_database is None) != (args.source_schema is None):
            parser.error("--source-database and --source-schema go together")
        if args.source_database is not None and args.data_dir is not None:
            parser.error("--data-dir and --source-database are two routes: give one of them")
    date_format = getattr(args, "date_format", None)
    if date_format is not None and "%" not in date_format:
        parser.error(f"--date-format takes strftime codes such as %m/%d/%Y, got {date_format!r}")
    max_rejected = getattr(args, "max_rejected_pct", None)
    if max_rejected is not None and not 0 <= max_rejected <= 100:
        parser.error(f"--max-rejected-pct must be between 0 and 100, got {max_rejected:g}")
    return args


def input_vars(args: argparse.Namespace) -> dict:
    """The dbt vars of the reading options of `build` that were given."""
    chosen = {
        "input_date_format": args.date_format,
        "input_decimal_comma": True if args.decimal_comma else None,
        "max_rejected_rows_pct": args.max_rejected_pct,
        "benchmark_set": args.benchmark_set,
    }
    return {name: value for name, value in chosen.items() if value is not None}


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def os_error_text(error: OSError) -> str:
    """An OSError as one line without Python's "[Errno 28]": the reason, and the file if named."""
    text = error.strerror or str(error)
    return f"{text}: {error.filename}" if error.filename else text


def raise_interrupted(signum: int, _frame) -> None:
    """Signal handler: unwind, so that a build cleans up its staging file and logs the run. Only
    the first signal unwinds: a second one (Ctrl-C pressed again) must not cut the clean-up."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def deferred_signals():
    """Hold SIGINT and SIGTERM back (pthread_sigmask) for a step that must not be cut in two: the
    rename and the record saying so, or the run-log line. A signal that arrives meanwhile is
    delivered (and raises Interrupted) as the block ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module docstring)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGINT, raise_interrupted)
    published = None
    try:
        if args.command == "build":
            warehouse = warehouse_path(args.warehouse)
            data_dir = args.data_dir.resolve() if args.data_dir else None
            source = (
                SourceTables(args.source_database.resolve(), args.source_schema)
                if args.source_database
                else None
            )
            build(
                warehouse,
                data_dir,
                args.as_of,
                keep_failed=args.keep_failed,
                full_refresh=args.full_refresh,
                force_incremental=args.incremental,
                source=source,
                input_vars=input_vars(args),
            )
            published = warehouse
            print(summary(warehouse))
        elif args.command == "summary":
            print(summary(warehouse_path(args.warehouse)))
        elif args.command == "check-examples":
            return 0 if check_examples() else 1
        elif args.command == "export":
            warehouse = warehouse_path(args.warehouse)
            for name, count in export(warehouse, args.out.resolve(), args.format):
                print(f"{args.out / mart_export.CURRENT / name}: {count:,} rows")
        elif args.command == "report":
            print(write_report_command(args.warehouse, args.out))
    except HarnessError as error:
        print(f"nrr.py: {error}", file=sys.stderr)
        return error.exit_code
    except Interrupted as error:
        error.published = error.published or published
        if error.published is not None:
            outcome = f"the build had published {error.published} (see the run log)"
        elif args.command == "build":
            outcome = "nothing published"
        elif args.command == "export":
            outcome = "the export folder's `current` still names the previous export"
        else:
            outcome = "stopped"
        print(f"nrr.py: {error}; {outcome}", file=sys.stderr)
        return 128 + error.signum
    except duckdb.Error as error:  # a warehouse without the marts, a corrupt file
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"nrr.py: cannot read the warehouse: {first}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # a full disk, a folder that cannot be written
        print(f"nrr.py: {os_error_text(error)}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the guard: one line, never a traceback on the terminal
        print(
            f"nrr.py: unexpected error: {type(error).__name__}: {error} (a build's run log keeps "
            "the traceback; NRR_DEBUG=1 prints it)",
            file=sys.stderr,
        )
        if os.environ.get("NRR_DEBUG"):
            traceback.print_exc()
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
