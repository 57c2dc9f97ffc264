-- Every trailing-12-month NRR has its benchmark row, with the same NRR and GRR, and no benchmark row
-- exists without one: a segment's row is in segment_benchmarks, the company's ('All') in
-- company_benchmark. With under 13 months of history there are neither, and that is not a failure.
with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

segment_benchmarks as (

    select * from {{ ref('segment_benchmarks') }}

),

company_benchmark as (

    select * from {{ ref('company_benchmark') }}

),

trailing_nrr as (

    select
        period_end_month,
        segment,
        nrr_pct,
        grr_pct

    from nrr
    where period_months = 12

),

benchmarked as (

    select
        period_end_month,
        segment,
        nrr_pct,
        grr_pct

    from segment_benchmarks

    union all

    select
        period_end_month,
        'All' as segment,
        nrr_pct,
        grr_pct

    from company_benchmark

)

select
    coalesce(trailing_nrr.period_end_month, benchmarked.period_end_month) as period_end_month,
    coalesce(trailing_nrr.segment, benchmarked.segment) as segment,
    case
        when benchmarked.segment is null then 'trailing-12-month NRR without a benchmark row'
        when trailing_nrr.segment is null then 'benchmark row without a trailing-12-month NRR'
        else 'benchmark NRR or GRR differs from nrr_by_period'
    end as failure

from trailing_nrr
full outer join benchmarked
    on
        trailing_nrr.period_end_month = benchmarked.period_end_month
        and trailing_nrr.segment = benchmarked.segment
where
    trailing_nrr.segment is null
    or benchmarked.segment is null
    or trailing_nrr.nrr_pct != benchmarked.nrr_pct
    or trailing_nrr.grr_pct != benchmarked.grr_pct
