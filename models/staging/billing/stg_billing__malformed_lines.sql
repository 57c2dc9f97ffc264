{#- The file route loads each CSV input with its malformed lines (on-run-start, reading_rules.sql);
    the demo seeds, Parquet files and engines other than DuckDB have none. -#}
{%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
{%- set loaded = {} -%}
{%- if execute and data_dir != '' and target.type == 'duckdb' -%}
    {%- for table_name in input_contract() -%}
        {%- set relation = loaded_input(table_name, '_malformed_lines') -%}
        {%- if relation is not none -%}
            {%- do loaded.update({table_name: relation}) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

{% for table_name, relation in loaded.items() %}
{{ table_name }}_lines as (

    select
        '{{ input_audit_table(table_name) }}' as source_table,
        '{{ table_name }}' as input_table,
        line_number,
        raw_line,
        error
    from {{ relation }}

),

{% endfor %}
no_lines as (

    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as input_table,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as raw_line,
        cast(null as {{ dbt.type_string() }}) as error
    where 1 = 0

),

unioned as (

    -- One row per line of an input CSV that does not parse as a row of its header.
    {% for table_name in loaded %}
    select * from {{ table_name }}_lines
    union all
    {% endfor %}
    select * from no_lines

),

final as (

    select
        source_table,
        input_table,
        line_number,
        raw_line,
        error

    from unioned

)

select * from final
