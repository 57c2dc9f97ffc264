{#-
    Fingerprints of input rows (issue 19): a harness build compares the fingerprints of the input rows
    dated before the look-back window with those of the last build, and runs a full refresh when they
    differ. See models/intermediate/inputs/int_input_months_fingerprinted.sql and DECISIONLOG
    "Build mode: backdated changes found by input fingerprints".
-#}

{% macro fingerprint_of(columns) %}
    {#- A 64-bit hash of the named columns of a row, as a DECIMAL(38, 0), so that sums over millions of
        rows neither overflow nor depend on the engine's integer types. -#}
    {{ return(adapter.dispatch('fingerprint_of', 'nrr_warehouse')(columns)) }}
{% endmacro %}

{% macro duckdb__fingerprint_of(columns) -%}
    cast(hash(
        {%- for column in columns %}
        {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as decimal(38, 0))
{%- endmacro %}

{% macro spark__fingerprint_of(columns) -%}
    {#- xxhash64 skips nulls; a marker keeps (a, null) and (null, a) apart. -#}
    cast(xxhash64(
        {%- for column in columns %}
        coalesce(cast({{ adapter.quote(column) }} as string), '\u0000'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as decimal(38, 0))
{%- endmacro %}


{% macro fingerprint_columns(relation, excluded, fallback) %}
    {#- The column names of `relation` except `excluded` (lower case), as the warehouse has them: whatever staging
        reads is fingerprinted without listing it here. `fallback` when the relation does not exist yet
        (dbt compile or sqlfluff on a fresh clone, unit tests). -#}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name | lower not in excluded -%}
                {%- do names.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names if names else fallback) }}
{% endmacro %}
