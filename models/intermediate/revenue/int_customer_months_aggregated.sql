{{ config(**incremental_month_config()) }}

{#- The columns of each paid period (paid_periods_cut_at_as_of) besides its months in force. -#}
{%- set paid_period_columns = [
    'periods.subscription_id',
    'periods.customer_id',
    'periods.start_date',
    'periods.mrr',
    'periods.arr',
] -%}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

as_of as (

    -- The as-of month, which also bounds the look-back window of an incremental run.
    select * from {{ ref('int_as_of_month_resolved') }}

),

paid_periods_cut_at_as_of as (

    -- A period counts at the end of month M when start_date <= last_day(M) and (end_date is empty or
    -- end_date > last_day(M)). So its first month is the month of start_date, and its last the month
    -- before the month of end_date (end_date is exclusive), cut at the as-of month.
    -- Periods with MRR 0 (trials, free plans) never make a customer active: they are not expanded.
    {{ paid_periods_cut_at_as_of(paid_period_columns) }}

),

expanded as (

    select
        subscription_id,
        customer_id,
        start_date,
        mrr,
        arr,
        {{ explode_months('first_month_in_force', 'last_reported_month') }} as month

    -- Each period is expanded over its own months only: the cost grows with active months.
    from paid_periods_cut_at_as_of
    where first_month_in_force <= last_reported_month

),

subscription_months as (

    select * from expanded
    {% if is_incremental() -%}
        -- Incremental run: the look-back window only (older months are kept as built).
        where month >= {{ incremental_window_start() }}
    {%- endif %}

),

final as (

    select
        customer_id,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        -- The exact annualised amount (int_subscription_periods_priced), for classification lines.
        cast(sum(arr) as {{ type_money() }}) as arr,
        cast(count(*) as bigint) as paid_periods_in_force

    from subscription_months
    group by customer_id, month

)

select * from final
