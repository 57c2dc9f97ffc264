{#-
    Incremental monthly runs. The heavy month-keyed models (subscription-months, customer-months,
    movements, cohort comparisons) are `incremental`: a run recomputes only the look-back window, the
    months from (as-of month - var incremental_lookback_months) through the as-of month, replaces
    those months in the table, and keeps every older month as built before. `--full-refresh` (and
    the first build) computes everything. See docs/performance.md "Incremental monthly runs" and
    DECISIONLOG "Incremental strategy per engine".
-#}

{% macro incremental_window_start(month_column='month') -%}
    {#- The first month an incremental run recomputes, as a scalar subquery (a date): the as-of month
        minus incremental_lookback_months, or the month after the table's last month if that is
        earlier (a skipped monthly run leaves no hole). Months before it are kept; a change dated
        before it needs a --full-refresh. Only for incremental runs: it reads {{ this }}.
        When the harness passes the window (var incremental_window_start), that month instead: the
        data tests then check exactly the months rewritten (incremental_window_literal). -#}
    {%- if incremental_window_literal() is not none -%}
        {{ return(incremental_window_literal()) }}
    {%- endif %}
    (
        select
            case
                when built.next_month < {{ lookback_start('as_of.as_of_month') }} then built.next_month
                else {{ lookback_start('as_of.as_of_month') }}
            end
        from {{ ref('int_as_of_month_resolved') }} as as_of
        cross join (
            select {{ add_months('max(' ~ month_column ~ ')', 1) }} as next_month from {{ this }}
        ) as built
    )
{%- endmacro %}


{% macro lookback_start(as_of_month) -%}
    {#- The first month of the look-back window, given the as-of month (a date expression). -#}
    {{ add_months(as_of_month, -1 * (var('incremental_lookback_months') | int)) }}
{%- endmacro %}


{% macro incremental_month_config(month_column='month') %}
    {#-
        The incremental settings of a month-keyed model, per engine:
        DuckDB: our `replace_window` strategy (below): delete every row of the window, insert the
          recomputed rows. Unlike delete+insert on a unique key, it also drops rows that disappeared
          (a backdated churn removes a customer-month).
        Spark: `insert_overwrite` of month partitions (dbt-spark rejects delete+insert, and merge
          needs Delta). It replaces the partitions present in the new rows.
    -#}
    {%- if target.type == 'spark' -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': [month_column],
            'on_schema_change': 'fail',
        }) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'replace_window',
            'incremental_predicates': [month_column ~ ' >= ' ~ '__window_start__'],
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{% endmacro %}


{% macro get_incremental_replace_window_sql(arg_dict) %}
    {#-
        Custom incremental strategy (DuckDB): replace the look-back window. The model's
        incremental_predicates name the month column compared with the window start
        (`month >= __window_start__`); the start is resolved here, when the model runs.
    -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set predicates = arg_dict['incremental_predicates'] or [] -%}
    {%- if predicates | length == 0 -%}
        {{ exceptions.raise_compiler_error('replace_window needs incremental_predicates naming the month column') }}
    {%- endif -%}
    delete from {{ target }}
    where
        {% for predicate in predicates -%}
        {%- if '__window_or_all__' in predicate %}
        {{ predicate | replace('__window_or_all__', incremental_window_literal() or "cast('0001-01-01' as date)") }}
        {%- else %}
        {{ predicate | replace('__window_start__', incremental_window_start(predicate.split()[0])) }}
        {%- endif %}
        {{- ' and ' if not loop.last }}
        {% endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}


{% macro incremental_period_config(month_column='period_end_month') %}
    {#-
        The incremental settings of nrr_by_period and cohort_retention (DECISIONLOG "nrr_by_period
        recomputes only the periods ending in the window"). DuckDB: our `replace_window` strategy on
        `month_column` (delete the rows of the window's months, insert them recomputed), when the
        harness passed the window (var incremental_window_start); without it (plain dbt, a forced
        --incremental whose window is unknown) every row is recomputed and replaced. Spark: a
        table, rebuilt in full each run (insert_overwrite of month partitions would move the
        partition column to the end of the table, and a mart's columns are its contract).
    -#}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'replace_window',
            'incremental_predicates': [month_column ~ ' >= __window_or_all__'],
            'on_schema_change': 'fail',
        }) }}
    {%- endif -%}
{% endmacro %}
