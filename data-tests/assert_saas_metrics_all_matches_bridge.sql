-- saas_metrics_monthly is the bridge per segment: its 'All' rows are mrr_bridge_monthly to the last
-- digit and customer, in every reporting month, and its segments add up to 'All' in every amount and
-- count.
with

metrics as (

    select * from {{ ref('saas_metrics_monthly') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

company as (

    select * from metrics
    where segment = 'All'

),

segment_totals as (

    select
        month,
        sum(starting_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr,
        sum(ending_arr) as ending_arr,
        sum(starting_customers) as starting_customers,
        sum(active_customers) as active_customers,
        sum(new_customers) as new_customers,
        sum(reactivated_customers) as reactivated_customers,
        sum(churned_customers) as churned_customers

    from metrics
    where segment != 'All'
    group by month

)

select
    'All differs from mrr_bridge_monthly or from the sum of the segments' as failure,
    coalesce(bridge.month, company.month) as month

from bridge
full outer join company
    on bridge.month = company.month
left join segment_totals
    on coalesce(bridge.month, company.month) = segment_totals.month
where
    bridge.month is null
    or company.month is null
    or segment_totals.month is null
    or company.starting_mrr != bridge.starting_mrr
    or company.new_mrr != bridge.new_mrr
    or company.reactivation_mrr != bridge.reactivation_mrr
    or company.expansion_mrr != bridge.expansion_mrr
    or company.contraction_mrr != bridge.contraction_mrr
    or company.churned_mrr != bridge.churned_mrr
    or company.ending_mrr != bridge.ending_mrr
    or company.ending_arr != bridge.ending_arr
    or company.active_customers != bridge.active_customers
    or company.new_customers != bridge.new_customers
    or company.reactivated_customers != bridge.reactivated_customers
    or company.churned_customers != bridge.churned_customers
    or company.starting_mrr != segment_totals.starting_mrr
    or company.new_mrr != segment_totals.new_mrr
    or company.reactivation_mrr != segment_totals.reactivation_mrr
    or company.expansion_mrr != segment_totals.expansion_mrr
    or company.contraction_mrr != segment_totals.contraction_mrr
    or company.churned_mrr != segment_totals.churned_mrr
    or company.ending_mrr != segment_totals.ending_mrr
    or company.ending_arr != segment_totals.ending_arr
    or company.starting_customers != segment_totals.starting_customers
    or company.active_customers != segment_totals.active_customers
    or company.new_customers != segment_totals.new_customers
    or company.reactivated_customers != segment_totals.reactivated_customers
    or company.churned_customers != segment_totals.churned_customers
