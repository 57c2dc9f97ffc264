with

family_months as (

    select * from {{ ref('int_family_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

{{ cohort_members_compared('family_months', 'family_id') }}

select * from final
