-- Account families partition the customers: in every month the families' MRR sums exactly to the
-- company's (mrr_bridge_monthly.ending_mrr), and every month with MRR has family rows.
with

family_months as (

    select * from {{ ref('int_family_months_aggregated') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

family_totals as (

    select
        month,
        sum(mrr) as family_mrr

    from family_months
    group by month

)

select
    bridge.month,
    bridge.ending_mrr,
    family_totals.family_mrr

from bridge
full outer join family_totals
    on bridge.month = family_totals.month
where
    coalesce(bridge.ending_mrr, 0) != coalesce(family_totals.family_mrr, 0)
