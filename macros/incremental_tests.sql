{#-
    Data tests of an incremental run check the months it rewrote (DECISIONLOG "Data tests of an
    incremental run check the rewritten window"). The harness passes the run's window in the
    environment variable NRR_INCREMENTAL_WINDOW_START (build_mode.WINDOW_ENV; DECISIONLOG "The
    harness passes the look-back window to dbt"); plain dbt may pass the var incremental_window_start
    instead. A test entry on an incremental model sets
    `config: where: "month >= __incremental_window_start__"` (the model's month column). Without a
    window (a full refresh, the first build, plain dbt) there is no filter at all, so every row is
    tested.
-#}

{% macro incremental_window_literal() -%}
    {#- The run's window ('YYYY-MM-01': the var incremental_window_start, else the environment
        variable NRR_INCREMENTAL_WINDOW_START) as a date literal, or none when neither is set.
        Anything else stops the build with a message. Read only when dbt compiles a node (execute),
        never while it parses: nothing a parse records depends on the window, so a saved parse
        records no value of it and a new window re-parses no file. -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set value = var('incremental_window_start', '') | string | trim -%}
    {%- if value in ('', 'none', 'None') -%}
        {%- set value = env_var('NRR_INCREMENTAL_WINDOW_START', '') | trim -%}
    {%- endif -%}
    {%- if value in ('', 'none', 'None') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-01', value) -%}
        {{ exceptions.raise_compiler_error("the incremental window (var incremental_window_start or NRR_INCREMENTAL_WINDOW_START) must look like YYYY-MM-01, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}


{% macro incremental_window_condition(condition) -%}
    {#- `condition` with the placeholder __incremental_window_start__ replaced by the run's window
        (incremental_window_literal), or none when there is no window: the condition is then
        dropped, and every row counts. The one rule for the placeholder, in test filters
        (get_where_subquery) and in the delete of incremental_period_config's models
        (get_incremental_replace_window_sql). -#}
    {%- set window = incremental_window_literal() -%}
    {%- if window is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(condition | replace('__incremental_window_start__', window)) }}
{%- endmacro %}


{% macro get_where_subquery(relation) -%}
    {#- dbt's own `where` config (the tested relation wrapped in a filtered subquery), plus the
        placeholder __incremental_window_start__: a test whose filter names it tests every row unless
        the run has a window (incremental_window_condition). -#}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__incremental_window_start__' in where -%}
        {%- set where = incremental_window_condition(where) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
