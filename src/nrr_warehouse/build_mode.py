"""Which mode a harness build runs in (issue 19): incremental only when it can be right.

An incremental build keeps every month before its look-back window as the published warehouse has
it. That is right only if those months would come out the same from the current inputs: the same
input route and location, the same vars, the same project and engine, and no input row dated
before the window changed. This module decides, before the build, from two things the published
warehouse keeps (both dbt models):

- `audit.build_record`: what it was built from, one row per fact (group, key, JSON value). The
  harness computes the current facts (`current_record`) and passes them to dbt in NRR_BUILD_RECORD,
  so the record of this build is written by the build itself.
- `audit.input_fingerprints`: per input table and month bucket (start month, end month), the row
  count and the sums of two row hashes, as the last build read the inputs. The view
  `intermediate.int_input_months_fingerprinted` in the same file computes the same rows from the
  inputs as they are now (the staging views read the current files), so the comparison needs no
  dbt run and no reader of its own: whatever staging reads is fingerprinted.

No dbt here and no modelling: build.py calls `choose()` under the build lock and runs the mode it
returns. Reasons are one line each; build.py prints them and puts them in the run log
(`mode_reason`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import duckdb
import yaml

# What the project's version hash covers: everything that decides what a build computes. Tests and
# docs are left out (they decide whether it publishes, not what the marts hold).
PROJECT_PARTS = ["dbt_project.yml", "macros", "models", "seeds"]
# Vars whose change an incremental run handles itself: the window follows the as-of month, and any
# look-back length recomputes a window from the kept months. Every other var counts.
# `incremental_window_start` is the window itself (WINDOW_VAR), which plain dbt may pass as a var;
# the harness passes it to an incremental run in the environment variable WINDOW_ENV instead, so
# that a new window each month costs no full parse (DECISIONLOG "The harness passes the look-back
# window to dbt").
WINDOW_VAR = "incremental_window_start"
WINDOW_ENV = "NRR_INCREMENTAL_WINDOW_START"
WINDOW_VARS = {"as_of_month", "incremental_lookback_months", WINDOW_VAR}
# The input files a data folder may hold (the file route reads <table>.csv or <table>.parquet).
INPUT_SUFFIXES = {".csv", ".parquet"}

RECORD = "audit.build_record"
STORED_FINGERPRINTS = "audit.input_fingerprints"
LIVE_FINGERPRINTS = "intermediate.int_input_months_fingerprinted"


@dataclass
class Mode:
    """The chosen mode and why, in one line; `same_record`: the published build's record equals
    this build's, so its seed tables are this build's seeds (the project hash covers the seed files,
    their YAML, dbt_project.yml and the macros that load them); `window`: the first month an
    incremental run rewrites, when known (every input row dated before it was compared)."""

    incremental: bool
    reason: str
    same_record: bool = False
    window: date | None = None

    def window_vars(self) -> dict:
        """The window of an incremental run, {WINDOW_VAR: 'YYYY-MM-01'} (empty on a full refresh,
        or when the window is unknown: the models then compute it themselves and every test runs
        whole). build.write() passes it to dbt as `window_env()` gives it."""
        if not self.incremental or self.window is None:
            return {}
        return {WINDOW_VAR: f"{self.window:%Y-%m-%d}"}

    @property
    def name(self) -> str:
        return "incremental" if self.incremental else "full"


def window_env(window_vars: dict) -> dict[str, str]:
    """The environment variable that tells dbt the window of `Mode.window_vars()` (empty when it
    is empty). Not a --vars entry: dbt re-parses the whole project when --vars differ from its
    saved parse, and the window changes every month; the macros read the variable only when they
    compile a node, so a saved parse does not depend on it (macros/incremental_tests.sql)."""
    if WINDOW_VAR not in window_vars:
        return {}
    return {WINDOW_ENV: str(window_vars[WINDOW_VAR])}


def current_record(project_dir: Path, data_dir: Path | None, cli_vars: dict, source=None) -> dict:
    """The facts a build is made from: {group: {key: value}}. A new input route adds its facts to
    `route`, a new harness option its var to `cli_vars`: one more key, compared like the others.
    `source` is the harness's SourceTables (database file and schema) on the source-table route."""
    if source is not None:
        route = {
            "route": "sources",
            "source_database": str(Path(source.database).resolve()),
            "source_schema": source.schema,
        }
    elif data_dir is None:
        route = {"route": "seeds"}
    else:
        route = {
            "route": "files",
            "data_dir": str(data_dir.resolve()),
            "input_files": sorted(
                p.name for p in data_dir.iterdir() if p.suffix.lower() in INPUT_SUFFIXES
            ),
        }
    names = sorted(set(project_vars(project_dir)) | set(cli_vars))
    return {
        "build": {"built_by": "nrr build"},
        "route": route,
        # Names only: dbt records the value it resolved (models/audit/build_record.sql). The
        # harness's own expectation of each value is `expected_vars`.
        "vars": dict.fromkeys(names),
        "project": {
            "version": str(project_config(project_dir).get("version")),
            "hash": project_hash(project_dir),
        },
        "engine": {"dbt-core": metadata.version("dbt-core"), "duckdb": duckdb.__version__},
    }


