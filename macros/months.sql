{% macro month_start(expression) -%}
    {#- The first day of the month of a date, as a date. -#}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}


{% macro add_months(expression, months) -%}
    {#- A date plus a whole number of months (negative goes back), as a date. -#}
    cast({{ dbt.dateadd('month', months, expression) }} as date)
{%- endmacro %}


{% macro as_of_month_literal() -%}
    {#-
        The `as_of_month` var ('YYYY-MM') as a date literal of its first day, or none when the var is
        empty (the data decides). Anything else stops the build with a message.
    -#}
    {%- set value = var('as_of_month') | string | trim -%}
    {%- if value in ('', 'none', 'None') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])', value) -%}
        {{ exceptions.raise_compiler_error("var as_of_month must look like YYYY-MM, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "-01' as date)") }}
{%- endmacro %}


{% macro run_date() -%}
    {#- The date of the run (the warehouse clock), as a date. -#}
    cast({{ dbt.current_timestamp() }} as date)
{%- endmacro %}


{% macro latest_date_not_after_run(start_date, end_date) -%}
    {#- The later of a row's start_date and end_date, leaving out a date after the run date (a future
        contract end, or a 9999-12-31 "no end" marker, is not an event yet); null when both are. -#}
    greatest(
        case when {{ start_date }} <= {{ run_date() }} then {{ start_date }} end,
        case when {{ end_date }} <= {{ run_date() }} then {{ end_date }} end
    )
{%- endmacro %}


{% macro paid_periods_cut_at_as_of(columns) -%}
    {#- The month-end rule (SPEC section 2) over the paid periods, as the select of a CTE: a period
        counts at the end of month M when start_date <= last_day(M) and (end_date is empty or
        end_date > last_day(M)), so it is in force from the month of start_date (first_month_in_force)
        through the month before the month of end_date (end_date is exclusive), cut at the as-of
        month (last_reported_month; before first_month_in_force when no month end is in force).
        Periods with MRR 0 (trials, free plans) never make a customer active: they are left out.
        Reads the CTEs `periods` (int_subscription_periods_priced) and `as_of`
        (int_as_of_month_resolved); `columns` are the other select-list expressions, qualified. -#}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ month_start('periods.start_date') }} as first_month_in_force,
        case
            when
                periods.end_date is null
                or {{ add_months(month_start('periods.end_date'), -1) }} > as_of.as_of_month
                then as_of.as_of_month
            else {{ add_months(month_start('periods.end_date'), -1) }}
        end as last_reported_month

    from periods
    cross join as_of
    where periods.mrr > 0
{%- endmacro %}
