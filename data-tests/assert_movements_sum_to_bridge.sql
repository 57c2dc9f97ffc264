-- The customer-level movements add up to the monthly bridge, column by column, and every month with a
-- movement is a bridge month.
with

movements as (

    select * from {{ ref('fct_mrr_movements') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

movement_totals as (

    select
        month,
        sum(starting_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr,
        sum(case when movement_type = 'churn' then 1 else 0 end) as churned_customers

    from movements
    group by month

)

select
    movement_totals.*,
    bridge.month as bridge_month

from movement_totals
left join bridge
    on movement_totals.month = bridge.month
where
    bridge.month is null
    or movement_totals.starting_mrr != bridge.starting_mrr
    or movement_totals.new_mrr != bridge.new_mrr
    or movement_totals.reactivation_mrr != bridge.reactivation_mrr
    or movement_totals.expansion_mrr != bridge.expansion_mrr
    or movement_totals.contraction_mrr != bridge.contraction_mrr
    or movement_totals.churned_mrr != bridge.churned_mrr
    or movement_totals.ending_mrr != bridge.ending_mrr
    or movement_totals.churned_customers != bridge.churned_customers
