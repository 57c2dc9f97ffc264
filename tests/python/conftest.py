"""Shared fixtures: the harness run as a user runs it, into scratch warehouses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HARNESS = PROJECT_DIR / "scripts" / "nrr.py"
GENERATOR = PROJECT_DIR / "scripts" / "generate_demo_data.py"
EXAMPLES_DIR = PROJECT_DIR / "examples"
DBT = Path(sys.executable).parent / "dbt"


def run_harness(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python scripts/nrr.py ARGS` with this interpreter; output captured as text."""
    return subprocess.run(
        [sys.executable, str(HARNESS), *map(str, args)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


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
