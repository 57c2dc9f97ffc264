with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

{{ cohort_members_compared('customer_months', 'customer_id') }}

select * from final
