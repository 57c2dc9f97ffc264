-- nrr_methods_compared has one row for every row of nrr_by_period, with its cohort figures unchanged,
-- and the starting MRR of both methods is the segment's MRR at the start month S
-- (saas_metrics_monthly.ending_mrr of S): the two methods start from the same amount.
with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

compared as (

    select * from {{ ref('nrr_methods_compared') }}

),

metrics as (

    select * from {{ ref('saas_metrics_monthly') }}

)

select
    coalesce(nrr.period_end_month, compared.period_end_month) as period_end_month,
    coalesce(nrr.period_months, compared.period_months) as period_months,
    coalesce(nrr.segment, compared.segment) as segment

from nrr
full outer join compared
    on
        nrr.period_end_month = compared.period_end_month
        and nrr.period_months = compared.period_months
        and nrr.segment = compared.segment
left join metrics as start_months
    on
        compared.period_start_month = start_months.month
        and compared.segment = start_months.segment
where
    nrr.segment is null
    or compared.segment is null
    or start_months.segment is null
    or compared.starting_mrr != nrr.starting_mrr
    or compared.starting_mrr != start_months.ending_mrr
    or compared.cohort_ending_mrr != nrr.ending_mrr
    or compared.cohort_customers != nrr.cohort_customers
    or compared.cohort_nrr_pct != nrr.nrr_pct
    or compared.cohort_grr_pct != nrr.grr_pct
