{#-
    A view, so that the harness can read it in the published warehouse before a build: there it reads
    the inputs as they are now (through the staging views), while audit.input_fingerprints keeps the
    same rows as they were at the last build (DECISIONLOG "Build mode: backdated changes found by
    input fingerprints").
-#}
{{ config(materialized='view') }}
{%- set subscription_columns = fingerprint_columns(
    ref('stg_billing__subscriptions'), ['raw_values'],
    ['subscription_id', 'customer_id', 'start_date', 'end_date', 'end_date_text', 'mrr_local', 'currency']
) -%}
{%- set invoice_line_columns = fingerprint_columns(
    ref('int_invoice_lines_unioned'), ['raw_values'],
    ['line_id', 'customer_id', 'subscription_id', 'service_start', 'service_end', 'amount', 'currency', 'line_type']
) -%}
{%- set customer_columns = fingerprint_columns(
    ref('stg_billing__customers'), ['raw_values'],
    ['customer_id', 'customer_name', 'segment_raw', 'segment', 'country', 'parent_customer_id']
) -%}
{%- set stripe_customer_columns = fingerprint_columns(
    ref('stg_stripe__customers'), ['raw_values'],
    ['customer_id', 'customer_name', 'segment_raw', 'segment', 'country', 'parent_customer_id', 'is_deleted']
) -%}
{%- set fx_rate_columns = fingerprint_columns(
    ref('stg_billing__fx_rates'), ['raw_values'], ['currency', 'rate_to_reporting']
) -%}
{%- set customer_tables = [
    ('customers', customer_columns),
    ('stripe_customers', stripe_customer_columns),
] -%}

with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

fx_rates as (

    select * from {{ ref('stg_billing__fx_rates') }}

),

invoice_lines as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

customers as (

    select * from {{ ref('stg_billing__customers') }}

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customers') }}

),

subscription_rows as (

    -- Each row with the months it bears on: from its start month, to its end month (end exclusive)
    -- or without end. Two hashes: of the whole row, and of the row without its end date (an end moved
    -- within or after a look-back window leaves the months before the window as they were).
    select
        'subscriptions' as source_table,
        {{ month_start('start_date') }} as start_month,
        {{ month_start('end_date') }} as end_month,
        coalesce(end_date_text is null, false) as open_end,
        {{ fingerprint_of(subscription_columns) }} as row_hash,
        {{ fingerprint_of(subscription_columns | reject('in', ['end_date', 'end_date_text']) | list) }}
            as row_hash_without_end

    from subscriptions

),

fx_rate_rows as (

    -- Undated: one rate per currency for all of history, so every row bears on every month.
    select
        'fx_rates' as source_table,
        cast(null as date) as start_month,
        cast(null as date) as end_month,
        false as open_end,
        {{ fingerprint_of(fx_rate_columns) }} as row_hash,
        {{ fingerprint_of(fx_rate_columns) }} as row_hash_without_end

    from fx_rates

),

invoice_line_rows as (

    -- An invoice line bears on the months from its service start to its service end; it always has
    -- an end (no open end), so both hashes are of the whole row.
    select
        'invoice_lines' as source_table,
        {{ month_start('service_start') }} as start_month,
        {{ month_start('service_end') }} as end_month,
        false as open_end,
        {{ fingerprint_of(invoice_line_columns) }} as row_hash,
        {{ fingerprint_of(invoice_line_columns) }} as row_hash_without_end

    from invoice_lines

),

customer_first_months as (

    -- A customer row bears on every month from its customer's first billed month on (its segment
    -- is that of all its history; DECISIONLOG "A customer row change before the window forces a
    -- full refresh"). A customer billed nowhere bears on no month and is not fingerprinted.
    select
        customer_id as billed_customer_id,
        min(start_month) as first_month

    from (
        select customer_id, {{ month_start('start_date') }} as start_month from subscriptions
        union all
        select customer_id, {{ month_start('service_start') }} as start_month from invoice_lines
    ) as billed
    where customer_id is not null
    group by customer_id

),

customer_rows as (

    -- Dated by the first billed month and without end: a change of a customer billed before the
    -- window (a segment moved, a name corrected) is a change before it. The same for the customers
    -- of an export and of Stripe, each with its own columns.
    {% for source_table, columns in customer_tables %}
        select
            '{{ source_table }}' as source_table,
            customer_first_months.first_month as start_month,
            cast(null as date) as end_month,
            true as open_end,
            {{ fingerprint_of(columns) }} as row_hash,
            {{ fingerprint_of(columns) }} as row_hash_without_end

        from {{ source_table }}
        inner join customer_first_months
            on {{ source_table }}.customer_id = customer_first_months.billed_customer_id
        {{ 'union all' if not loop.last }}
    {% endfor %}

),

input_rows as (

    select * from subscription_rows
    union all
    select * from fx_rate_rows
    union all
    select * from invoice_line_rows
    union all
    select * from customer_rows

),

final as (

    -- One row per input table and month bucket: how many rows, and the sums of their hashes (a sum
    -- is the same whatever the rows' order, so two reads of the same rows give the same bucket).
    select
        source_table,
        start_month,
        end_month,
        open_end,
        -- A readable name of the bucket, unique per input table: '2024-03-01 to 2024-07-01',
        -- '2024-03-01 to no end', '2024-03-01 to unparseable end', 'undated' (fx rates).
        case
            when start_month is null and end_month is null and not open_end then 'undated'
            else {{ dbt.concat([
                "coalesce(cast(start_month as " ~ dbt.type_string() ~ "), 'undated')",
                "' to '",
                "case when open_end then 'no end' else coalesce(cast(end_month as "
                    ~ dbt.type_string() ~ "), 'unparseable end') end",
            ]) }}
        end as bucket,
        count(*) as row_count,
        sum(row_hash) as row_hash_sum,
        sum(row_hash_without_end) as row_hash_without_end_sum

    from input_rows
    group by source_table, start_month, end_month, open_end

)

select * from final
