{% macro check_billing_inputs() %}
    {#-
        Run by on-run-start, before any node: on the file route (NRR_DATA_DIR) every required input
        file, on the source-table route every required source table, must exist, have its required
        columns, and subscriptions must have rows. Otherwise the build stops at once with one message
        naming the file or table (and the column), and no model runs. Returns the SQL the hook
        executes. The demo route needs no check here: its seeds are loaded by the build.
    -#}
    {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
    {%- set route = nrr_input_route() -%}
    {%- if execute and route != 'seeds' -%}
        {%- for table_name, contract in input_contract().items() -%}
            {%- if route == 'sources' -%}
                {%- set located = locate_billing_input_source(table_name) -%}
            {%- else -%}
                {%- set located = locate_billing_input(data_dir, table_name) -%}
            {%- endif -%}
            {%- if located is not none -%}
                {%- do billing_input_columns(contract, located.label, located.columns) -%}
                {%- if table_name == 'subscriptions' -%}
                    {%- set counted = run_query('select count(*) from ' ~ located.from_clause) -%}
                    {%- if counted.columns[0].values()[0] == 0 -%}
                        {{ exceptions.raise_compiler_error(
                            located.label ~ ': the ' ~ ('table' if route == 'sources' else 'file')
                            ~ ' has no rows; there is nothing to report on'
                        ) }}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as inputs_checked
{% endmacro %}
