"""Shared fixtures: the harness run as a user runs it, into scratch warehouses."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The console script of the installed package (nrr_warehouse), beside this interpreter.
HARNESS = Path(sys.executable).parent / "nrr"
# The package of this checkout first, in every subprocess too (pyproject's pytest `pythonpath` puts
# it first here): a venv shared by several checkouts has an editable install of only one of them.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(PROJECT_DIR / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
GENERATOR = PROJECT_DIR / "tools" / "generate_demo_data.py"
EXAMPLES_DIR = PROJECT_DIR / "examples"
DBT = Path(sys.executable).parent / "dbt"


def run_harness(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`nrr ARGS`, the console script of this interpreter's venv; output captured as text."""
    return subprocess.run(
        [str(HARNESS), *map(str, args)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def harness_of(project: Path) -> tuple[list[str], dict]:
    """The harness of a copy of the project, as (command, environment): the copy's own package
    (its src/ first on the path) run with this interpreter, so it builds the copy's dbt project."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return [sys.executable, "-m", "nrr_warehouse"], env


def load_tool(name: str) -> ModuleType:
    """A developer tool of tools/ (not part of the package), imported from its file."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_dbt(*args: str | Path, env: dict) -> subprocess.CompletedProcess:
    """`dbt ARGS` on this project with its profiles.yml; output captured as text."""
    return subprocess.run(
        [
            DBT,
            *map(str, args),
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def build(
    tmp: Path, *extra: str | Path, data_dir: Path | None = None
) -> tuple[Path, subprocess.CompletedProcess]:
    """Build into tmp/warehouse.duckdb with its own dbt target dir; returns (warehouse, process)."""
    warehouse = tmp / "warehouse.duckdb"
    args: list[str | Path] = ["build", "--warehouse", warehouse, *extra]
    if data_dir is not None:
        args += ["--data-dir", data_dir]
    return warehouse, run_harness(*args)


def rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query against a built warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# The suite's one run of dbt's unit tests: the session's demo build. Every other build of the
# suite runs seeds, models and data tests only, as `nrr build` does (docs/testing.md).
UNIT_TEST_BUILD = ("--unit-tests",)


@pytest.fixture(scope="session")
def demo_warehouse(shared_build) -> Path:
    """The demo seeds built once for the session, with every dbt unit test too (UNIT_TEST_BUILD);
    every dbt data and unit test passed or the fixture fails."""
    warehouse, process = shared_build(*UNIT_TEST_BUILD)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory):
    """`build` for tests that only read what it built: the first call of each (options, data
    folder) builds, later calls return the same (warehouse, process). Never write to one: copy it
    (shutil.copyfile) first. At the end of the session every shared warehouse must still be the
    file its build published, byte for byte, or the session errors naming it (docs/testing.md)."""
    built: dict[tuple, tuple[Path, subprocess.CompletedProcess]] = {}
    digests: dict[Path, str] = {}

    def shared(
        *extra: str | Path, data_dir: Path | None = None
    ) -> tuple[Path, subprocess.CompletedProcess]:
        key = (tuple(map(str, extra)), None if data_dir is None else str(Path(data_dir).resolve()))
        if key not in built:
            warehouse, process = build(tmp_path_factory.mktemp("shared"), *extra, data_dir=data_dir)
            built[key] = warehouse, process
            if warehouse.exists():
                digests[warehouse] = sha256_of(warehouse)
        return built[key]

    yield shared
    changed = [str(w) for w, digest in digests.items() if sha256_of(w) != digest]
    assert not changed, f"a test wrote to a shared warehouse (copy it first): {changed}"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The build inventory (docs/testing.md): every build the suite starts, counted per test, by
# watching the processes this pytest process starts. A harness `build` counts once (also when it
# stops before any model), `check-examples` once per example it builds, the benchmark twice per
# size (a full and an incremental build), and a dbt command by name.
HARNESS_NAMES = {"nrr.py", "nrr", "nrr_warehouse", "nrr_warehouse.cli"}  # script, command, -m
EXAMPLES_PER_CHECK = len([p for p in EXAMPLES_DIR.iterdir() if p.is_dir()])
started: dict[str, list[str]] = {}
running_test = ["(collection)"]


def started_kind(args) -> str | None:
    """What a started process is, for the inventory: 'build', 'check-examples', 'dbt <command>'."""
    if not isinstance(args, list | tuple):
        return None
    argv = [str(arg) for arg in args]
    names = [Path(arg).name for arg in argv]
    if names and names[0] == "dbt" and len(argv) > 1:
        return f"dbt {argv[1]}"
    for index, name in enumerate(names[:-1]):
        if name in HARNESS_NAMES and argv[index + 1] in {"build", "check-examples"}:
            return argv[index + 1]
        if name == "bench.py" and "--sizes" in argv:
            sizes = argv[argv.index("--sizes") + 1].split(",")
            return f"bench.py of {len(sizes)} size(s)"
    return None


def pytest_addoption(parser):
    parser.addoption(
        "--build-inventory",
        action="store_true",
        help="print, per test, the builds and dbt commands it started (docs/testing.md)",
    )


def pytest_configure(config):
    real_init = subprocess.Popen.__init__

    def counting_init(self, *rest, **options):
        if (kind := started_kind(rest[0] if rest else options.get("args"))) is not None:
            started.setdefault(running_test[0], []).append(kind)
        real_init(self, *rest, **options)

    subprocess.Popen.__init__ = counting_init


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    running_test[0] = item.nodeid
    try:
        return (yield)
    finally:
        running_test[0] = "(teardown)"


def pytest_terminal_summary(terminalreporter, config):
    def builds(kinds: list[str]) -> int:
        def count(kind: str) -> int:
            if kind == "check-examples":
                return EXAMPLES_PER_CHECK
            if kind.startswith("bench.py of "):
                return 2 * int(kind.split()[2])
            return int(kind in {"build", "dbt build"})

        return sum(map(count, kinds))

    every = [kind for kinds in started.values() for kind in kinds]
    if config.getoption("build_inventory"):
        terminalreporter.section("build inventory")
        for test, kinds in started.items():
            counts = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))
            terminalreporter.line(f"{builds(kinds):3d}  {test}: {counts}")
    by_kind = ", ".join(f"{every.count(k)} {k}" for k in sorted(set(every)))
    terminalreporter.line(
        f"builds started: {builds(every)} in {sum(1 for k in started.values() if builds(k))} "
        f"tests ({by_kind or 'none'})"
    )
