-- Cohorts partition the customers with revenue: in every month the cohorts' MRR and active customers
-- add up to the bridge's, and each cohort starts at 100 % of itself.
with

cohorts as (

    select * from {{ ref('cohort_retention') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

month_totals as (

    select
        month,
        sum(mrr) as mrr,
        sum(active_customers) as active_customers

    from cohorts
    group by month

),

totals_against_bridge as (

    select bridge.month

    from bridge
    left join month_totals
        on bridge.month = month_totals.month
    where
        coalesce(month_totals.mrr, 0) != bridge.ending_mrr
        or coalesce(month_totals.active_customers, 0) != bridge.active_customers

),

first_months_not_whole as (

    select cohort_month as month

    from cohorts
    where
        months_since_start = 0
        and (
            active_customers != cohort_customers
            or mrr != cohort_starting_mrr
        )

)

select
    month,
    'cohort totals differ from the bridge' as failure
from totals_against_bridge

union all

select
    month,
    'a cohort does not start whole' as failure
from first_months_not_whole
