"""`nrr export`: every mart as a Parquet file, one complete set at a time.

An export folder OUT holds versions, each one complete set of files, and a link to the newest:

    OUT/current -> v-20260105T061530123456Z   a relative symlink, switched atomically (a rename)
    OUT/v-20260105T061530123456Z/             the newest complete export: <mart>.parquet per mart
                                              and export.json (the warehouse, the time, the rows)
    OUT/v-20260104T061529987654Z/             the one before, kept for readers still reading it
    OUT/.export.lock                          flock'ed while an export runs (one at a time)
    OUT/.v-<...>.partial/                     an export being written; left over if it was killed
    OUT/.v-<...>.pruned/                      an old version being deleted

The convention for readers: resolve `OUT/current` once (`realpath OUT/current`), then read the
files its export.json lists from the folder it names; if one is gone (pruned: two newer exports
have finished since), start again. A version folder is complete before `current` names it and is
never changed afterwards, so a reader never sees a mix of two exports, even while an export runs
or after one was killed. Each export removes what killed exports left (`.v-*.partial` folders,
versions newer than `current` that were never switched to) and prunes all but the current and the
previous version.

No dbt and no modelling here: `nrr export` calls write_export(); DuckDB writes the files, reading
the marts through marts.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from pathlib import Path

from nrr_warehouse import marts
from nrr_warehouse.errors import HarnessError, Locked
from nrr_warehouse.project import PROG
from nrr_warehouse.signals import deferred_signals

CURRENT = "current"
LOCK = ".export.lock"
MANIFEST = "export.json"
KEEP_VERSIONS = 2  # the current one and the one before it


class ExportLockedError(Locked):
    """Another export is writing the same folder."""


class ExportFolderError(HarnessError):
    """The folder holds something that is not an export of this harness where one must be."""


def version_dirs(out_dir: Path) -> list[Path]:
    """The complete version folders, oldest first (their names sort by time)."""
    return sorted(p for p in out_dir.glob("v-*") if p.is_dir() and not p.is_symlink())


def current_version(out_dir: Path) -> Path | None:
    """The version folder `current` names, None if there is none yet."""
    link = out_dir / CURRENT
    if not link.is_symlink():
        if link.exists():
            raise ExportFolderError(
                f"{link} exists but is not a symlink: {out_dir} is not an export folder of nrr "
                "(choose another --out)"
            )
        return None
    return out_dir / os.readlink(link)


def new_version_name(out_dir: Path) -> str:
    """v-<UTC time to the microsecond>, later than every version already there."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"v-{stamp}"
    existing = [p.name for p in version_dirs(out_dir)]
    if existing and name <= existing[-1]:  # the clock went back: still sort after the newest
        name = existing[-1] + "-1"
    return name


def remove_leftovers(out_dir: Path, marts: list[str], file_format: str) -> list[str]:
    """What killed exports left, removed under the export lock (so no export is running)."""
    notes = []
    for partial in sorted(out_dir.glob(".v-*.partial")) + sorted(out_dir.glob(".v-*.pruned")):
        shutil.rmtree(partial, ignore_errors=True)
        notes.append(f"removed {partial.name}, left over by an interrupted export")
    for link in out_dir.glob(f".{CURRENT}-*"):
        link.unlink(missing_ok=True)
    current = current_version(out_dir)
    for version in version_dirs(out_dir):
        if current is None or version.name > current.name:  # never switched to
            shutil.rmtree(version, ignore_errors=True)
            notes.append(f"removed {version.name}, written by an export killed before its switch")
    # The layout before versions: <mart>.parquet straight in OUT, and their `.partial-<pid>` files.
    for old in sorted(out_dir.glob(f".*.{file_format}.partial-*")):
        old.unlink(missing_ok=True)
        notes.append(f"removed {old.name}, left over by an interrupted export")
    for mart in marts:
        old = out_dir / f"{mart}.{file_format}"
        if old.is_file() and not old.is_symlink():
            old.unlink()
            notes.append(f"removed {old.name} of the old flat layout (read {CURRENT}/ instead)")
    return notes


def prune(out_dir: Path, current: Path) -> list[str]:
    """Keep the current version and the one before it; remove older ones."""
    older = [v for v in version_dirs(out_dir) if v.name < current.name]
    notes = []
    for version in older[: max(0, len(older) - (KEEP_VERSIONS - 1))]:
        # Renamed away first, so a reader never lists a half-deleted folder.
        hidden = version.with_name(f".{version.name}.pruned")
        os.rename(version, hidden)
        shutil.rmtree(hidden, ignore_errors=True)
        notes.append(f"pruned {version.name}")
    return notes


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def export_lock(out_dir: Path):
    """One export per folder at a time; refused at once (ExportLockedError), never waited for."""
    fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportLockedError(
                f"another export is writing {out_dir} (lock {out_dir / LOCK}); "
                "not starting a second"
            ) from None
        yield
    finally:
        os.close(fd)


def sql_text(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


def export(
    warehouse: Path, out_dir: Path, file_format: str = "parquet", switch=None
) -> tuple[Path, list[tuple[str, int]], list[str]]:
    """Every table and view of schema `marts` as one file in a new version folder of `out_dir`,
    then `current` switched to it. Returns (the version folder, (file, rows) per mart, notes).

    One read-only connection reads every mart, so a version is one consistent state of the
    warehouse even if a build publishes meanwhile. `switch`, if given, is a context manager the
    rename and the switch run inside (write_export defers SIGINT and SIGTERM there).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with export_lock(out_dir), marts.connect(warehouse) as con:
        names = marts.mart_names(con)
        if not names:
            raise ExportFolderError(f"{warehouse}: no table in schema marts")
        notes = remove_leftovers(out_dir, names, file_format)
        name = new_version_name(out_dir)
        partial = out_dir / f".{name}.partial"
        partial.mkdir()
        try:
            written = []
            for mart in names:
                target = partial / f"{mart}.{file_format}"
                con.execute(f"copy marts.\"{mart}\" to '{sql_text(target)}' (format {file_format})")
                rows = con.execute(f'select count(*) from marts."{mart}"').fetchone()[0]
                written.append((target.name, rows))
            manifest = {
                "warehouse": str(warehouse),
                "exported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "files": dict(written),
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            for file in partial.iterdir():
                with file.open("rb") as handle:
                    os.fsync(handle.fileno())
            fsync_dir(partial)
            version = out_dir / name
            with switch() if switch is not None else contextlib.nullcontext():
                os.rename(partial, version)
                link = out_dir / f".{CURRENT}-{os.getpid()}"
                link.unlink(missing_ok=True)
                link.symlink_to(name)
                os.replace(link, out_dir / CURRENT)
                fsync_dir(out_dir)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        notes += prune(out_dir, version)
    return version, written, notes


def write_export(
    warehouse: Path, out_dir: Path, file_format: str = "parquet"
) -> list[tuple[str, int]]:
    """`nrr export`: every mart of `warehouse` into a new version folder of `out_dir`, then
    `out_dir/current` switched to it (SIGINT and SIGTERM held off for the switch); returns (file,
    rows) per mart, printing what it cleaned up and where it wrote. HarnessError (ExportLockedError
    when another export writes the folder) in one line otherwise."""
    marts.check_readable(warehouse)
    version, written, notes = export(warehouse, out_dir, file_format, switch=deferred_signals)
    for note in notes:
        print(f"{PROG}: {note}")
    print(f"{PROG}: exported {warehouse} to {version}; {out_dir / CURRENT} names it")
    return written
