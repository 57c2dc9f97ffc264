{% macro check_billing_inputs() %}
    {#-
        Run by on-run-start, before any node: on the file route (NRR_DATA_DIR) every required input
        file, on the source-table route every required source table, must exist, be readable, have its
        required columns, and subscriptions must have rows. Otherwise the build stops at once with one
        message naming the file or table (and the columns), and no model runs. CSV files are then
        loaded into raw.input_<table> with their malformed lines (load_billing_input_csv). Last, the
        as-of month is checked (check_as_of_month). Returns the SQL the hook executes. The demo route
        needs no file check here: its seeds are the project's.
    -#}
    {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
    {%- set route = nrr_input_route() -%}
    {%- if execute and route != 'seeds' -%}
        {#- Subscription periods or invoice lines, not both (stops the build when both are there). -#}
        {%- do billing_shape() -%}
        {%- set located_inputs = {} -%}
        {%- for table_name, contract in input_contract().items() -%}
            {%- if route == 'sources' -%}
                {%- set located = locate_billing_input_source(table_name) -%}
            {%- else -%}
                {%- set located = locate_billing_input(data_dir, table_name) -%}
            {%- endif -%}
            {%- if located is not none -%}
                {%- do billing_input_columns(contract, located.label, located.columns) -%}
                {%- do located_inputs.update({table_name: located}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for table_name in input_contract() -%}
            {%- set located = located_inputs.get(table_name) -%}
            {%- if located is not none and located.path is defined and located.path.endswith('.csv') -%}
                {%- do load_billing_input_csv(table_name, located) -%}
            {%- elif target.type == 'duckdb' -%}
                {#- No CSV for this table in this run: no stale load of an earlier run may remain. -#}
                {%- do run_query(
                    'drop table if exists ' ~ loaded_input_relation(table_name) ~ '; drop table if exists '
                    ~ loaded_input_relation(table_name, '_malformed_lines')
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- The billing history: subscription periods, or invoice lines (billing_shape). -#}
        {%- set history_table = 'invoice_line_item' if 'invoice_line_item' in located_inputs
            else 'invoice_lines' if 'invoice_lines' in located_inputs else 'subscriptions' -%}
        {%- set subscriptions = located_inputs[history_table] -%}
        {%- set loaded = loaded_input(history_table) if target.type == 'duckdb' else none -%}
        {%- set subscriptions_from = loaded if loaded is not none else subscriptions.from_clause -%}
        {%- set counted = run_query('select count(*) from ' ~ subscriptions_from) -%}
        {%- if counted.columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                subscriptions.label ~ (': the table has no rows' if route == 'sources'
                else ': the file has no readable rows') ~ '; there is nothing to report on'
            ) }}
        {%- endif -%}
        {%- do check_as_of_month(subscriptions_from, subscriptions.columns, history_table) -%}
    {%- elif execute and target.type == 'duckdb' -%}
        {#- The demo route: the seed's own CSV file (the seed itself is loaded later by the build). -#}
        {%- set seed = graph.nodes.get('seed.nrr_warehouse.raw_subscriptions') -%}
        {%- if seed is not none -%}
            {%- set seed_file = seed.root_path ~ '/' ~ seed.original_file_path -%}
            {%- do check_as_of_month(
                "read_csv('" ~ dbt.escape_single_quotes(seed_file) ~ "', header = true, all_varchar = true)",
                input_contract()['subscriptions'].columns
            ) -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as inputs_checked
{% endmacro %}


{% macro check_as_of_month(from_clause, columns, table_name='subscriptions') %}
    {#-
        Refuses, before any model runs, an as-of month (var as_of_month, or the default: the month of
        the latest start_date or end_date not after the run date) that is before the data's first
        month with MRR (approximated here by the first start_date of a row with a positive
        unit_amount), after the run month, or more than 100 years of months after the first month.
        The message names the data's first and last months. `from_clause` reads the subscriptions
        input, `columns` its column names as written.
    -#}
    {%- set by_name = billing_input_columns(input_contract()[table_name], table_name, columns) -%}
    {#- Invoice lines (table_name invoice_lines): service_start, service_end and amount stand for them;
        Stripe's (invoice_line_item): period_start, period_end and amount. -#}
    {%- set input_names = {'start_date': 'start_date', 'end_date': 'end_date', 'unit_amount': 'unit_amount'}
        if table_name == 'subscriptions'
        else {'start_date': 'period_start', 'end_date': 'period_end', 'unit_amount': 'amount'}
        if table_name == 'invoice_line_item'
        else {'start_date': 'service_start', 'end_date': 'service_end', 'unit_amount': 'amount'} -%}
    {%- set as_text = {} -%}
    {%- for column, input_name in input_names.items() if input_name in by_name -%}
        {#- As text, as billing_input reads them: a Parquet column may be typed. -#}
        {%- do as_text.update({column: 'cast(' ~ adapter.quote(by_name[input_name]) ~ ' as ' ~ dbt.type_string() ~ ')'}) -%}
    {%- endfor -%}
    {#- Stripe's periods may be epoch seconds too (parse_date_or_epoch, as int_stripe_lines_mapped reads them). -#}
    {%- set read_date = parse_date_or_epoch if table_name == 'invoice_line_item' else parse_date -%}
    {%- set start_date = read_date(as_text['start_date']) -%}
    {%- set end_date = read_date(as_text['end_date']) if 'end_date' in as_text else 'cast(null as date)' -%}
    {%- set amount = parse_number(as_text['unit_amount']) -%}
    {%- set found = run_query(
        'select '
        ~ month_start('min(case when ' ~ amount ~ ' > 0 then ' ~ start_date ~ ' end)') ~ ', '
        ~ month_start('max(' ~ latest_date_not_after_run(start_date, end_date) ~ ')') ~ ', '
        ~ month_start(run_date())
        ~ ' from ' ~ from_clause
    ).rows[0] -%}
    {%- set first_month, last_month, run_month = found[0], found[1], found[2] -%}
    {%- if first_month is none or last_month is none -%}
        {{ return(none) }}  {#- nothing valid to report on: the audit says so (has_rows tests) -#}
    {%- endif -%}
    {%- set explicit = as_of_month_literal() -%}
    {%- set as_of_text = var('as_of_month') | string | trim if explicit is not none
        else last_month.strftime('%Y-%m') -%}
    {%- set as_of_year, as_of_number = as_of_text.split('-') | map('int') | list -%}
    {%- set months = (as_of_year - first_month.year) * 12 + as_of_number - first_month.month + 1 -%}
    {%- set after_run = (as_of_year, as_of_number) > (run_month.year, run_month.month) -%}
    {%- set data_span = '; the data runs from ' ~ first_month.strftime('%Y-%m') ~ ' (first month with MRR) to '
        ~ last_month.strftime('%Y-%m') ~ ' (latest date not after the run date)' -%}
    {%- set subject = 'as-of month ' ~ as_of_text ~ (' (var as_of_month)' if explicit is not none else ' (from the data)') -%}
    {%- if months < 1 -%}
        {{ exceptions.raise_compiler_error(subject ~ ' is before the first month with MRR' ~ data_span) }}
    {%- elif after_run -%}
        {{ exceptions.raise_compiler_error(
            subject ~ ' is after the run month ' ~ run_month.strftime('%Y-%m') ~ data_span
        ) }}
    {%- elif months > 1200 -%}
        {{ exceptions.raise_compiler_error(
            subject ~ ' would make ' ~ months ~ ' reporting months, more than 100 years' ~ data_span
        ) }}
    {%- endif -%}
{% endmacro %}
