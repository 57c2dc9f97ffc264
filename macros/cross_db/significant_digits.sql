{#-
    A double's noise removed (issue 15): a cycle amount of an invoice line is a double (a parsed
    amount, or amount / fraction for a proration), and the exact annualised amount (arr) is read from
    its decimal digits: the last of a double's 17 are noise of the arithmetic. See DECISIONLOG
    "Invoice lines: the exact price behind the ARR".
-#}

{% macro round_significant(expression, digits) %}
    {#- A double rounded to `digits` significant digits (0 and null as they are). -#}
    {{ return(adapter.dispatch('round_significant', 'nrr_warehouse')(expression, digits)) }}
{% endmacro %}

{% macro duckdb__round_significant(expression, digits) -%}
    case
        when {{ expression }} = 0 then {{ expression }}
        else round(
            {{ expression }},
            cast({{ digits }} - 1 - floor(log10(abs({{ expression }}))) as integer)
        )
    end
{%- endmacro %}

{% macro spark__round_significant(expression, digits) -%}
    {#- Spark's round() takes only a constant scale: Java's %g formatting rounds (half up) instead;
        try_cast, since a null is formatted as 'null' (an error under ANSI casts). -#}
    {{ try_cast_as("format_string('%." ~ digits ~ "g', " ~ expression ~ ")", 'double') }}
{%- endmacro %}
