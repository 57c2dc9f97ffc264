"""`nrr build`: write-audit-publish, safe while BI tools read the published file.

write: `dbt build` into a new file next to the published one (`nrr.duckdb.building`), never
the published file itself; audit: every dbt data test (and with `--unit-tests` every unit test)
runs against that new file, and any error-severity failure stops the run there; publish: only
then the new file atomically replaces the published one (a rename within its folder). One build
per warehouse at a time (`nrr.duckdb.lock`); each run appends one JSON line to
`nrr.duckdb.runs.jsonl`. File handling: publish.py.

When a published warehouse exists, a build is incremental: it copies the published file to the
staging file and runs `dbt build` on the copy, which recomputes only the look-back window of the
heavy month-keyed models (dbt var incremental_lookback_months). `--full-refresh` builds from
scratch (`dbt build --full-refresh`), as the first build does. A build runs as a full refresh by
itself, and says why, when the published warehouse was built from other inputs or configuration, or
an input row dated before the look-back window changed (build_mode.py); `--incremental` forces an
incremental build anyway (the audit then refuses a stale result). An incremental run whose
published build was made from the same record (seeds included) does not reload the seeds: the copy
already holds them (DECISIONLOG "Scheduled builds skip unit tests and unchanged seeds").
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nrr_warehouse import build_mode, marts, summary
from nrr_warehouse import publish as wap
from nrr_warehouse.dbt_runner import (
    FAILED_STATUSES,
    DbtRun,
    SourceTables,
    dbt_error_line,
    dbt_process,
)
from nrr_warehouse.errors import (
    EXIT_FAILED,
    HarnessError,
    Interrupted,
    WriterPresent,
    os_error_text,
)
from nrr_warehouse.project import PROG, PROJECT_DIR
from nrr_warehouse.signals import deferred_signals


@dataclass(frozen=True)
class BuildRequest:
    """What one build is asked to do: the warehouse, the inputs (`data_dir` files or `source`
    tables, else the demo seeds), the dbt vars of the options, the mode, and how it reports."""

    warehouse: Path
    data_dir: Path | None = None
    source: SourceTables | None = None
    as_of: str | None = None
    input_vars: dict = field(default_factory=dict)  # the reading options (cli.input_vars)
    full_refresh: bool = False
    force_incremental: bool = False
    keep_failed: bool = False
    unit_tests: bool = False  # run dbt's unit tests too (`--unit-tests`; make test and CI do)
    target_path: Path | None = None  # dbt's target folder (default: the project's target/)
    quiet: bool = False  # print nothing but a failed dbt run's output

    def dbt_vars(self) -> dict:
        """The --vars of its `dbt build`: the reading options, the as-of month, the route."""
        dbt_vars = dict(self.input_vars)
        if self.as_of:
            dbt_vars["as_of_month"] = self.as_of
        if self.source is not None:
            dbt_vars.update(self.source.dbt_vars())
        return dbt_vars

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"{PROG}: {message}", flush=True)


@dataclass
class RunRecord:
    """One run's line of the run log (`nrr.duckdb.runs.jsonl`), filled in as the build goes."""

    start: str
    end: str | None = None
    result: str | None = None
    exit_code: int | None = None
    as_of: str | None = None
    rows_in: int | None = None
    rows_rejected: int | None = None
    warehouse: str | None = None
    data_dir: str | None = None
    source_tables: str | None = None
    pid: int = field(default_factory=os.getpid)
    mode: str | None = None
    mode_reason: str | None = None
    message: str | None = None
    notes: list[str] = field(default_factory=list)
    traceback: str | None = None  # only of an unexpected error

    @classmethod
    def of(cls, request: BuildRequest) -> RunRecord:
        source = request.source
        return cls(
            start=wap.now(),
            as_of=request.as_of,
            warehouse=str(request.warehouse),
            data_dir=str(request.data_dir) if request.data_dir else None,
            source_tables=f"{source.database}:{source.schema}" if source else None,
        )

    def as_json(self) -> dict:
        """The log line's fields (`traceback` only when there is one)."""
        fields = dataclasses.asdict(self)
        if fields["traceback"] is None:
            del fields["traceback"]
        return fields


