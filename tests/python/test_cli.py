"""The command line of the installed package: `nrr` and `python -m nrr_warehouse` are the same
command, and every option of every command says its default in --help."""

from __future__ import annotations

import argparse
import subprocess
import sys

import duckdb
from conftest import HARNESS, run_harness

from nrr_warehouse import cli, summary


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (commands,) = [
        action
        for action in cli.make_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return dict(commands.choices)


def test_every_option_of_every_command_shows_its_default():
    parsers = subcommands()
    assert set(parsers) == {"build", "summary", "check-examples", "export", "report"}
    for name, parser in parsers.items():
        formatter = parser.formatter_class(prog=parser.prog)
        for action in parser._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            shown = formatter._get_help_string(action) or ""
            assert "default" in shown, (name, action.option_strings, shown)
    # A value default is argparse's own "(default: X)"; --warehouse is declared once, for four.
    assert "(default: parquet)" in parsers["export"].format_help()
    with_warehouse = [n for n, p in parsers.items() if "--warehouse" in p.format_help()]
    assert sorted(with_warehouse) == ["build", "export", "report", "summary"]


def test_console_script_and_module_are_the_same_command():
    assert HARNESS.is_file()  # installed into the venv by `make install`
    by_script = run_harness("build", "--help")
    by_module = subprocess.run(
        [sys.executable, "-m", "nrr_warehouse", "build", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert by_script.returncode == by_module.returncode == 0
    assert by_script.stdout == by_module.stdout
    assert by_script.stdout.startswith("usage: nrr build")
    text = " ".join(by_script.stdout.split())  # argparse wraps the help to the terminal width
    assert "(default: $NRR_WAREHOUSE, else warehouse/nrr.duckdb in the project)" in text


def test_bad_arguments_exit_2_with_one_message():
    process = run_harness("build", "--as-of", "2025-13")
    assert process.returncode == 2
    assert "--as-of must look like YYYY-MM: '2025-13' is not a valid month" in process.stderr
    assert "Traceback" not in process.stderr


def test_input_counts_of_millions_keep_their_columns_apart(tmp_path):
    # A 3M-customer build printed "7,520,1127,520,112": the used column was 8 wide. Each column now
    # widens to its longest figure, and stays as it was for smaller counts.
    warehouse = tmp_path / "nrr.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.input_reconciliation as select * from (values "
            "('subscriptions', 7520112, 7520112, 0, 0), ('fx_rates', 2, 2, 0, 0)) "
            "as t(source_table, rows_in, rows_used, rows_rejected, duplicate_rows_collapsed)"
        )
        con.execute(
            "create table audit.rejected_rows as select 'subscriptions' as source_table, "
            "'x' as reason_code where false"
        )
    header, *rows = summary.input_audit_lines(warehouse)[:3]
    assert header.split() == ["Input", "rows:", "in", "used", "rejected", "duplicates"]
    assert rows[0].split() == ["subscriptions", "7,520,112", "7,520,112", "0", "0"]
    # The figures end under their headers.
    assert header.index("used") + len("used") == rows[0].index("7,520,112", 25) + len("7,520,112")
    assert rows[1] == "  fx_rates                     2          2         0           0"
