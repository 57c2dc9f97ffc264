"""Where things are: the dbt project the harness runs, its examples and the default warehouse.

The package is installed editable from its checkout (`make install`: `pip install -e .`), so the
project is the checkout this file is in: src/nrr_warehouse/ -> the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

PROG = "nrr"  # the console script; every message of the harness starts with "nrr: "
PROJECT_DIR = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = PROJECT_DIR / "examples"
# The profile's own default (profiles.yml): the warehouse when neither --warehouse nor
# NRR_WAREHOUSE says otherwise.
DEFAULT_WAREHOUSE = "warehouse/nrr.duckdb"


def warehouse_path(warehouse: str | None) -> Path:
    """The DuckDB file a command uses: --warehouse, else NRR_WAREHOUSE, else the profile default
    (a relative path is relative to the project, as the profile's is)."""
    chosen = warehouse or os.environ.get("NRR_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(chosen)
    return path if path.is_absolute() else (PROJECT_DIR / path).resolve()
