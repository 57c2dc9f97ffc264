{{ config(**incremental_period_config('month')) }}
{%- set window = incremental_window_literal() %}

with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

first_months as (

    select
        customer_id,
        min(month) as cohort_month

    from customer_months
    group by customer_id

),

member_months as (

    select
        first_months.cohort_month,
        customer_months.month,
        customer_months.customer_id,
        customer_months.mrr

    from customer_months
    inner join first_months
        on customer_months.customer_id = first_months.customer_id
    {% if is_incremental() and window is not none -%}
    -- Incremental run: the window's months, and each member's first month (its cohort's size). A
    -- month before the window counts members of cohorts before it, all kept: its rows are kept.
    where
        customer_months.month >= {{ window }}
        or customer_months.month = first_months.cohort_month
    {%- endif %}

),

cohort_activity as (

    select
        cohort_month,
        month,
        cast(count(*) as bigint) as active_customers,
        cast(sum(mrr) as {{ type_money() }}) as mrr

    from member_months
    group by cohort_month, month

),

cohort_sizes as (

    select
        cohort_month,
        active_customers as cohort_customers,
        mrr as cohort_starting_mrr

    from cohort_activity
    where month = cohort_month

),

cohort_grid as (

    -- Every cohort against every month from its start through the as-of month: cohorts x months,
    -- a small grid, so months without an active member still get a row of zeros.
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        cohort_sizes.cohort_starting_mrr,
        months.month

    from cohort_sizes
    inner join months
        on cohort_sizes.cohort_month <= months.month
    {% if is_incremental() and window is not none -%}
    where months.month >= {{ window }}
    {%- endif %}

),

final as (

    select
        cohort_grid.cohort_month,
        {{ dbt.datediff('cohort_grid.cohort_month', 'cohort_grid.month', 'month') }} as months_since_start,
        cohort_grid.month,
        cohort_grid.cohort_customers,
        cohort_grid.cohort_starting_mrr,
        cast(coalesce(cohort_activity.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(cohort_activity.mrr, 0) as {{ type_money() }}) as mrr,
        100 * (
            cast(coalesce(cohort_activity.mrr, 0) as {{ type_double() }})
            / cast(cohort_grid.cohort_starting_mrr as {{ type_double() }})
        ) as revenue_retention_pct,
        100 * (
            cast(coalesce(cohort_activity.active_customers, 0) as {{ type_double() }})
            / cast(cohort_grid.cohort_customers as {{ type_double() }})
        ) as logo_retention_pct

    from cohort_grid
    left join cohort_activity
        on
            cohort_grid.cohort_month = cohort_activity.cohort_month
            and cohort_grid.month = cohort_activity.month

)

select * from final
