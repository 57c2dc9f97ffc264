{#-
    Data tests of an incremental run check the months it rewrote (DECISIONLOG "Data tests of an
    incremental run check the rewritten window"). A test entry on an incremental month-keyed model
    sets `config: where: "month >= __rewritten_window_start__"`; a singular test filters with
    rewritten_months_only(). On a full refresh there is no filter at all; otherwise the placeholder
    becomes the first month the run rewrote (model int_incremental_window_resolved; null, so every
    month, on a first build).
-#}

{% macro get_where_subquery(relation) -%}
    {#- dbt's own behaviour (the `where` config wraps the tested relation), plus the placeholder. -#}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__rewritten_window_start__' in where -%}
        {%- if flags.FULL_REFRESH -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set where = where | replace('__rewritten_window_start__', rewritten_window_start()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{% macro rewritten_window_start() -%}
    {#- The first month the run rewrote, as a scalar subquery (a date; the earliest date when every
        month was). -#}
    coalesce(
        (select window_start_month from {{ model_relation('int_incremental_window_resolved') }}),
        cast('0001-01-01' as date)
    )
{%- endmacro %}


{% macro model_relation(name) -%}
    {#- A model of this project by name, read by relation rather than ref(), so a test or a macro of
        another model needs no dependency declared for it (its name alone while dbt parses). -#}
    {%- if not execute -%}
        {{ return(name) }}
    {%- endif -%}
    {%- set node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', name)
        | first -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}


{% macro rewritten_months_only(month_column='month') -%}
    {#- For a singular test: a predicate keeping the rewritten months (1 = 1 on a full refresh). -#}
    {%- if flags.FULL_REFRESH -%}
        1 = 1
    {%- else -%}
        {{ month_column }} >= {{ rewritten_window_start() }}
    {%- endif -%}
{%- endmacro %}
