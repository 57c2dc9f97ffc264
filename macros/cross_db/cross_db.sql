{#-
    The engine-specific pieces of the project, each behind adapter.dispatch. Everything else in the
    models is plain SQL or dbt's own cross-database macros (dbt.date_trunc, dbt.dateadd, dbt.last_day,
    dbt.type_*). A new engine needs an `<adapter>__` version of each macro in this file and nothing else.
-#}

{% macro explode_months(first_month, last_month) %}
    {#- A select-list expression that turns one row into one row per month from first_month through
        last_month (both first days of a month; none when last_month < first_month), as a date. -#}
    {{ return(adapter.dispatch('explode_months', 'nrr_warehouse')(first_month, last_month)) }}
{% endmacro %}

{% macro duckdb__explode_months(first_month, last_month) -%}
    cast(unnest(generate_series(
        cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month
    )) as date)
{%- endmacro %}

{% macro spark__explode_months(first_month, last_month) -%}
    explode(sequence(
        cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month
    ))
{%- endmacro %}


{% macro try_cast_as(expression, data_type) %}
    {#- Cast that yields null instead of failing when the value does not parse. -#}
    {{ return(adapter.dispatch('try_cast_as', 'nrr_warehouse')(expression, data_type)) }}
{% endmacro %}

{% macro default__try_cast_as(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}


{% macro letters_only(expression) %}
    {#- Lower-cases text and removes everything that is not a letter a-z ('Mid-Market' -> 'midmarket'). -#}
    {{ return(adapter.dispatch('letters_only', 'nrr_warehouse')(expression)) }}
{% endmacro %}

{% macro duckdb__letters_only(expression) -%}
    regexp_replace(lower({{ expression }}), '[^a-z]', '', 'g')
{%- endmacro %}

{% macro spark__letters_only(expression) -%}
    regexp_replace(lower({{ expression }}), '[^a-z]', '')
{%- endmacro %}


{% macro json_object_of(columns, expressions={}) %}
    {#- The named columns of a row as one JSON object, as text: the raw values kept with a rejected row.
        `expressions` may give a column's value as another expression (a typed column as its text). -#}
    {{ return(adapter.dispatch('json_object_of', 'nrr_warehouse')(columns, expressions)) }}
{% endmacro %}

{% macro duckdb__json_object_of(columns, expressions={}) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ expressions.get(column, column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__json_object_of(columns, expressions={}) -%}
    to_json(
        named_struct(
            {%- for column in columns %}
            '{{ column }}', {{ expressions.get(column, column) }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}


{% macro json_text_value(expression, key) %}
    {#- The text of the top-level `key` of a JSON object held as text (Stripe's `metadata`), or null
        when the key is absent or the text is not JSON (never an error). `key` is a plain name. -#}
    {{ return(adapter.dispatch('json_text_value', 'nrr_warehouse')(expression, key)) }}
{% endmacro %}

{% macro duckdb__json_text_value(expression, key) -%}
    case when json_valid({{ expression }}) then json_extract_string({{ expression }}, '$."{{ key }}"') end
{%- endmacro %}

{% macro spark__json_text_value(expression, key) -%}
    get_json_object({{ expression }}, '$.{{ key }}')
{%- endmacro %}


{% macro matches_pattern(expression, pattern) %}
    {#- True when the whole text matches the regular expression (RE2 / Java syntax; write `[.]`, not a
        backslash, so the pattern reads the same in both engines' string literals). -#}
    {{ return(adapter.dispatch('matches_pattern', 'nrr_warehouse')(expression, pattern)) }}
{% endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}


{% macro replace_pattern(expression, pattern, replacement) %}
    {#- Every match of the regular expression replaced by `replacement` (plain text, no group refs). -#}
    {{ return(adapter.dispatch('replace_pattern', 'nrr_warehouse')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro duckdb__replace_pattern(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__replace_pattern(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{% macro parse_date_with_format(expression, date_format) %}
    {#- A date read with an explicit strftime format (`%m/%d/%Y`), or null when it does not match. -#}
    {{ return(adapter.dispatch('parse_date_with_format', 'nrr_warehouse')(expression, date_format)) }}
{% endmacro %}

{% macro duckdb__parse_date_with_format(expression, date_format) -%}
    cast(try_strptime({{ expression }}, '{{ date_format | replace("'", "''") }}') as date)
{%- endmacro %}

{% macro spark__parse_date_with_format(expression, date_format) -%}
    {#- Spark's date patterns are Java's, not strftime codes: refused rather than mistranslated. -#}
    {{ exceptions.raise_compiler_error(
        'var input_date_format is not supported on Spark (its date patterns are not strftime codes): '
        ~ 'write the dates as YYYY-MM-DD'
    ) }}
{%- endmacro %}
