with

cohort_sums as (

    select * from {{ ref('int_retention_cohorts_summed') }}

),

aggregated as (

    -- One row per period, dimension and value, 'All' included: the sums shared with nrr_by_period
    -- (DECISIONLOG "NRR by period and by dimension share one pass over the cohort members").
    select * from cohort_sums

),

{{ nrr_ratios_derived('dimension_value', partition_columns=['dimension']) }}

select * from final
