"""The DAG keeps dbt-project-evaluator's modeling rules, read from the manifest of `dbt parse`.

Written from the evaluator's documented definitions (docs/rules/modeling.md and the SQL of its
fct_* models), on the graph it builds: models, seeds, sources and snapshots, plus exposures and
metrics as children; data and unit tests are not part of it.

- Layer order: staging reads only sources and seeds, intermediate never reads a mart or an audit
  model, marts/benchmarks are marts on marts (they read marts and seeds only).
- Rejoining of upstream concepts (fct_rejoining_of_upstream_concepts): no parent P that is a direct
  parent of C and also reaches C through a direct child B of P whose only child is C.
- Too many joins (fct_too_many_joins, threshold 7): at most 6 direct parents.
- Model fanout (fct_model_fanout, threshold 3): no parent with 3 or more direct children that are
  models without children of their own ("leaf" models).
- No hidden refs: every model-to-model edge is a ref() in the model's own SQL, never only in a macro
  patched with a `-- depends_on` comment.

Both input routes are checked: their staging models read different parents.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict

import pytest
from conftest import run_dbt

PACKAGE = "nrr_warehouse"
GRAPH_TYPES = ("model", "seed", "source", "snapshot")
CHILD_ONLY_TYPES = ("exposure", "metric")
LAYERS = {"staging": 0, "intermediate": 1, "marts": 2, "audit": 2, "semantic": 2}
TOO_MANY_JOINS = 7
FANOUT = 3


@pytest.fixture(scope="module", params=["seeds", "sources"])
def graph(request, tmp_path_factory) -> dict:
    """parents and children of every graph node, from the manifest of one input route."""
    target = tmp_path_factory.mktemp(f"dag_{request.param}") / "target"
    env = {**os.environ, "NRR_WAREHOUSE": str(target / "unused.duckdb")}
    env.pop("NRR_DATA_DIR", None)
    env.pop("NRR_SOURCE_DATABASE", None)
    route = json.dumps({"nrr_input_route": request.param})
    process = run_dbt("parse", "--target-path", target, "--vars", route, env=env)
    assert process.returncode == 0, process.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return dag(manifest)


def dag(manifest: dict) -> dict:
    nodes = {**manifest["nodes"], **manifest["sources"]}
    nodes = {uid: node for uid, node in nodes.items() if node["resource_type"] in GRAPH_TYPES}
    parents = {
        uid: sorted({p for p in node.get("depends_on", {}).get("nodes", []) if p in nodes})
        for uid, node in nodes.items()
    }
    children: dict[str, set[str]] = defaultdict(set)
    for child, ps in parents.items():
        for parent in ps:
            children[parent].add(child)
    # Exposures and metrics are children too (a model they read is not a leaf), never parents.
    consumers: dict[str, set[str]] = defaultdict(set)
    for kind in ("exposures", "metrics"):
        for uid, item in manifest[kind].items():
            for parent in item.get("depends_on", {}).get("nodes", []):
                consumers[parent].add(uid)
    return {"nodes": nodes, "parents": parents, "children": children, "consumers": consumers}


def name(uid: str) -> str:
    return uid.split(".")[-1]


def layer(node: dict) -> str:
    """The folder under models/ ('staging', 'intermediate', ...), or the resource type."""
    if node["resource_type"] != "model":
        return node["resource_type"]
    return node["original_file_path"].split("/")[1]


def models(graph: dict) -> dict:
    return {
        uid: node
        for uid, node in graph["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == PACKAGE
    }


def rejoins(parents: dict, children: dict) -> list[str]:
    """fct_rejoining_of_upstream_concepts: P -> B -> C and P -> C, where C is B's only child."""
    found = []
    for child, ps in parents.items():
        for between in ps:
            if len(children[between]) != 1:
                continue
            for parent in parents.get(between, []):
                if parent in ps:
                    found.append(f"{name(parent)} -> {name(between)} -> {name(child)}")
    return sorted(found)


def fanouts(graph: dict) -> list[str]:
    """fct_model_fanout: parents with FANOUT or more direct children that are leaf models."""
    leaves = {
        uid
        for uid, node in graph["nodes"].items()
        if node["resource_type"] == "model"
        and not graph["children"][uid]
        and not graph["consumers"][uid]
    }
    found = []
    for parent, kids in sorted(graph["children"].items()):
        leaf_kids = sorted(name(kid) for kid in kids if kid in leaves)
        if len(leaf_kids) >= FANOUT:
            found.append(f"{name(parent)}: {', '.join(leaf_kids)}")
    return found


def test_the_rules_catch_what_they_describe():
    """The rule functions on a planted graph: each finds its case, and nothing else."""
    parents = {
        "model.p.stg": ["source.p.s"],
        "model.p.int_once": ["model.p.stg"],
        "model.p.int_shared": ["model.p.stg"],
        "model.p.mart_a": ["model.p.stg", "model.p.int_once"],
        "model.p.mart_b": ["model.p.stg", "model.p.int_shared"],
        "model.p.mart_c": ["model.p.int_shared"],
        "model.p.mart_d": ["model.p.int_shared"],
        "source.p.s": [],
    }
    children: dict[str, set[str]] = defaultdict(set)
    for child, ps in parents.items():
        for parent in ps:
            children[parent].add(child)
    # int_shared has three children, so mart_b's loop through it is not a rejoin; int_once's is.
    assert rejoins(parents, children) == ["stg -> int_once -> mart_a"]

    nodes = {uid: {"resource_type": uid.split(".")[0]} for uid in parents}
    graph = {
        "nodes": nodes,
        "parents": parents,
        "children": children,
        "consumers": defaultdict(set),
    }
    assert fanouts(graph) == ["int_shared: mart_b, mart_c, mart_d"]
    graph["consumers"]["model.p.mart_d"] = {"exposure.p.report"}
    assert fanouts(graph) == []


def test_no_edge_up_a_layer(graph):
    wrong = []
    for uid, node in models(graph).items():
        here = layer(node)
        for parent in graph["parents"][uid]:
            there = layer(graph["nodes"][parent])
            if here == "staging":
                ok = there in ("source", "seed")
            elif node["original_file_path"].startswith("models/marts/benchmarks/"):
                ok = there in ("marts", "seed")
            else:
                ok = there in ("source", "seed") or LAYERS[there] <= LAYERS[here]
                ok = ok and not (here == "intermediate" and there in ("marts", "audit"))
            if not ok:
                wrong.append(f"{here}/{name(uid)} reads {there}/{name(parent)}")
    assert wrong == []


def test_no_rejoining_of_upstream_concepts(graph):
    assert rejoins(graph["parents"], graph["children"]) == []


def test_no_model_has_too_many_parents(graph):
    crowded = {
        name(uid): len(graph["parents"][uid])
        for uid in models(graph)
        if len(graph["parents"][uid]) >= TOO_MANY_JOINS
    }
    assert crowded == {}


def test_no_model_fanout(graph):
    assert fanouts(graph) == []


def test_every_model_edge_is_a_ref_in_the_models_own_sql(graph):
    hidden = []
    for uid, node in models(graph).items():
        code = node["raw_code"]
        if re.search(r"--\s*depends_on", code):
            hidden.append(f"{name(uid)}: -- depends_on")
        own = set(re.findall(r"""ref\(\s*['"]([a-z0-9_]+)['"]\s*\)""", code))
        for parent in graph["parents"][uid]:
            if parent.startswith("model.") and name(parent) not in own:
                hidden.append(f"{name(uid)} -> {name(parent)}")
    assert hidden == []
