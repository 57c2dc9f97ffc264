"""The file side of write-audit-publish: the build lock, staging files, publishing and the run log.

Next to the published warehouse `DIR/nrr.duckdb` a build uses:

    DIR/nrr.duckdb.lock             held while a build runs: JSON with the holder's pid, host, start
    DIR/nrr.duckdb.building         the file the build writes and audits (plus DuckDB's `.wal`)
    DIR/nrr.duckdb.failed           a failed build's file, kept only with `build --keep-failed`
    DIR/nrr.duckdb.runs.jsonl       the run log: one JSON line per run, appended

No dbt and no modelling here: nrr.py orchestrates, this module only moves files safely.

The lock is an advisory `flock` on the lock file. The kernel releases it when its holder dies,
however it dies (SIGKILL included), so a lock file left behind by a dead build is recognised as
stale by the fact that nobody holds it, never by guessing from a pid that may have been reused. The
pid in the file is there to name the holder in the refusal message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import socket
import struct
from pathlib import Path

# DuckDB's storage version numbers (the header's uint64 after the magic bytes "DUCK").
# 64 is the format of DuckDB 1.0 and 1.1, which every DuckDB 1.x and 2.x reads.
STORAGE_VERSION_V1_0 = 64


class LockedError(Exception):
    """Another live build holds the warehouse's lock."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def staging_path(warehouse: Path) -> Path:
    """The file a build writes, in the published file's folder (same file system, so publishing is
    a rename). The same name every run: only the lock holder writes it, and a stable path keeps the
    dbt profile unchanged between runs, so dbt can parse the project partially (DECISIONLOG)."""
    return warehouse.with_name(f"{warehouse.name}.building")


def failed_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".failed")


def run_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".runs.jsonl")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def now() -> str:
    """Local time with its UTC offset, to the second: the timestamps of the log and the lock."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class WarehouseLock:
    """The one-writer lock of a warehouse: `with WarehouseLock(path) as lock:`.

    Acquiring never waits: a second build is refused at once (LockedError). `notes` lists what was
    found and dealt with on the way in (a stale lock).
    """

    def __init__(self, warehouse: Path):
        self.path = lock_path(warehouse)
        self.fd: int | None = None
        self.notes: list[str] = []

    def acquire(self) -> WarehouseLock:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = describe_holder(read_lock_file(fd))
                os.close(fd)
                raise LockedError(
                    f"another build is running on this warehouse ({holder}; lock file "
                    f"{self.path}); refusing to start a second writer"
                ) from None
            except OSError as error:
                os.close(fd)
                raise OSError(f"cannot lock {self.path}: {error}") from error
            # The holder before us may have removed the file between our open and our flock:
            # then we hold a lock on a deleted file. Only a lock on the file at the path counts.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = read_lock_file(fd)
        if previous:
            self.notes.append(
                f"stale lock {self.path} taken over: the build that held it "
                f"({describe_holder(previous)}) is no longer running"
            )
        content = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": now()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, (content + "\n").encode(), 0)
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        # Unlink while still holding the lock, then close (which releases it): whoever opened the
        # old file meanwhile notices the path now names another file and retries.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> WarehouseLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def read_lock_file(fd: int) -> dict:
    """The holder recorded in a lock file ({} if empty or unreadable)."""
    try:
        text = os.pread(fd, 4096, 0).decode()
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {"unreadable": True}


def describe_holder(holder: dict) -> str:
    if not holder:
        return "holder not yet recorded"
    if holder.get("unreadable"):
        return "holder unreadable"
    text = f"pid {holder.get('pid')}"
    if holder.get("host") and holder.get("host") != socket.gethostname():
        text += f" on host {holder['host']}"
    return text + f", started {holder.get('started')}"


def remove_leftovers(warehouse: Path) -> list[str]:
    """Remove staging files of earlier builds that died. Call only while holding the lock: then no
    other build of this warehouse is running, so every staging file is a leftover."""
    notes = []
    # `.building*`: the file, its .wal and DuckDB's spill folder (and `.building-<pid>` files of
    # earlier versions of this harness).
    for leftover in sorted(warehouse.parent.glob(warehouse.name + ".building*")):
        if leftover.is_dir():  # DuckDB's spill folder (<file>.tmp) of a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        notes.append(f"removed {leftover.name}, left over by an interrupted build")
    return notes


def remove_database(database: Path) -> None:
    """A DuckDB file and its write-ahead log, if present."""
    database.unlink(missing_ok=True)
    wal_path(database).unlink(missing_ok=True)


def keep_failed(staging: Path, warehouse: Path) -> Path | None:
    """Keep a failed build's file for inspection as `<warehouse>.failed` (replacing older ones)."""
    if not staging.exists():
        return None
    target = failed_path(warehouse)
    remove_database(target)
    os.replace(staging, target)
    if wal_path(staging).exists():
        os.replace(wal_path(staging), wal_path(target))
    return target


def copy_published(warehouse: Path, staging: Path) -> None:
    """Copy the published warehouse to the staging file, for an incremental build to update.

    The published file is only read (a reader may have it open). A `.wal` beside it means someone
    wrote it in place: its content would be incomplete without that log, so refuse.
    """
    if wal_path(warehouse).exists():
        raise OSError(
            f"{wal_path(warehouse)} exists: some process writes to the published file in place; "
            "not copying it for an incremental build (build with --full-refresh, or see publish())"
        )
    shutil.copyfile(warehouse, staging)


def publish(staging: Path, warehouse: Path) -> None:
    """Atomically replace the published warehouse by the audited staging file.

    A rename within one folder: a reader that has the old file open keeps reading the old file; a
    reader that connects afterwards opens the new one; nobody ever sees a half-written file.
    """
    if wal_path(staging).exists():
        raise OSError(f"{wal_path(staging)} exists: the audited file was not checkpointed")
    if wal_path(warehouse).exists():
        # A write-ahead log belongs to the file it was written for; replayed against the new file
        # it would corrupt it. Its presence means someone writes the published file in place (or
        # did and crashed), which the one-writer rule excludes.
        raise OSError(
            f"{wal_path(warehouse)} exists: some process writes to the published file in place "
            "(or crashed while doing so); not publishing over it. Close that writer, or open the "
            "file once read-write with DuckDB so it replays and removes its log, then build again"
        )
    fsync_path(staging)
    os.replace(staging, warehouse)
    fsync_path(warehouse.parent)


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to disk, so a rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append_run_log(warehouse: Path, record: dict) -> Path:
    """Append one JSON line to the run log. One write of one short line in append mode, so lines of
    concurrent runs (a refused build logs too) never interleave."""
    path = run_log_path(warehouse)
    line = json.dumps(record, default=str) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    return path


def storage_version(database: Path) -> int:
    """The storage version number in a DuckDB file's header (64 = readable by DuckDB 1.0 on)."""
    with database.open("rb") as handle:
        magic, version = struct.unpack("<8x4sQ", handle.read(20))
    if magic != b"DUCK":
        raise ValueError(f"{database} is not a DuckDB database file")
    return version
