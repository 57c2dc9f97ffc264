"""dbt's unit tests run once per `make test`, in the session's demo build (conftest UNIT_TEST_BUILD,
`nrr build --unit-tests`), and in no scheduled build; a failing one fails that build's audit, so
the suite goes red (DECISIONLOG "Scheduled builds skip unit tests and unchanged seeds")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES_DIR, PROJECT_DIR, UNIT_TEST_BUILD, harness_of

from nrr_warehouse.build import BuildRequest, audit, write
from nrr_warehouse.dbt_runner import DbtRun
from nrr_warehouse.errors import HarnessError

# dbt's line for a finished unit test: "12 of 281 PASS saas_metrics_monthly::test_x [PASS]".
UNIT_TEST_LINE = re.compile(r"\d+ of \d+ (?:PASS|FAIL|ERROR) (\S+::\S+)")
# The unit test the broken copy below gets wrong (any one not tied to an input route will do).
BROKEN = "saas_metrics_monthly::test_saas_metrics_rates_and_null_denominators"


def defined_unit_tests() -> set[str]:
    """Every unit test of the project's `_<folder>__unit_tests.yml` files, as model::name."""
    names = set()
    for path in sorted((PROJECT_DIR / "models").rglob("_*__unit_tests.yml")):
        for test in yaml.safe_load(path.read_text())["unit_tests"]:
            names.add(f"{test['model']}::{test['name']}")
    return names


def ran_unit_tests(stdout: str) -> set[str]:
    return set(UNIT_TEST_LINE.findall(stdout))


def test_the_demo_build_runs_every_unit_test(demo_warehouse, shared_build):
    _, process = shared_build(*UNIT_TEST_BUILD)  # the demo_warehouse fixture's build
    defined = defined_unit_tests()
    assert len(defined) >= 40
    # A unit test the demo build does not run (one enabled only on another route or input shape)
    # must get its own `--unit-tests` build in the suite, or it would never run.
    assert ran_unit_tests(process.stdout) == defined
    assert re.search(
        rf"nrr: audit passed: \d+ tests .* \({len(defined)} of them unit tests\)", process.stdout
    )


def test_a_scheduled_build_runs_no_unit_test(shared_build):
    _, process = shared_build(data_dir=EXAMPLES_DIR / "nrr_105")
    assert process.returncode == 0, process.stdout[-3000:]
    assert ran_unit_tests(process.stdout) == set()
    assert "START unit_test" not in process.stdout
    (verdict,) = re.findall(r"nrr: audit passed: .*", process.stdout)
    assert "unit tests" not in verdict


def test_a_failing_unit_test_fails_the_audit_and_publishes_nothing(tmp_path):
    project = tmp_path / "nrr"
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv*", "target", "logs", "warehouse", ".git", "*.duckdb*"),
    )
    # A wrong expectation: the first month's ARPA is 100,000 / 4 customers = 25,000, not 25,001.
    unit_tests = project / "models" / "intermediate" / "metrics" / "_metrics__unit_tests.yml"
    text = unit_tests.read_text()
    assert text.count("arpa: 25000,") == 1
    unit_tests.write_text(text.replace("arpa: 25000,", "arpa: 25001,"))

    warehouse = tmp_path / "nrr.duckdb"
    command, env = harness_of(project)
    process = subprocess.run(
        [*command, "build", "--unit-tests", "--warehouse", str(warehouse),
         "--data-dir", str(EXAMPLES_DIR / "nrr_105")],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 1, process.stdout[-3000:] + process.stderr[-3000:]
    model, name = BROKEN.split("::")
    assert (
        "audit failed: 1 error-severity test(s) did not pass: "
        f"unit_test.nrr_warehouse.{model}.{name}"
    ) in process.stderr
    assert not warehouse.exists()
    log = warehouse.with_name(warehouse.name + ".runs.jsonl")
    assert json.loads(log.read_text().splitlines()[-1])["result"] == "audit_failed"


def test_an_audit_of_unit_tests_only_publishes_nothing(tmp_path):
    # Unit tests check given rows, not the data: a run in which no data test passed is refused.
    request = BuildRequest(tmp_path / "nrr.duckdb", quiet=True)
    run = DbtRun(0, [{"unique_id": f"unit_test.nrr_warehouse.{BROKEN.replace('::', '.')}",
                      "status": "pass"}])  # fmt: skip
    with pytest.raises(HarnessError, match="audit ran no test: not publishing"):
        audit(request, run, tmp_path / "nrr.duckdb.building", incremental=False)


def test_unit_tests_are_excluded_by_dbt_unless_asked(tmp_path, monkeypatch):
    # The exact dbt arguments: the exclusion is dbt's own resource-type filter.
    seen: list[list[str]] = []

    def fake_process(args, *rest, **options):
        seen.append(args)
        return DbtRun(0)

    monkeypatch.setattr("nrr_warehouse.build.dbt_process", fake_process)

    for unit_tests, load_seeds in [(False, True), (True, True), (False, False), (True, False)]:
        request = BuildRequest(Path(tmp_path / "nrr.duckdb"), unit_tests=unit_tests, quiet=True)
        write(request, tmp_path / "staging.duckdb", True, None, {}, load_seeds)
    assert seen == [
        ["build", "--exclude-resource-type", "unit_test"],
        ["build"],
        ["build", "--exclude-resource-type", "unit_test", "seed"],
        ["build", "--exclude-resource-type", "seed"],
    ]
