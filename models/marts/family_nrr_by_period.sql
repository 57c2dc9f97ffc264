with

cohort_members as (

    select * from {{ ref('int_family_cohorts_compared') }}

),

families as (

    select * from {{ ref('int_account_families_resolved') }}

),

roots as (

    -- One row per family: its root, whose segment the family reports under.
    select
        family_id,
        family_segment

    from families
    where customer_id = family_id

),

members_with_segment as (

    select
        cohort_members.family_id,
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
        coalesce(roots.family_segment, 'Unknown') as segment

    from cohort_members
    left join roots
        on cohort_members.family_id = roots.family_id

),

{{ nrr_by_period_aggregated('members_with_segment') }}

select * from final
