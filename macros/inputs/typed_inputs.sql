{% macro typed_input_columns(table_name) %}
    {#- The columns of an input table that may arrive typed (a Parquet or source-table column of a
        date or number type) and are then used as they are: each column's expected value, date or
        number. Every other column is text (DECISIONLOG "Typed inputs stay typed"). -#}
    {{ return({
        'subscriptions': {
            'start_date': 'date', 'end_date': 'date', 'unit_amount': 'number', 'quantity': 'number',
            'discount_pct': 'number',
        },
        'invoice_lines': {
            'service_start': 'date', 'service_end': 'date', 'amount': 'number', 'quantity': 'number',
        },
        'fx_rates': {'rate_to_reporting': 'number'},
    }.get(table_name, {})) }}
{% endmacro %}


{% macro column_types_of(columns) %}
    {#- Each column's data type by name, from adapter.get_columns_in_relation's columns. -#}
    {%- set types = {} -%}
    {%- for column in columns -%}
        {%- do types.update({column.name: column.dtype}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{% macro described_types_of(described) %}
    {#- Each column's data type by name, from the result of DuckDB's `describe select ...`. -#}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{% macro typed_input_kind(data_type, expected) %}
    {#- How a column of `data_type` is used when the contract expects `expected` (date or number):
        'date', 'exact' (a decimal or an integer) or 'float' (a double) when the type is already
        right, else none (the text path: cast to text, parsed in staging). Dispatched: engines
        without an implementation keep the text path. -#}
    {%- if data_type is none or expected is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.dispatch('typed_input_kind', 'nrr_warehouse')(data_type, expected)) }}
{% endmacro %}


{% macro default__typed_input_kind(data_type, expected) %}
    {#- Other engines (Spark): every column takes the text path, as before. -#}
    {{ return(none) }}
{% endmacro %}


{% macro duckdb__typed_input_kind(data_type, expected) %}
    {#- DuckDB's type names. A TIMESTAMP is a date (its time part dropped, as parse_date drops it);
        a TIMESTAMP WITH TIME ZONE keeps the text path (its text is in the session's time zone). -#}
    {%- set name = data_type | upper | trim -%}
    {%- set base = name.split('(')[0] | trim -%}
    {%- if expected == 'date' and base in [
        'DATE', 'TIMESTAMP', 'DATETIME', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS',
    ] -%}
        {{ return('date') }}
    {%- elif expected == 'number' and base in ['DOUBLE', 'FLOAT', 'REAL', 'FLOAT4', 'FLOAT8'] -%}
        {{ return('float') }}
    {%- elif expected == 'number' and base in [
        'DECIMAL', 'NUMERIC', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'INT', 'INT1', 'INT2', 'INT4', 'INT8',
    ] -%}
        {{ return('exact') }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro typed_raw_values(table_name, typed) %}
    {#- raw_values of an input row (json_object_of its contract columns, each as text as given): a
        typed column as its text, as before it was kept typed. -#}
    {%- set expressions = {} -%}
    {%- for column in typed -%}
        {%- do expressions.update({column: 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')'}) -%}
    {%- endfor -%}
    {{ return(json_object_of(input_contract()[table_name]['columns'], expressions)) }}
{% endmacro %}


{% macro typed_input_text(column, typed) -%}
    {#- A column's text as staging keeps it (the *_text columns: given or not, and the value in a
        rejection's reason): clean_text of a text column; a typed column as its text, except that a
        double's NaN is null (the text path reads its text `nan` as missing, input_null_tokens). -#}
    {%- if typed.get(column) == 'float' -%}
        cast(case when not isnan({{ column }}) then {{ column }} end as {{ dbt.type_string() }})
    {%- elif column in typed -%}
        cast({{ column }} as {{ dbt.type_string() }})
    {%- else -%}
        {{ clean_text(column) }}
    {%- endif -%}
{%- endmacro %}


{% macro typed_input_date(column, typed) -%}
    {#- The date of input column `column` in staging's parsed step: parse_date of `<column>_text` on
        the text path; a typed column (`<column>_given`, the column as selected) as a date, within
        the years parse_date reads (0001 to 9999: the text of a date beyond them does not parse, and
        it is rejected the same either way). -#}
    {%- if column in typed -%}
        case
            when cast({{ column }}_given as date) between cast('0001-01-01' as date) and cast('9999-12-31' as date)
                then cast({{ column }}_given as date)
        end
    {%- else -%}
        {{ parse_date(column ~ '_text') }}
    {%- endif -%}
{%- endmacro %}


{% macro typed_input_number(column, typed) -%}
    {#- The number (a double) of input column `column` in staging's parsed step: parse_number of
        `<column>_text` on the text path; a typed column (`<column>_given`) as a double, NaN as null
        (see typed_input_text). -#}
    {%- if typed.get(column) == 'float' -%}
        case when not isnan({{ column }}_given) then cast({{ column }}_given as {{ type_double() }}) end
    {%- elif column in typed -%}
        cast({{ column }}_given as {{ type_double() }})
    {%- else -%}
        {{ parse_number(column ~ '_text') }}
    {%- endif -%}
{%- endmacro %}
