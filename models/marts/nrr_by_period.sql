{{ config(**incremental_period_config()) }}
-- Incremental: recomputes the periods ending in the rewritten window and the segments whose customers
-- changed, and keeps the rest (DECISIONLOG "nrr_by_period recomputes the rewritten months and the
-- changed segments"). It reads both through relations, after:
-- depends_on: {{ ref('int_incremental_window_resolved') }}
-- depends_on: {{ ref('int_customer_segments_changed') }}
with

cohort_members as (

    select * from {{ ref('int_retention_cohorts_compared') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

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

{% if is_incremental() -%}
members_recomputed as (

    -- The members of the rows this run recomputes (their 'All' rows of kept periods are dropped below).
    select * from members_with_segment
    where {{ recomputed_period_rows() }}

),
{%- else -%}
    members_recomputed as (

        select * from members_with_segment

    ),
{%- endif %}

{{ nrr_by_period_aggregated('members_recomputed') }}

select * from final
{% if is_incremental() -%}
where {{ recomputed_period_rows() }}
{%- endif %}
