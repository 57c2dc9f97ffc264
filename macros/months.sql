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
