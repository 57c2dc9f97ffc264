{#- The columns of each paid period (paid_periods_cut_at_as_of) besides its months in force. -#}
{%- set paid_period_columns = [
    'periods.customer_id',
    "coalesce(periods.plan_id, 'Unknown') as plan",
    'periods.mrr',
    'periods.arr',
] -%}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

paid_periods as (

    -- The month-end rule of int_customer_months_aggregated (SPEC section 2), per period; periods with
    -- MRR 0 never make a customer active in a plan. A period without a plan counts in the plan
    -- 'Unknown' (DECISIONLOG "Dimensions beside segment").
    {{ paid_periods_cut_at_as_of(paid_period_columns) }}

),

period_edges as (

    -- DECISIONLOG "The plan grain at the period grain": a period adds its MRR and ARR at its first
    -- month and takes them away at the month after its last.
    select
        customer_id,
        plan,
        first_month_in_force as month,
        mrr,
        arr,
        1 as periods_in_force

    from paid_periods
    where first_month_in_force <= last_reported_month

    union all

    select
        customer_id,
        plan,
        {{ add_months('last_reported_month', 1) }} as month,
        -mrr as mrr,
        -arr as arr,
        -1 as periods_in_force

    from paid_periods
    where first_month_in_force <= last_reported_month

),

pair_month_edges as (

    -- The changes of each (customer, plan) pair per month, those of several periods summed.
    select
        customer_id,
        plan,
        month,
        sum(mrr) as mrr_change,
        sum(arr) as arr_change,
        sum(periods_in_force) as periods_in_force_change

    from period_edges
    group by customer_id, plan, month

),

running as (

    -- The pair's MRR, ARR and periods in force from each change to the next one (exact decimal sums).
    select
        customer_id,
        plan,
        month as first_month,
        {{ add_months(
            'lead(month) over (partition by customer_id, plan order by month)', -1
        ) }} as last_month,
        sum(mrr_change) over (
            partition by customer_id, plan order by month rows between unbounded preceding and current row
        ) as mrr,
        sum(arr_change) over (
            partition by customer_id, plan order by month rows between unbounded preceding and current row
        ) as arr,
        sum(periods_in_force_change) over (
            partition by customer_id, plan order by month rows between unbounded preceding and current row
        ) as periods_in_force

    from pair_month_edges

),

final as (

    -- One row per pair and span of months with MRR in the plan at every month end and no change of
    -- MRR or ARR inside (every span ends: the last change takes the last period away).
    select
        customer_id,
        plan,
        first_month,
        last_month,
        cast(mrr as {{ type_money() }}) as mrr,
        cast(arr as {{ type_money() }}) as arr

    from running
    where periods_in_force > 0

)

select * from final
