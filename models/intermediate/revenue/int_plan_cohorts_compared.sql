with

customer_plan_months as (

    select * from {{ ref('int_customer_plan_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

-- The cohort comparison of int_retention_cohorts_compared at the customer x plan grain: a member is a
-- (customer, plan) pair with MRR in that plan at S (DECISIONLOG "Dimensions beside segment").
{{ cohort_members_compared('customer_plan_months', ['customer_id', 'plan']) }}

select * from final
