"""The file side of write-audit-publish: the build lock, staging files, publishing and the run log.

Next to the published warehouse `DIR/nrr.duckdb` a build uses:

    DIR/nrr.duckdb.lock             held while a build runs: JSON with the holder's pid, host, start
    DIR/nrr.duckdb.building         the file the build writes and audits (plus DuckDB's `.wal`
                                    and its spill folder `.tmp`)
    DIR/nrr.duckdb.failed           a failed build's file, kept only with `build --keep-failed`
    DIR/nrr.duckdb.runs.jsonl       the run log: one JSON line per run, appended

No dbt and no modelling here: build.py orchestrates, this module only moves files safely.

The lock is an advisory `flock` on the lock file. The kernel releases it when its holder dies,
however it dies (SIGKILL included), so a lock file left behind by a dead build is recognised as
stale by the fact that nobody holds it, never by guessing from a pid that may have been reused. The
pid in the file is there to name the holder in the refusal message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import socket
import stat
import struct
from pathlib import Path

from nrr_warehouse.errors import Locked, WriterPresent

# DuckDB's storage version numbers (the header's uint64 after the magic bytes "DUCK").
# 64 is the format of DuckDB 1.0 and 1.1, which every DuckDB 1.x and 2.x reads.
STORAGE_VERSION_V1_0 = 64


class LockedError(Locked):
    """Another live build holds the warehouse's lock."""


class WriterPresentError(WriterPresent):
    """Another process has the published file open read-write (DuckDB's write lock on it)."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def staging_path(warehouse: Path) -> Path:
    """The file a build writes, in the published file's folder (same file system, so publishing is
    a rename). The same name every run: only the lock holder writes it, and a stable path keeps the
    dbt profile unchanged between runs, so dbt can parse the project partially (DECISIONLOG "The
    staging file has one fixed name")."""
    return warehouse.with_name(f"{warehouse.name}.building")


def failed_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".failed")


def run_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".runs.jsonl")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def spill_path(database: Path) -> Path:
    """DuckDB's spill folder for a database file: its `temp_directory` setting, which the profile
    leaves at DuckDB's default, `<file>.tmp` beside the file (test_faults.py checks that)."""
    return database.with_name(database.name + ".tmp")


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
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (content + "\n").encode(), 0)
            os.fsync(fd)
        except OSError as error:  # a full disk: give the lock up again, as if never taken
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            os.close(fd)
            raise OSError(
                error.errno, f"cannot write the build lock {self.path}: {error.strerror}"
            ) from None
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
    """A DuckDB file, its write-ahead log and its spill folder, if present."""
    database.unlink(missing_ok=True)
    wal_path(database).unlink(missing_ok=True)
    remove_spill(database)


def remove_spill(database: Path) -> None:
    """DuckDB's spill folder of a database file (a killed dbt leaves it behind, gigabytes maybe)."""
    shutil.rmtree(spill_path(database), ignore_errors=True)


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
    try:
        shutil.copyfile(warehouse, staging)
    except OSError as error:  # a full disk
        raise OSError(
            error.errno, f"cannot copy {warehouse} to {staging.name}: {error.strerror}"
        ) from None


F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)  # Linux; see readers_only()
FLOCK = "hhqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid


def writer_pid(database: Path) -> int | None:
    """The pid of a process that has `database` open read-write, None if none does.

    DuckDB takes an fcntl write lock on the whole file when it opens it read-write (a read lock
    when read-only). F_GETLK asks, without taking anything, which lock would conflict with a
    read lock: only a writer's. (-1 when the holder uses an open-file-description lock.)
    """
    try:
        fd = os.open(database, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(FLOCK, fcntl.F_RDLCK, 0, 0, 0, 0))
        kind, _, _, _, pid = struct.unpack(FLOCK, answer)
        return None if kind == fcntl.F_UNLCK else pid
    finally:
        os.close(fd)


def writer_message(database: Path, pid: int) -> str:
    holder = f"pid {pid}" if pid > 0 else "another process"
    return (
        f"{database} is open read-write by {holder} (DuckDB's write lock); not publishing over "
        "it: its write-ahead log would be replayed onto the new file. Open the warehouse "
        'read-only (see docs/operations.md "Reading the warehouse (BI tools)"), close that writer '
        "and build again"
    )


