with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

paid_periods as (

    -- The month-end rule of int_customer_months_aggregated (SPEC section 2), per period: from the month
    -- of start_date through the month before the month of end_date (exclusive), cut at the as-of
    -- month; periods with MRR 0 never make a customer active in a plan. A period without a plan counts
    -- in the plan 'Unknown' (DECISIONLOG "Dimensions beside segment").
    select
        periods.customer_id,
        coalesce(periods.plan_id, 'Unknown') as plan,
        periods.mrr,
        periods.arr,
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

    select
        customer_id,
        plan,
        mrr,
        arr,
        {{ explode_months('first_month_in_force', 'last_reported_month') }} as month

    -- Each period is expanded over its own months only: the cost grows with active months.
    from paid_periods
    where first_month_in_force <= last_reported_month

),

final as (

    -- One row per customer, plan and month with MRR in that plan: the customer's MRR split by plan,
    -- so the plans of a customer-month sum to its MRR in int_customer_months_aggregated.
    select
        customer_id,
        plan,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        cast(sum(arr) as {{ type_money() }}) as arr

    from expanded
    group by customer_id, plan, month

)

select * from final
