-- The stage is decided on the company's total ARR at the end month: the bridge's ending_arr.
with

company_benchmark as (

    select * from {{ ref('company_benchmark') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

)

select
    company_benchmark.period_end_month,
    company_benchmark.ending_arr,
    bridge.ending_arr as bridge_ending_arr

from company_benchmark
left join bridge
    on company_benchmark.period_end_month = bridge.month
where
    bridge.month is null
    or company_benchmark.ending_arr != bridge.ending_arr
