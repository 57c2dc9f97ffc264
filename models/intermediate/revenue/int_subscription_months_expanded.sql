{{ config(**incremental_month_config()) }}

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
    -- A period without a plan counts in the plan 'Unknown' (DECISIONLOG "Dimensions beside segment").
    select
        periods.subscription_id,
        periods.start_date,
        periods.customer_id,
        coalesce(periods.plan_id, 'Unknown') as plan,
        periods.mrr,
        periods.arr,
        periods.seats,
        {{ month_start('periods.start_date') }} as first_month_in_force,
        case
            when
                periods.end_date is null
                or {{ add_months(month_start('periods.end_date'), -1) }} > as_of.as_of_month
                then as_of.as_of_month
            else {{ add_months(month_start('periods.end_date'), -1) }}
        end as last_reported_month

    from periods
    cross join as_of
    where periods.mrr > 0

),

expanded as (

    -- Each period is expanded over its own months only, once for every grain that reads it (customer,
    -- customer x plan, subscription): the cost grows with active months.
    select
        subscription_id,
        start_date,
        customer_id,
        plan,
        mrr,
        arr,
        seats,
        {{ explode_months('first_month_in_force', 'last_reported_month') }} as month

    from paid_periods_cut_at_as_of
    where first_month_in_force <= last_reported_month

),

final as (

    select
        subscription_id,
        start_date,
        month,
        customer_id,
        plan,
        mrr,
        arr,
        seats

    from expanded
    {% if is_incremental() -%}
        -- Incremental run: the look-back window only (older months are kept as built).
        where month >= {{ incremental_window_start() }}
    {%- endif %}

)

select * from final
