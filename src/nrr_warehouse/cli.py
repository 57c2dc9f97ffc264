"""nrr: the command line of the harness. Builds the warehouse (write-audit-publish), prints the
headline figures, checks the SPEC examples, writes the HTML report and exports the marts.

dbt does all the modelling. The harness only chooses the inputs and the warehouse file, calls
`dbt build`, decides whether to publish, reads the marts back and prints or asserts them.

    nrr build [--data-dir DIR | --source-database PATH --source-schema NAME]
              [--warehouse PATH] [--as-of YYYY-MM]
              [--date-format FMT] [--decimal-comma] [--max-rejected-pct N]
              [--full-refresh | --incremental] [--unit-tests] [--keep-failed]
    nrr summary [--warehouse PATH]
    nrr check-examples
    nrr export --format parquet --out DIR [--warehouse PATH]
    nrr report [--warehouse PATH] [--out FILE]

`build` is a write-audit-publish run, safe while BI tools read the published file (build.py);
it is incremental when a published warehouse exists and nothing it keeps can have changed
(build_mode.py). `python -m nrr_warehouse` is the same command.

Exit codes:
  0  success (build: audited and published)
  1  failure: a dbt model or test failed (build: nothing published, the published warehouse is
     byte-for-byte unchanged), an example missed its figure, or a file is missing
  2  bad arguments
  3  build refused: another build holds this warehouse's lock (export: another export
     writes the same folder)
  4  build refused: a process has the published file open read-write (nothing published)
  130, 143  interrupted by SIGINT or SIGTERM: cleaned up; the last line and the run log say
     whether the build had published (it had if the signal came after the rename)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from pathlib import Path

import duckdb

from nrr_warehouse import export, marts, signals
from nrr_warehouse.build import BuildRequest, build
from nrr_warehouse.dbt_runner import SourceTables
from nrr_warehouse.errors import EXIT_FAILED, HarnessError, Interrupted, os_error_text
from nrr_warehouse.examples import check_examples
from nrr_warehouse.project import DEFAULT_WAREHOUSE, PROG, warehouse_path
from nrr_warehouse.summary import summary


def write_report_command(warehouse: str | None, out: Path | None) -> Path:
    """`report`: the HTML report of a built warehouse (report.py); its path."""
    from nrr_warehouse.report import write_report  # altair loads only for this command

    path = warehouse_path(warehouse)
    marts.check_readable(path)
    target = (out or path.with_name("report.html")).resolve()
    return write_report(path, target)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's "(default: X)" after each option that has a value as its default; an option whose
    default is not a value (None, a flag's False) says its default in its own words instead."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if "default" in (action.help or "") or action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def make_parser() -> argparse.ArgumentParser:
    """The command line: the commands and their options."""
    # --warehouse, declared once: every command that reads or writes a warehouse takes it.
    warehouse_option = argparse.ArgumentParser(add_help=False)
    warehouse_option.add_argument(
        "--warehouse",
        help=f"DuckDB file (default: $NRR_WAREHOUSE, else {DEFAULT_WAREHOUSE} in the project)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str, *parents: argparse.ArgumentParser):
        return commands.add_parser(
            name, help=text, description=text, parents=list(parents), formatter_class=HelpFormatter
        )

    build_cmd = command(
        "build", "build, audit and publish the warehouse; print its summary", warehouse_option
    )
    build_cmd.add_argument(
        "--data-dir",
        type=Path,
        help="folder of subscriptions/customers/"
        "fx_rates .csv or .parquet files (default: the demo seeds)",
    )
    build_cmd.add_argument(
        "--source-database",
        type=Path,
        help="DuckDB file holding the input tables (e.g. written by dlt), attached read-only and "
        "never written; with --source-schema (default: none, the file or seed route)",
    )
    build_cmd.add_argument(
        "--source-schema",
        help="schema of --source-database holding subscriptions, customers (and fx_rates) tables "
        "(default: none)",
    )
    build_cmd.add_argument("--as-of", help="last reporting month, YYYY-MM (default: from data)")
    build_cmd.add_argument(
        "--date-format",
        help="strftime format of dates that are not ISO, e.g. %%m/%%d/%%Y (var input_date_format; "
        "default: ISO dates)",
    )
    build_cmd.add_argument(
        "--decimal-comma",
        action="store_true",
        help="amounts use a decimal comma: 1.200,50 (var input_decimal_comma; default: a "
        "decimal point)",
    )
    build_cmd.add_argument(
        "--max-rejected-pct",
        type=float,
        help="largest share of rejected subscription rows, in percent, a build may publish "
        "(var max_rejected_rows_pct, default 5)",
    )
    build_cmd.add_argument(
        "--benchmark-set",
        choices=["rules_of_thumb", "saas_capital_2023"],
        help="benchmarks of segment_benchmarks: the SPEC's segment bands (default rules_of_thumb) "
        "or SaaS Capital's 2023 medians by ACV (var benchmark_set)",
    )
    mode = build_cmd.add_mutually_exclusive_group()
    mode.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every month from scratch (default: incremental when a published warehouse "
        "exists, recomputing the last incremental_lookback_months months, unless its inputs or "
        "configuration differ or an input row before that window changed)",
    )
    mode.add_argument(
        "--incremental",
        action="store_true",
        help="build incrementally whenever a published warehouse exists, even when a full refresh "
        "is due (the audit then fails a stale result rather than rebuilding everything; default: "
        "as --full-refresh says)",
    )
    build_cmd.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (fixed given rows, not your data) in the audit, as make "
        "test and CI do (default: seeds, models and data tests only)",
    )
    build_cmd.add_argument(
        "--keep-failed",
        action="store_true",
        help="keep a failed build's file as <warehouse>.failed for inspection (default: delete it)",
    )

    command("summary", "print the summary of a built warehouse", warehouse_option)
    command("check-examples", "build and assert the SPEC section 6 examples")

    export_cmd = command("export", "write every mart as a file for BI tools", warehouse_option)
    export_cmd.add_argument("--format", choices=["parquet"], default="parquet", help="file format")
    export_cmd.add_argument(
        "--out", type=Path, required=True, help="folder to write into (required; no default)"
    )
    report_cmd = command("report", "write the HTML report of a built warehouse", warehouse_option)
    report_cmd.add_argument(
        "--out", type=Path, help="HTML file (default: report.html beside the warehouse)"
    )

    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line, parsed; what argparse cannot check, checked (exit 2 with a message)."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if getattr(args, "as_of", None) and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.as_of):
        reason = "not a valid month" if re.fullmatch(r"\d{4}-\d{2}", args.as_of) else "not a month"
        parser.error(f"--as-of must look like YYYY-MM: {args.as_of!r} is {reason}")
    if args.command == "build":
        if (args.source_database is None) != (args.source_schema is None):
            parser.error("--source-database and --source-schema go together")
        if args.source_database is not None and args.data_dir is not None:
            parser.error("--data-dir and --source-database are two routes: give one of them")
    date_format = getattr(args, "date_format", None)
    if date_format is not None and "%" not in date_format:
        parser.error(f"--date-format takes strftime codes such as %m/%d/%Y, got {date_format!r}")
    max_rejected = getattr(args, "max_rejected_pct", None)
    if max_rejected is not None and not 0 <= max_rejected <= 100:
        parser.error(f"--max-rejected-pct must be between 0 and 100, got {max_rejected:g}")
    return args


def input_vars(args: argparse.Namespace) -> dict:
    """The dbt vars of the reading options of `build` that were given."""
    chosen = {
        "input_date_format": args.date_format,
        "input_decimal_comma": True if args.decimal_comma else None,
        "max_rejected_rows_pct": args.max_rejected_pct,
        "benchmark_set": args.benchmark_set,
    }
    return {name: value for name, value in chosen.items() if value is not None}


def build_request(args: argparse.Namespace) -> BuildRequest:
    """The BuildRequest of `nrr build`'s options."""
    source = (
        SourceTables(args.source_database.resolve(), args.source_schema)
        if args.source_database
        else None
    )
    return BuildRequest(
        warehouse_path(args.warehouse),
        data_dir=args.data_dir.resolve() if args.data_dir else None,
        source=source,
        as_of=args.as_of,
        input_vars=input_vars(args),
        full_refresh=args.full_refresh,
        force_incremental=args.incremental,
        keep_failed=args.keep_failed,
        unit_tests=args.unit_tests,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module docstring)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signals.install()
    published = None
    try:
        if args.command == "build":
            request = build_request(args)
            build(request)
            published = request.warehouse
            print(summary(request.warehouse))
        elif args.command == "summary":
            print(summary(warehouse_path(args.warehouse)))
        elif args.command == "check-examples":
            return 0 if check_examples() else 1
        elif args.command == "export":
            warehouse = warehouse_path(args.warehouse)
            for name, count in export.write_export(warehouse, args.out.resolve(), args.format):
                print(f"{args.out / export.CURRENT / name}: {count:,} rows")
        elif args.command == "report":
            print(write_report_command(args.warehouse, args.out))
    except HarnessError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.exit_code
    except Interrupted as error:
        error.published = error.published or published
        if error.published is not None:
            outcome = f"the build had published {error.published} (see the run log)"
        elif args.command == "build":
            outcome = "nothing published"
        elif args.command == "export":
            outcome = "the export folder's `current` still names the previous export"
        else:
            outcome = "stopped"
        print(f"{PROG}: {error}; {outcome}", file=sys.stderr)
        return 128 + error.signum
    except duckdb.Error as error:  # a warehouse without the marts, a corrupt file
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"{PROG}: cannot read the warehouse: {first}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:  # a full disk, a folder that cannot be written
        print(f"{PROG}: {os_error_text(error)}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the guard: one line, never a traceback on the terminal
        print(
            f"{PROG}: unexpected error: {type(error).__name__}: {error} (a build's run log keeps "
            "the traceback; NRR_DEBUG=1 prints it)",
            file=sys.stderr,
        )
        if os.environ.get("NRR_DEBUG"):
            traceback.print_exc()
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
