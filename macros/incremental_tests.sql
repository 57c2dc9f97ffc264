{#-
    Data tests of an incremental run check the months it rewrote (DECISIONLOG "Data tests of an
    incremental run check the rewritten window"). The harness passes the run's window as the var
    incremental_window_start (build_mode.Mode.window_vars); a test entry on an incremental model sets
    `config: where: "month >= __incremental_window_start__"` (the model's month column). Without the
    var (a full refresh, the first build, plain dbt) there is no filter at all, so every row is tested.
-#}

{% macro incremental_window_literal() -%}
    {#- The var incremental_window_start ('YYYY-MM-01') as a date literal, or none when it is not set.
        Anything else stops the build with a message. -#}
    {%- set value = var('incremental_window_start', '') | string | trim -%}
    {%- if value in ('', 'none', 'None') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-01', value) -%}
        {{ exceptions.raise_compiler_error("var incremental_window_start must look like YYYY-MM-01, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}


{% macro get_where_subquery(relation) -%}
    {#- dbt's own `where` config (the tested relation wrapped in a filtered subquery), plus the
        placeholder __incremental_window_start__: a test whose filter names it tests every row unless
        the harness passed the window of an incremental run. -#}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__incremental_window_start__' in where -%}
        {%- if incremental_window_literal() is none -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set where = where | replace('__incremental_window_start__', incremental_window_literal()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
