{#-
    What the published warehouse was built from, one row per fact: the input route and its location,
    the vars, the project version and the engine. The harness (nrr_warehouse/build_mode.py) passes the facts
    in the environment variable NRR_BUILD_RECORD (JSON: {group: {key: value}}); the vars group names
    the vars, and their values are recorded here as dbt resolved them. Before the next build the
    harness compares this record with the current facts: any difference makes that build a full
    refresh (DECISIONLOG "Build mode: the record is a dbt model fed by the harness"). Built by plain
    dbt, the record says so, and the next harness build is a full refresh.
-#}
{%- set given = fromjson(env_var('NRR_BUILD_RECORD', '{}')) or {'build': {'built_by': 'dbt, not nrr build'}} -%}
{%- set facts = [] -%}
{%- for group in given | sort -%}
    {%- for key in given[group] | sort -%}
        {%- set value = var(key) if group == 'vars' else given[group][key] -%}
        {%- do facts.append([group, key, tojson(value)]) -%}
    {%- endfor -%}
{%- endfor %}

with

facts as (

    {% for group, key, value in facts -%}
        {{ 'union all' if not loop.first }}
        select
            cast('{{ group }}' as {{ dbt.type_string() }}) as record_group,
            cast('{{ key }}' as {{ dbt.type_string() }}) as record_key,
            cast('{{ dbt.escape_single_quotes(value) }}' as {{ dbt.type_string() }}) as record_value
    {% endfor %}

),

final as (

    -- record_value is JSON: a string in quotes, a number, a list.
    select * from facts

)

select * from final
