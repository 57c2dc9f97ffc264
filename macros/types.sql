{% macro type_money() %}
    {#-
        The type of every money column. A fixed-point decimal with 10 places: sums of it are exact,
        so the bridge and NRR identities hold to the last digit, and 10 places keep a price divided by
        3 or 12 (quarterly, yearly plans) far below a cent of error. Money is never rounded in the
        pipeline. Precision 28, not 38: Spark widens the result of an addition by one digit, and at 38
        it would drop decimal places instead; every sum is cast back to this type.
    -#}
    {{ return('decimal(28, 10)') }}
{% endmacro %}


{% macro type_double() %}
    {#-
        A 64-bit float, for percentages and parsed input numbers. Not dbt.type_float(): on DuckDB that is
        FLOAT, a 32-bit REAL that would keep only about 7 significant digits.
    -#}
    {{ return('double') }}
{% endmacro %}


{% macro arr_of(mrr) -%}
    {#- ARR = 12 x MRR, exact: 12 as a 2-digit decimal keeps the product within 38 digits on every
        engine (a plain integer 12 makes Spark round the product to fewer decimal places). -#}
    cast(cast(12 as decimal(2, 0)) * {{ mrr }} as {{ type_money() }})
{%- endmacro %}


{% macro annual_factor(months_in_interval) -%}
    {#- How many billing intervals of `months_in_interval` months (1, 3, 12) make a year: 12, 4 or 1,
        as a 2-digit decimal (exact on every engine, see arr_of). Null for any other interval. -#}
    cast(
        case {{ months_in_interval }} when 1 then 12 when 3 then 4 when 12 then 1 end
        as decimal(2, 0)
    )
{%- endmacro %}


{% macro decimal_of_double(expression, data_type) -%}
    {#- A parsed input number (a double) as the decimal it was written as: through its shortest text
        form, so 1234567.89 stays 1234567.89 (a direct cast gives 1234567.8899999998). -#}
    cast(cast({{ expression }} as {{ dbt.type_string() }}) as {{ data_type }})
{%- endmacro %}
