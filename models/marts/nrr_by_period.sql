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

{{ nrr_by_period_aggregated('members_with_segment') }}

select * from final
