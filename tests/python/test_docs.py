"""The dbt docs are complete: every model, mart column, seed, macro and metric has a description."""

from __future__ import annotations

import json
import os

import pytest
from conftest import rows, run_dbt

PACKAGE = "nrr_warehouse"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """manifest.json of `dbt parse` into a scratch target dir (the docs site is built from it)."""
    target = tmp_path_factory.mktemp("docs") / "target"
    env = {**os.environ, "NRR_WAREHOUSE": str(target / "unused.duckdb")}
    env.pop("NRR_DATA_DIR", None)
    process = run_dbt("parse", "--target-path", target, env=env)
    assert process.returncode == 0, process.stdout[-3000:]
    return json.loads((target / "manifest.json").read_text())


def described(node: dict) -> bool:
    return bool((node.get("description") or "").strip())


def test_every_model_mart_column_seed_macro_and_metric_is_described(manifest, demo_warehouse):
    ours = [n for n in manifest["nodes"].values() if n["package_name"] == PACKAGE]
    missing = [n["unique_id"] for n in ours if n["resource_type"] in ("model", "seed")]
    missing = [uid for uid in missing if not described(manifest["nodes"][uid])]

    # Every column the mart tables really have (not only those the YAML lists) is described.
    marts = {
        n["name"]: n
        for n in ours
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")
    }
    built = rows(
        demo_warehouse,
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts' order by table_name, ordinal_position",
    )
    assert {table for table, _ in built} == set(marts)
    for table, column in built:
        if not described(marts[table]["columns"].get(column, {})):
            missing.append(f"marts.{table}.{column}")

    for kind in ("macros", "metrics", "semantic_models"):
        missing += [
            item["unique_id"]
            for item in manifest[kind].values()
            if item["package_name"] == PACKAGE and not described(item)
        ]
    assert missing == [], "no description: " + ", ".join(missing)


def test_macro_arguments_are_described(manifest):
    missing = []
    for macro in manifest["macros"].values():
        if macro["package_name"] != PACKAGE:
            continue
        documented = {argument["name"] for argument in macro["arguments"]}
        for argument in macro["arguments"]:
            if not described(argument):
                missing.append(f"{macro['name']}({argument['name']})")
        # Every parameter of the macro's signature is documented (dbt records none of them itself).
        signature = macro["macro_sql"].split("(", 1)[1].split(")", 1)[0]
        names = {part.split("=")[0].strip() for part in signature.split(",") if part.strip()}
        missing += [f"{macro['name']}({name}) undocumented" for name in names - documented]
    assert missing == [], missing
