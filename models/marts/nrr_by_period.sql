{{ config(**incremental_period_config()) }}

with

cohort_sums as (

    select * from {{ ref('int_retention_cohorts_summed') }}

),

segment_sums as (

    -- The segment dimension's rows, 'All' included: the cohort members summed per period and each
    -- customer's current segment, and the whole cohort (DECISIONLOG "NRR by period and by dimension
    -- share one pass over the cohort members").
    select
        period_start_month,
        period_end_month,
        period_months,
        dimension_value as segment,
        {{ nrr_sum_columns() | join(',\n        ') }}

    from cohort_sums
    where dimension = 'segment'

),

{% set window = incremental_window_literal() -%}
{% if is_incremental() and window is not none -%}
aggregated as (

    -- Incremental run: only the periods ending in the window are replaced; a period ending before
    -- it reads months before it only, which the run keeps, and segments that cannot have changed
    -- (a changed customer row forces a full refresh: DECISIONLOG "A customer row change before the
    -- window forces a full refresh"). Without the harness's window, every period.
    select * from segment_sums
    where period_end_month >= {{ window }}

),
{%- else -%}
    aggregated as (

        select * from segment_sums

    ),
{%- endif %}

{{ nrr_ratios_derived('segment') }}

select * from final
