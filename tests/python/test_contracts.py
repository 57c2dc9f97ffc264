"""The marts are the public interface, enforced: a model contract on every mart (column names,
data types and the primary key), and the descriptions stored in the warehouse for BI tools
(persist_docs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from conftest import DBT, PROJECT_DIR, rows, run_dbt

PACKAGE = "nrr_warehouse"


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> dict:
    """The mart models of the manifest of `dbt parse` (default target, DuckDB)."""
    target = tmp_path_factory.mktemp("contracts") / "target"
    env = {**os.environ, "NRR_WAREHOUSE": str(target / "unused.duckdb")}
    env.pop("NRR_DATA_DIR", None)
    process = run_dbt("parse", "--target-path", target, env=env)
    assert process.returncode == 0, process.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == PACKAGE
        and node["original_file_path"].startswith("models/marts/")
    }


def primary_key(node: dict) -> list[str]:
    return next(c["columns"] for c in node["constraints"] if c["type"] == "primary_key")


def test_every_mart_has_an_enforced_contract_and_a_primary_key(marts):
    assert len(marts) >= 10
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"], name
        untyped = [c for c, column in node["columns"].items() if not column.get("data_type")]
        assert untyped == [], name
        key = primary_key(node)
        assert key and set(key) <= set(node["columns"]), name


def test_built_marts_match_their_contracts(marts, demo_warehouse):
    """Column names, order and types of every built mart are its contract's."""
    for name, node in marts.items():
        built = rows(
            demo_warehouse,
            "select column_name, lower(data_type) from duckdb_columns()"
            " where schema_name = 'marts' and table_name = ? order by column_index",
            [name],
        )
        declared = [(c, column["data_type"]) for c, column in node["columns"].items()]
        assert built == declared, name


def test_primary_keys_are_in_the_warehouse(marts, demo_warehouse):
    """Tables carry their key as a DuckDB constraint; a view (fct_mrr_movements) cannot."""
    found = dict(
        rows(
            demo_warehouse,
            "select table_name, constraint_column_names from duckdb_constraints()"
            " where schema_name = 'marts' and constraint_type = 'PRIMARY KEY'",
        )
    )
    views = {v for (v,) in rows(demo_warehouse, "select view_name from duckdb_views()")}
    expected = {name: primary_key(node) for name, node in marts.items() if name not in views}
    assert found == expected
    assert "fct_mrr_movements" in views


def test_descriptions_are_stored_in_the_warehouse(marts, demo_warehouse):
    """persist_docs: every mart and audit relation and column has its description as a comment."""
    relations = rows(
        demo_warehouse,
        "select schema_name || '.' || table_name from duckdb_tables()"
        " where schema_name in ('marts', 'audit') and coalesce(comment, '') = ''"
        " union all select schema_name || '.' || view_name from duckdb_views()"
        " where schema_name in ('marts', 'audit') and coalesce(comment, '') = ''",
    )
    columns = rows(
        demo_warehouse,
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()"
        " where schema_name in ('marts', 'audit') and coalesce(comment, '') = ''",
    )
    assert relations == [] and columns == []
    # The comments are the docs' descriptions, doc blocks rendered.
    stored = rows(
        demo_warehouse,
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'",
    )
    differing = [
        f"{table}.{column}"
        for table, column, comment in stored
        if comment.strip() != marts[table]["columns"][column]["description"].strip()
    ]
    assert differing == []


def test_a_type_drift_fails_the_build(tmp_path, demo_warehouse):
    """The contract can fail: a mart column declared with another type stops its model."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv*", "target", "logs", "warehouse", ".git", "*.duckdb*"),
    )
    yaml_file = project / "models" / "marts" / "_marts__models.yml"
    text = yaml_file.read_text()
    block = text.index("  - name: mrr_bridge_monthly\n")
    drift = text.index("        data_type: bigint\n", block)  # active_customers
    yaml_file.write_text(text[:drift] + "        data_type: varchar\n" + text[drift + 26 :])
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    env = {**os.environ, "NRR_WAREHOUSE": str(warehouse)}
    env.pop("NRR_DATA_DIR", None)
    process = subprocess.run(
        [DBT, "run", "--select", "mrr_bridge_monthly", "--project-dir", str(project),
         "--profiles-dir", str(project)],
        cwd=project, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert process.returncode == 1, process.stdout[-3000:]
    assert "contract" in process.stdout.lower() and "active_customers" in process.stdout
