-- The cohort of a period is every customer with MRR at its start month, so for segment 'All' the
-- cohort's starting MRR and size equal the bridge's ending MRR and active customers of that month, and
-- the segments add up to 'All' in every column.
with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

segment_totals as (

    select
        period_end_month,
        period_months,
        sum(cohort_customers) as cohort_customers,
        sum(retained_customers) as retained_customers,
        sum(starting_mrr) as starting_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr

    from nrr
    where segment != 'All'
    group by period_end_month, period_months

),

company as (

    select * from nrr
    where segment = 'All'

)

select
    company.period_end_month,
    company.period_months,
    'company cohort differs from the bridge or from the sum of segments' as failure

from company
left join bridge
    on company.period_start_month = bridge.month
left join segment_totals
    on
        company.period_end_month = segment_totals.period_end_month
        and company.period_months = segment_totals.period_months
where
    bridge.month is null
    or company.starting_mrr != bridge.ending_mrr
    or company.cohort_customers != bridge.active_customers
    or segment_totals.period_end_month is null
    or company.cohort_customers != segment_totals.cohort_customers
    or company.retained_customers != segment_totals.retained_customers
    or company.starting_mrr != segment_totals.starting_mrr
    or company.expansion_mrr != segment_totals.expansion_mrr
    or company.contraction_mrr != segment_totals.contraction_mrr
    or company.churned_mrr != segment_totals.churned_mrr
    or company.ending_mrr != segment_totals.ending_mrr
