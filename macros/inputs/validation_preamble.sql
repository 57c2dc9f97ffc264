{% macro validation_preamble(rows, key_columns, fx_rate_rows='fx_rate_rows') %}
    {#-
        The steps every row-validating model of an input table starts with, as CTEs (each followed by
        a comma) to place after its import CTEs: `rates` (the fx rates in use, the reporting currency
        worth 1), then the rows of CTE `rows` keyed by `key_columns`: `keyed` is every row with
        has_conflicting_duplicate (rows sharing a key with different raw_values: all rejected) and
        copy_number (an exact duplicate's copies past the first are collapsed). Used by
        int_subscription_rows_validated and int_invoice_lines_validated.
    -#}
    {%- set key_match -%}
        {%- for column in key_columns -%}
            {{ rows }}.{{ column }} = repeated_keys.{{ column }}{{ ' and ' if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    {%- set qualified_keys = [] -%}
    {%- for column in key_columns -%}
        {%- do qualified_keys.append(rows ~ '.' ~ column) -%}
    {%- endfor %}
rates as (

    -- The reporting currency is worth 1 by definition and needs no row.
    select
        currency,
        rate_to_reporting
    from {{ fx_rate_rows }}
    where
        row_status = 'used'
        and currency != '{{ var("reporting_currency") }}'

    union all

    select
        '{{ var("reporting_currency") }}' as currency,
        1.0 as rate_to_reporting

),

repeated_keys as (

    -- Keys ({{ key_columns | join(' + ') }}) on more than one row: few, so the copies are told apart
    -- only among them, not by a window over every row.
    select
        {{ key_columns | join(',\n        ') }}

    from {{ rows }}
    where {% for column in key_columns %}{{ column }} is not null{{ ' and ' if not loop.last }}{% endfor %}
    group by {{ key_columns | join(', ') }}
    having count(*) > 1

),

repeated_key_rows_compared as (

    -- Rows sharing a key are exact duplicates (collapsed to one) or conflicting duplicates (all
    -- rejected).
    select
        {{ rows }}.*,
        min({{ rows }}.raw_values) over (partition by {{ qualified_keys | join(', ') }})
        != max({{ rows }}.raw_values) over (partition by {{ qualified_keys | join(', ') }})
            as has_conflicting_duplicate,
        row_number() over (
            partition by {{ qualified_keys | join(', ') }}, {{ rows }}.raw_values
            order by {{ rows }}.raw_values
        ) as copy_number

    from {{ rows }}
    inner join repeated_keys
        on {{ key_match }}

),

keyed as (

    select
        {{ rows }}.*,
        false as has_conflicting_duplicate,
        1 as copy_number

    from {{ rows }}
    left join repeated_keys
        on {{ key_match }}
    where repeated_keys.{{ key_columns[0] }} is null

    union all

    select * from repeated_key_rows_compared

),
{%- endmacro %}
