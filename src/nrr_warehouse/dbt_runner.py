"""Running dbt: one command on the project, its output as a person or a log wants it, and what
it did (its exit code and the node results of run_results.json).

No decisions here: build.py decides what to run and what the results mean.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nrr_warehouse.build_mode import WINDOW_ENV
from nrr_warehouse.project import PROJECT_DIR

# dbt result statuses that fail a run; "warn" (a warn-severity test) does not.
FAILED_STATUSES = {"error", "fail", "runtime error"}
# NRR_ variables that do not key a saved parse (parse_key): dbt tracks them per file that reads
# them while it parses, and re-parses only those files; the window is read by no parse at all.
UNKEYED_ENV = ("NRR_DATA_DIR", "NRR_BUILD_RECORD", WINDOW_ENV)


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
    profile attaches its file read-only (NRR_SOURCE_DATABASE). The profile opens `warehouse` by
    the path stable_path() gives it (NRR_WAREHOUSE)."""
    env = dict(os.environ)
    env.pop(WINDOW_ENV, None)  # an incremental run's window: build.write() passes it in extra_env
    env.update(extra_env or {})
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
    with stable_path(warehouse) as (profile_path, folder_fds):
        env["NRR_WAREHOUSE"] = profile_path
        saved_parse = keyed_parse_file(target, parse_key(args, env))
        before = saved_parse_version(target)
        if saved_parse.exists():
            command += ["--partial-parse-file-path", str(saved_parse)]
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            pass_fds=(*keep_fds, *folder_fds),
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
    if saved_parse_version(target) not in (before, None):
        keep_parse(target, saved_parse)
    return DbtRun(returncode, read_run_results(target, started), list(kept))


# dbt's saved parses kept per parse key, the newest first (DECISIONLOG "dbt keeps one saved parse
# per set of vars and connection"): enough for the suite's alternating options, ~2.3 MB each.
KEPT_PARSES = 12
PARSE_DIR = "partial_parse"


def parse_key(args: list[str], env: dict[str, str]) -> str:
    """What dbt compares before it reuses a saved parse, as far as the harness varies it: the
    --vars, the profile's target and path (NRR_WAREHOUSE: its file name is the database name) and
    the other NRR_ variables the profile and dbt_project.yml read. UNKEYED_ENV are left out:
    NRR_DATA_DIR and NRR_BUILD_RECORD because dbt tracks them per file that reads them and re-parses
    only those files, the window (WINDOW_ENV) because no file reads it while dbt parses. A key too
    coarse only costs a full parse (dbt checks the saved parse's hashes itself)."""
    options = {
        flag: args[i + 1]
        for i, flag in enumerate(args[:-1])
        if flag in ("--vars", "--target", "--profile")
    }
    if "--vars" in options:
        with contextlib.suppress(ValueError):
            options["--vars"] = json.dumps(json.loads(options["--vars"]), sort_keys=True)
    variables = {
        name: value
        for name, value in env.items()
        if name.startswith(("NRR_", "DBT_")) and name not in UNKEYED_ENV
    }
    text = json.dumps([options, sorted(variables.items())], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def keyed_parse_file(target: Path, key: str) -> Path:
    """Where the saved parse of `key` is kept in `target` (it may not exist yet)."""
    return target / PARSE_DIR / f"{key}.msgpack"


def saved_parse_version(target: Path) -> tuple[int, int] | None:
    """The (mtime_ns, size) of the parse dbt saves in `target`, None if there is none."""
    try:
        stat = (target / "partial_parse.msgpack").stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def keep_parse(target: Path, saved_parse: Path) -> None:
    """Keep the parse dbt has just saved (always as target/partial_parse.msgpack, whichever file
    it read) as `saved_parse`, replaced atomically, and drop all but the KEPT_PARSES newest. dbt
    saves none when nothing changed since the file it read. A failure to keep one only costs a
    later full parse."""
    written = target / "partial_parse.msgpack"
    with contextlib.suppress(OSError):
        saved_parse.parent.mkdir(exist_ok=True)
        partial = saved_parse.with_name(f"{saved_parse.name}.{os.getpid()}.tmp")
        shutil.copyfile(written, partial)
        os.replace(partial, saved_parse)
        kept = sorted(
            saved_parse.parent.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in kept[KEPT_PARSES:]:
            old.unlink(missing_ok=True)


# The descriptor under which dbt finds the warehouse's folder: a fixed number, so that the
# profile's path is one string for every folder (DECISIONLOG "dbt opens the warehouse through a
# fixed descriptor of its folder").
FOLDER_FD = 100


@contextlib.contextmanager
def stable_path(database: Path):
    """The path by which dbt's profile is to open `database`, and the descriptors dbt must
    inherit for it; they are closed here again once dbt has started.

    `/proc/self/fd/100/<file name>`: the file's folder open as descriptor 100, and the file's own
    name. dbt's partial parsing hashes the profile's connection keys, the path among them, so an
    absolute path makes a build into any new folder (each test's scratch warehouse) parse the
    whole project again; this path is the same string for every folder. DuckDB resolves it to the
    real file when it opens it, so the database name (the file name's first part), the
    write-ahead log and the spill folder (`<file>.tmp`) are the real file's, beside it. Where
    that does not hold (no /proc, descriptor 100 already taken, a folder it cannot open), dbt
    gets the absolute path: the same build, parsed in full.
    """
    folder = None
    if Path("/proc/self/fd").is_dir() and not descriptor_open(FOLDER_FD):
        with contextlib.suppress(OSError):
            folder = os.open(database.parent, os.O_RDONLY | os.O_DIRECTORY)
    if folder is None:
        yield str(database), ()
        return
    try:
        os.dup2(folder, FOLDER_FD, inheritable=False)
    finally:
        os.close(folder)
    try:
        yield f"/proc/self/fd/{FOLDER_FD}/{database.name}", (FOLDER_FD,)
    finally:
        os.close(FOLDER_FD)


def descriptor_open(fd: int) -> bool:
    """Whether `fd` is an open descriptor of this process."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


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