@contextlib.contextmanager
def readers_only(database: Path):
    """Hold a read lock on `database` so that no process can open it read-write meanwhile
    (DuckDB's read-write open takes a write lock, which a read lock blocks); read-only readers are
    not disturbed. WriterPresentError if a writer has it open now.

    An open-file-description lock (F_OFD_SETLK), not a classic POSIX one: closing any other
    descriptor of the file in this process (a DuckDB connection) does not release it.
    """
    try:
        fd = os.open(database, os.O_RDONLY)
    except FileNotFoundError:
        yield  # nothing published yet: no writer can hold it
        return
    try:
        try:
            fcntl.fcntl(fd, F_OFD_SETLK, struct.pack(FLOCK, fcntl.F_RDLCK, 0, 0, 0, 0))
        except (BlockingIOError, PermissionError):
            pid = writer_pid(database)
            raise WriterPresentError(writer_message(database, pid or -1)) from None
        yield
    finally:
        os.close(fd)


def match_access(staging: Path, warehouse: Path) -> None:
    """Give the staging file the published file's mode, owner and group, so publishing never
    widens (or narrows) who can read the warehouse: a 640 root:adm file stays 640 root:adm."""
    if not warehouse.exists():
        return
    published = os.stat(warehouse)
    current = os.stat(staging)
    if (current.st_uid, current.st_gid) != (published.st_uid, published.st_gid):
        try:
            os.chown(staging, published.st_uid, published.st_gid)
        except PermissionError as error:
            raise OSError(
                error.errno,
                f"cannot give the new file the owner and group of {warehouse} "
                f"(uid {published.st_uid}, gid {published.st_gid}): {error.strerror}; not "
                "publishing a file others could not read, or more could",
            ) from None
    os.chmod(staging, stat.S_IMODE(published.st_mode))


def publish(staging: Path, warehouse: Path) -> list[str]:
    """Atomically replace the published warehouse by the audited staging file; returns notes.

    A rename within one folder: a reader that has the old file open keeps reading the old file; a
    reader that connects afterwards opens the new one; nobody ever sees a half-written file. The
    new file gets the old one's mode, owner and group first.

    While a process has the published file open read-write, refuse (WriterPresentError): that
    writer's write-ahead log `nrr.duckdb.wal` would be replayed by every new reader onto the new
    file. With no writer (and none can start: a read lock is held until the rename is done), a
    `.wal` beside the published file is a stray log of a writer that crashed: it is removed before
    the rename, so no reader of the new file can ever replay it.
    """
    if wal_path(staging).exists():
        raise OSError(f"{wal_path(staging)} exists: the audited file was not checkpointed")
    notes = []
    with readers_only(warehouse):
        match_access(staging, warehouse)
        stray = wal_path(warehouse)
        if stray.exists():
            size = stray.stat().st_size
            stray.unlink()
            notes.append(
                f"removed {stray.name} ({size:,} bytes), the write-ahead log of a writer of the "
                "previous published file that did not close it; its changes were never audited"
            )
        fsync_path(staging)
        os.replace(staging, warehouse)
        fsync_path(warehouse.parent)
    return notes


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to disk, so a rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append_run_log(warehouse: Path, record: dict) -> Path:
    """Append one JSON line to the run log: the whole line or nothing.

    One `os.write` of the whole encoded line on an O_APPEND descriptor, so lines of concurrent runs
    (a refused build logs too) never interleave; under an flock, so that undoing a failed write
    cannot cut another run's line. On a short write or an error (a full disk), the file is
    truncated back to its size before the write and the OSError raised: the log never holds a
    broken line, and `read_json` keeps reading it whole. A log whose last line lacks its newline
    (a power cut mid-write) gets one first, so the new line stays a line of its own.
    """
    path = run_log_path(warehouse)
    line = (json.dumps(record, default=str) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        try:
            if size and last_byte(path, size) != b"\n":
                line = b"\n" + line
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, f"short write ({written} of {len(line)} bytes)")
        except OSError as error:
            os.ftruncate(fd, size)
            raise OSError(
                error.errno, f"cannot append to the run log {path}: {error.strerror}"
            ) from None
    finally:
        os.close(fd)  # releases the flock
    return path


def last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def storage_version(database: Path) -> int:
    """The storage version number in a DuckDB file's header (64 = readable by DuckDB 1.0 on)."""
    with database.open("rb") as handle:
        magic, version = struct.unpack("<8x4sQ", handle.read(20))
    if magic != b"DUCK":
        raise ValueError(f"{database} is not a DuckDB database file")
    return version