def build(request: BuildRequest) -> RunRecord:
    """Seeds, models and every data test (and unit test, if asked) into a new file; publish it as
    the warehouse only if every error-severity test passed. Returns the run-log record;
    HarnessError (Locked when another build runs) if nothing was published, the published file
    untouched either way.
    Incremental or full: build_mode.choose() (`full_refresh` / `force_incremental` decide alone)."""
    warehouse, say = request.warehouse, request.say
    if request.data_dir is not None and not request.data_dir.is_dir():
        raise HarnessError(f"--data-dir {request.data_dir}: no such directory")
    if request.source is not None and not request.source.database.is_file():
        raise HarnessError(f"--source-database {request.source.database}: no such file")
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    record = RunRecord.of(request)
    try:
        try:
            lock = wap.WarehouseLock(warehouse).acquire()
        except OSError as error:  # a full disk, a read-only folder
            raise HarnessError(os_error_text(error), "build_failed") from None
        try:
            if (writer := wap.writer_pid(warehouse)) is not None:
                # Checked again, and held off, while publishing; here it saves a doomed build.
                raise WriterPresent(wap.writer_message(warehouse, writer))
            record.notes = lock.notes + wap.remove_leftovers(warehouse)
            for note in record.notes:
                say(note)
            staging = wap.staging_path(warehouse)
            facts = build_mode.current_record(
                PROJECT_DIR, request.data_dir, request.dbt_vars(), request.source
            )
            try:
                mode = choose_mode(request, facts, record)
                if mode.incremental:
                    # The copy is part of an incremental run's cost; the published file is read.
                    say(f"incremental run: copying {warehouse.name} to {staging.name}")
                    try:
                        wap.copy_published(warehouse, staging)
                    except OSError as error:
                        raise HarnessError(os_error_text(error), "build_failed") from None
                # The published build's record equals this one's: its seeds are this build's.
                load_seeds = not mode.incremental or not mode.same_record
                if not load_seeds:
                    note = "seeds unchanged since the published build: not reloaded"
                    record.notes.append(note)
                    say(note)
                run = write(
                    request,
                    staging,
                    mode.incremental,
                    lock.fd,
                    facts,
                    load_seeds,
                    mode.window_vars(),
                )
                record_stats(record, staging)
                record.message = audit(request, run, staging, mode.incremental)
                # SIGINT and SIGTERM wait until the rename and the record agree: "published"
                # in the record exactly when the new file is in place.
                with deferred_signals():
                    try:
                        record.notes += wap.publish(staging, warehouse)
                    except OSError as error:
                        raise HarnessError(os_error_text(error), "publish_failed") from None
                    record.result, record.exit_code = "published", 0
            except BaseException:
                if request.keep_failed and (kept := wap.keep_failed(staging, warehouse)):
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
        record.result, record.exit_code, record.message = error.result, error.exit_code, str(error)
        raise
    except Interrupted as error:
        if record.result == "published":  # the signal came after the rename
            error.published = warehouse
            record.message = f"{record.message}; published, then {error}"
            record.exit_code = 128 + error.signum  # what the process exits with
        else:
            record.result, record.exit_code = "interrupted", 128 + error.signum
            record.message = str(error)
        raise
    except BaseException as error:
        record.result, record.exit_code, record.message = "error", EXIT_FAILED, repr(error)
        record.traceback = traceback.format_exc()
        raise
    finally:
        record.end = wap.now()
        with deferred_signals():
            try:
                log = wap.append_run_log(warehouse, record.as_json())
            except OSError as error:
                text = os_error_text(error)
                print(f"{PROG}: {text}; this run ({record.result}) is not logged", flush=True)
            else:
                if record.result != "published":
                    say(f"run logged in {log}")


def choose_mode(request: BuildRequest, facts: dict, record: RunRecord) -> build_mode.Mode:
    """The build's mode: build_mode.choose(), then a stray write-ahead log beside the published
    file forces a full build (the Mode then says so, and its window_vars() are empty). Says why,
    and notes it in the record. The caller reads `incremental`, `same_record` (the published
    build's record equals this build's) and `window_vars()` (the dbt var of an incremental run's
    window; empty when full)."""
    warehouse = request.warehouse
    mode = build_mode.choose(
        warehouse,
        facts,
        build_mode.expected_vars(PROJECT_DIR, request.dbt_vars()),
        request.as_of,
        request.full_refresh,
        request.force_incremental,
    )
    record.mode, record.mode_reason = mode.name, mode.reason
    if mode.incremental and wap.wal_path(warehouse).exists():
        # A stray log of a crashed writer: the file may not be what was audited.
        note = f"{wap.wal_path(warehouse).name} beside the published file: full build"
        record.notes.append(note)
        mode = dataclasses.replace(mode, incremental=False, reason=note)
        record.mode, record.mode_reason = mode.name, mode.reason
    kind = "incremental run" if mode.incremental else "full refresh"
    request.say(f"{kind}: {record.mode_reason}")
    return mode