def project_config(project_dir: Path) -> dict:
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()) or {}


def project_vars(project_dir: Path) -> dict:
    """The vars of dbt_project.yml with their defaults."""
    return dict(project_config(project_dir).get("vars") or {})


def expected_vars(project_dir: Path, cli_vars: dict) -> dict:
    """The value dbt will resolve for each var: the default unless the command line sets it."""
    return {**project_vars(project_dir), **cli_vars}


def project_hash(project_dir: Path) -> str:
    """sha256 over the path and content of every file of PROJECT_PARTS (sorted, so stable)."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = project_dir / part
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def published_record(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The build record of the published warehouse ({group: {key: value}}), None if it has none."""
    try:
        found = con.execute(
            f"select record_group, record_key, record_value from {RECORD}"
        ).fetchall()
    except duckdb.Error:
        return None
    record: dict = {}
    for group, key, value in found:
        record.setdefault(group, {})[key] = json.loads(value)
    return record


def record_changes(stored: dict, current: dict, expected: dict) -> list[str]:
    """What differs between the published build's record and this build's, as 'group.key: old ->
    new' texts (vars compared by the value dbt will resolve; WINDOW_VARS left out)."""
    changes = []
    for group in sorted(set(stored) | set(current)):
        now = dict(current.get(group, {}))
        if group == "vars":
            now = {name: expected.get(name) for name in now}
        before = stored.get(group, {})
        for key in sorted(set(before) | set(now)):
            if group == "vars" and key in WINDOW_VARS:
                continue
            old, new = before.get(key, "(none)"), now.get(key, "(none)")
            if old != new:
                changes.append(f"{group}.{key}: {short(old)} -> {short(new)}")
    return changes


def short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 200 else text[:197] + "..."


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def window_bound(
    con: duckdb.DuckDBPyConnection, as_of: str | None, lookback: int
) -> tuple[date, date] | None:
    """(latest possible first month of this run's look-back window, last month built), or None when
    the published warehouse has no month.

    The run recomputes from min(as-of - lookback, last month built + 1). The as-of month is --as-of,
    or the data's: at most the latest start or end month of any input row (the data's as-of is that
    over the valid rows, and a clamp to the run date can only lower it). So the window starts no
    later than the bound, and every input row dated before the bound must be unchanged.
    """
    built = con.execute("select max(month) from marts.mrr_bridge_monthly").fetchone()[0]
    if built is None:
        return None
    if as_of:
        latest = date.fromisoformat(as_of + "-01")
    else:
        latest = (
            con.execute(
                f"""
            select max(greatest(start_month, coalesce(end_month, start_month)))
            from {LIVE_FINGERPRINTS}
            where source_table = 'subscriptions'
            """
            ).fetchone()[0]
            or built
        )
    return min(add_months(latest, -lookback), add_months(built, 1)), built


