{% macro rows_of_values(column, values) -%}
    {#- A select of one row per value, in a single column: a tiny inline table (e.g. the NRR periods). -#}
    {%- for value in values -%}
        {{ ' union all ' if not loop.first }}select {{ value }} as {{ column }}
    {%- endfor -%}
{%- endmacro %}
