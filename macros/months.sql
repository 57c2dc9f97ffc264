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
