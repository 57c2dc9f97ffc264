"""nrr_warehouse: the harness around the dbt project of the revenue-retention warehouse.

dbt does all the modelling; this package chooses the inputs and the warehouse file, runs `dbt
build` (write-audit-publish), reads the marts back and prints, reports, exports or asserts them.
The console script is `nrr` (nrr_warehouse.cli:main); `python -m nrr_warehouse` is the same.

One module per job:

    cli          the command line (argparse) and main(): exit codes, one-line errors
    dbt_runner   running dbt: the process, its progress line, run_results.json
    build        write-audit-publish: the order of the steps and the run-log record
    publish      the file side of it: the build lock, staging files, the atomic rename, the run log
    build_mode   incremental or full refresh, and why
    marts        the read side: one way to read a mart (summary, report and export use it)
    summary      the headline figures of `nrr build` and `nrr summary`
    report       the HTML retention report (`nrr report`)
    export       every mart as a Parquet file, one complete set at a time (`nrr export`)
    examples     the SPEC section 6 examples (`nrr check-examples`)
    billing_shapes  the invoice-line shape of a simulated history (tools/generate_demo_data.py)
    project      where the dbt project and the default warehouse are
    errors       HarnessError and its kinds, with their exit codes
    signals      SIGINT and SIGTERM: unwinding, and holding them off for a step that must not split
"""
