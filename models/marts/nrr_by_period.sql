{{ config(**incremental_period_config()) }}

with

all_cohort_members as (

    select * from {{ ref('int_retention_cohorts_compared') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

{% set window = incremental_window_literal() -%}
{% if is_incremental() and window is not none -%}
cohort_members as (

    -- Incremental run: only the periods ending in the window are recomputed; a period ending before
    -- it reads months before it only, which the run keeps, and segments that cannot have changed
    -- (a changed customer row forces a full refresh: DECISIONLOG "A customer row change before the
    -- window forces a full refresh"). The start-month bound lets the view read the window's months
    -- and the longest period before them only. Without the harness's window, every period.
    select * from all_cohort_members
    where
        period_start_month >= {{ add_months(window, -1 * longest_period_months()) }}
        and period_end_month >= {{ window }}

),
{%- else -%}
    cohort_members as (

        select * from all_cohort_members

    ),
{%- endif %}

members_with_segment as (

    select
        cohort_members.customer_id,
        cohort_members.period_months,
        cohort_members.period_start_month,
        cohort_members.period_end_month,
        cohort_members.starting_mrr,
        cohort_members.ending_mrr,
        cohort_members.expansion_mrr,
        cohort_members.contraction_mrr,
        cohort_members.churned_mrr,
        cohort_members.starting_arr,
        cohort_members.ending_arr,
        cohort_members.retained_arr,
        cohort_members.is_retained,
        coalesce(customers.segment, 'Unknown') as segment

    from cohort_members
    left join customers
        on cohort_members.customer_id = customers.customer_id

),

{{ nrr_by_period_aggregated('members_with_segment') }}

select * from final