def write(
    request: BuildRequest,
    staging: Path,
    incremental: bool,
    lock_fd: int | None,
    facts: dict,
    load_seeds: bool = True,
    window_vars: dict | None = None,
) -> DbtRun:
    """Write: `dbt build` into `staging` (the build record's `facts` passed in NRR_BUILD_RECORD).

    One `dbt build`, not `dbt run` then `dbt test`: build runs every data test against the new file
    as soon as the model under test exists, and skips whatever depends on a failed test, so bad
    data stops where it is found. Unit tests (fixed given rows, not the data) run only with
    `request.unit_tests`; seeds are left as the copy has them unless `load_seeds`
    (DECISIONLOG "Scheduled builds skip unit tests and unchanged seeds"). `window_vars`: an
    incremental run's window, which its models rewrite and its data tests check, passed in the
    environment (build_mode.window_env; DECISIONLOG "The harness passes the look-back window to
    dbt")."""
    args = ["build"] if incremental else ["build", "--full-refresh"]
    excluded = ([] if request.unit_tests else ["unit_test"]) + ([] if load_seeds else ["seed"])
    if excluded:
        args += ["--exclude-resource-type", *excluded]
    if dbt_vars := request.dbt_vars():
        args += ["--vars", json.dumps(dbt_vars)]
    # The window in the environment, not in --vars: a new window then re-parses nothing.
    window = build_mode.window_env(window_vars or {})
    request.say(f"writing {staging} (the published file is not touched until the audit passes)")
    return dbt_process(
        args,
        staging,
        request.data_dir,
        request.target_path,
        request.quiet,
        keep_fds=(lock_fd,) if lock_fd is not None else (),
        extra_env={"NRR_BUILD_RECORD": json.dumps(facts), **window},
        source=request.source,
    )


def record_stats(record: RunRecord, staging: Path) -> None:
    """as_of, rows_in and rows_rejected of the written file, where known, into the record."""
    for name, value in staging_stats(staging).items():
        if value is not None:
            setattr(record, name, value)


def audit(request: BuildRequest, run: DbtRun, staging: Path, incremental: bool) -> str:
    """Audit: the verdict on what `write` wrote. Returns it in one line; HarnessError
    ("build_failed" or "audit_failed") if the file must not be published.

    The verdict is dbt's exit code together with every node's status in run_results.json: any
    model, seed or error-severity test (data or unit) that errored or failed (a warn-severity test
    only warns), or an audit that ran no data test at all, blocks publishing.
    """
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
        print_failing_rows(staging, run, failed_tests, request.quiet)
        print_rejection_summary(staging, request.quiet)
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
    if run.returncode != 0 or not run.named({"pass", "success"}, ("test.",)):
        raise HarnessError("audit ran no test: not publishing", "audit_failed")
    verdict = f"audit passed: {len(passed)} tests against {staging.name}"
    if units := run.named({"pass", "success"}, ("unit_test.",)):
        verdict += f" ({len(units)} of them unit tests)"
    if warned:
        verdict += f", {len(warned)} warned: " + ", ".join(warned)
    checkpoint(staging)
    request.say(verdict)
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


# How many failing rows of each failed data test a failed audit prints.
FAILING_ROWS_SHOWN = 5


def print_failing_rows(staging: Path, run: DbtRun, failed: list[str], quiet: bool) -> None:
    """On a failed audit, the first failing rows of each failed data test, its compiled SQL (from
    run_results.json) run again on the staging file before it goes. A test of many columns
    (column_rules) returns one row per broken rule, so this names the column and the rule
    (DECISIONLOG "Single-column checks of a table in one test"); a test of many row identities
    (row_rules) names the rule in each row, and the first rows of every broken rule are shown
    (DECISIONLOG "Row identities of a table in one test")."""
    if quiet or not staging.exists():
        return
    compiled = {r["unique_id"]: r.get("compiled_code") for r in run.results}
    with contextlib.suppress(duckdb.Error), duckdb.connect(str(staging), read_only=True) as con:
        for unique_id in failed:
            sql = compiled.get(unique_id)
            if not sql or not unique_id.startswith("test."):
                continue
            with contextlib.suppress(duckdb.Error):
                cursor = con.execute(f"select * from (\n{sql}\n) limit 0")
                rule = [c[0] for c in cursor.description if c[0] in ("column_name", "rule_name")]
                if "rule_name" in rule:
                    # The first rows of each broken rule (of each column), not only of the first.
                    by = ", ".join(rule)
                    first = f"row_number() over (partition by {by}) <= {FAILING_ROWS_SHOWN}"
                    query = f"select * from (\n{sql}\n) qualify {first} order by {by}"
                else:
                    query = f"select * from (\n{sql}\n) limit {FAILING_ROWS_SHOWN}"
                cursor = con.execute(query)
                names = [column[0] for column in cursor.description]
                for row in cursor.fetchall():
                    text = ", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True))
                    print(f"{unique_id.split('.')[2]} failing row: {text[:300]}", flush=True)


def print_rejection_summary(staging: Path, quiet: bool) -> None:
    """On a failed audit, the input rows and rejections of the staging file (as the summary of a
    good build prints them) and why the input fails (audit.input_quality), before the file goes."""
    if quiet or not staging.exists():
        return
    with contextlib.suppress(duckdb.Error):
        lines = summary.input_audit_lines(staging)
        verdict = marts.read(staging, "select message from audit.input_quality where not passes")
        print("\n".join(lines + [f"Input check failed: {row['message']}" for row in verdict]))


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
