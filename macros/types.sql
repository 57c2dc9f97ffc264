{% macro type_money() %}
    {#-
        The type of every money column. A fixed-point decimal with 12 places: sums of it are exact,
        so the bridge and NRR identities hold to the last digit, and 12 places keep a price divided by
        3 or 12 (quarterly, yearly plans) far below a cent of error. Money is never rounded in the pipeline.
    -#}
    {{ return('decimal(38, 12)') }}
{% endmacro %}


{% macro type_double() %}
    {#-
        A 64-bit float, for percentages and parsed input numbers. Not dbt.type_float(): on DuckDB that is
        FLOAT, a 32-bit REAL that would keep only about 7 significant digits.
    -#}
    {{ return('double') }}
{% endmacro %}
