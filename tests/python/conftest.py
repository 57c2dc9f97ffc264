"""Shared fixtures: the harness run as a user runs it, into scratch warehouses."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The demo seeds built once for the session; every dbt test passed or the fixture fails."""
    warehouse, process = build(tmp_path_factory.mktemp("demo"))
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return warehouse