# The fingerprints before the window, of the stored (last build) and the live (inputs now) side.
# A row in force at the window's start is compared without its end date (an end moved within the
# window changes no month before it); a row that ended before the window, an unparseable end, and
# undated rows (fx rates) are compared whole. Rows starting in the window are not compared.
BEFORE_WINDOW = """
with

fingerprints as (
    select 'stored' as side, * from {stored}
    union all
    select 'live' as side, * from {live}
),

in_force_at_window as (
    select
        *,
        start_month is not null and (open_end or end_month >= $window) as runs_into_window
    from fingerprints
    where start_month is null or start_month < $window
),

before_window as (
    select
        side,
        source_table,
        start_month,
        case when runs_into_window then 'in force at the window' else bucket end as bucket,
        sum(row_count) as row_count,
        sum(case when runs_into_window then row_hash_without_end_sum else row_hash_sum end)
            as row_hash_sum
    from in_force_at_window
    group by all
),

differing as (
    (select * exclude (side) from before_window where side = 'stored'
     except
     select * exclude (side) from before_window where side = 'live')
    union
    (select * exclude (side) from before_window where side = 'live'
     except
     select * exclude (side) from before_window where side = 'stored')
)

select source_table, min(start_month), count(distinct bucket)
from differing
group by source_table
order by min(start_month) nulls first, source_table
"""


def backdated_changes(con: duckdb.DuckDBPyConnection, window: date) -> list[str]:
    """The input tables with a row dated before `window` that changed since the last build, each as
    'subscriptions rows from 2023-04' (or 'fx_rates rows' for undated tables)."""
    found = con.execute(
        BEFORE_WINDOW.format(stored=STORED_FINGERPRINTS, live=LIVE_FINGERPRINTS),
        {"window": window},
    ).fetchall()
    return [
        f"{table} rows" + (f" from {first:%Y-%m}" if first is not None else " (undated)")
        for table, first, _ in found
    ]


def choose(
    warehouse: Path,
    record: dict,
    expected: dict,
    as_of: str | None,
    full_refresh: bool = False,
    force_incremental: bool = False,
) -> Mode:
    """The mode of this build. `--full-refresh` and `--incremental` (the old behaviour: incremental
    whenever a published warehouse exists, the audit as the only guard) decide alone; otherwise a
    build is incremental only when nothing it would keep can have changed."""
    if full_refresh:
        return Mode(False, "--full-refresh")
    if not warehouse.exists():
        return Mode(False, "first build: no published warehouse yet")
    why_not, window, same = reason_against_incremental(warehouse, record, expected, as_of)
    if force_incremental:
        if why_not is None:
            return Mode(True, "--incremental", same, window)
        reason = f"--incremental, although a full refresh is due ({why_not})"
        return Mode(True, reason, same, window)
    if why_not is not None:
        return Mode(False, why_not, same)
    return Mode(
        True,
        "same inputs and configuration as the published build, no input row dated before "
        f"{window:%Y-%m} changed",
        same,
        window,
    )


def reason_against_incremental(
    warehouse: Path, record: dict, expected: dict, as_of: str | None
) -> tuple[str | None, date | None, bool]:
    """Why an incremental build of `warehouse` could be wrong (None when it cannot be), the
    latest first month of its look-back window (the rows before it were compared), and whether
    the published build's record equals this build's (Mode.same_record)."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        return f"the published warehouse cannot be read ({first_line(error)})", None, False
    with con:
        stored = published_record(con)
        if stored is None:
            return "the published warehouse has no build record (audit.build_record)", None, False
        changes = record_changes(stored, record, expected)
        if changes:
            reason = "built from other inputs or configuration: " + "; ".join(changes)
            return reason, None, False
        if record.get("route", {}).get("route") == "sources":
            # Staging is stored on this route (the attached file is gone after the build), so the
            # published file's fingerprint view reads the last build's rows, not the inputs now
            # (DECISIONLOG "Build mode on the source-table route").
            reason = (
                "source-table route: input rows before the look-back window cannot be compared "
                "before the build (use --incremental to keep the months before it)"
            )
            return reason, None, True
        lookback = int(expected.get("incremental_lookback_months") or 0)
        try:
            bound = window_bound(con, as_of, lookback)
            if bound is None:
                return "the published warehouse has no month built", None, True
            window, _ = bound
            changed = backdated_changes(con, window)
        except duckdb.Error as error:
            reason = (
                "the current inputs cannot be compared with the published build's "
                f"({first_line(error)})"
            )
            return reason, None, True
        if changed:
            reason = (
                f"input changed before the look-back window (which starts {window:%Y-%m} at the "
                "latest): " + ", ".join(changed)
            )
            return reason, window, True
    return None, window, True


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else repr(error)
