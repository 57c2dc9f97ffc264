-- For each NRR period and dimension, the parts sum to the company ('All'). Segment, country and ARR
-- band split the same customers, so every amount and count adds up. A plan part is a (customer, plan)
-- pair with that plan's MRR at S: the plan parts add up to All's starting MRR, and their ending MRR
-- plus the revenue at E of plans the cohort's customers did not pay for at S (taken up inside the
-- period, outside every plan cohort) is All's ending MRR (DECISIONLOG "Dimensions beside segment").
with

by_dimension as (

    select * from {{ ref('nrr_by_dimension') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

plan_months as (

    select * from {{ ref('int_customer_plan_months_aggregated') }}

),

period_lengths as (

    {{ rows_of_values('period_months', var('nrr_period_months')) }}

),

company as (

    select * from by_dimension
    where dimension_value = 'All'

),

part_totals as (

    select
        period_end_month,
        period_months,
        dimension,
        sum(cohort_customers) as cohort_customers,
        sum(retained_customers) as retained_customers,
        sum(starting_mrr) as starting_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr

    from by_dimension
    where dimension_value != 'All'
    group by period_end_month, period_months, dimension

),

plans_taken_up as (

    -- MRR at E of each cohort customer's plans that had no MRR at S, computed from the plan and
    -- customer months directly, not from nrr_by_dimension nor the cohort members: each plan month is
    -- the end E of a period of each length, kept when its customer had a month at S = E - k (it is in
    -- that period's cohort) and the plan had none. One join fewer than going through the cohort
    -- members view (DECISIONLOG "The plans taken up are checked from the plan months").
    select
        end_plans.month as period_end_month,
        period_lengths.period_months,
        sum(end_plans.mrr) as taken_up_mrr

    from plan_months as end_plans
    cross join period_lengths
    inner join customer_months as start_months
        on
            end_plans.customer_id = start_months.customer_id
            and {{ add_months('end_plans.month', '-1 * period_lengths.period_months') }} = start_months.month
    left join plan_months as start_plans
        on
            end_plans.customer_id = start_plans.customer_id
            and end_plans.plan = start_plans.plan
            and start_months.month = start_plans.month
    where start_plans.customer_id is null
    group by end_plans.month, period_lengths.period_months

),

compared as (

    select
        company.period_end_month,
        company.period_months,
        company.dimension,
        company.starting_mrr as all_starting_mrr,
        part_totals.starting_mrr as parts_starting_mrr,
        company.ending_mrr as all_ending_mrr,
        part_totals.ending_mrr as parts_ending_mrr,
        coalesce(plans_taken_up.taken_up_mrr, 0) as taken_up_mrr,
        case
            when part_totals.dimension is null then 'no parts'
            when company.starting_mrr != part_totals.starting_mrr then 'starting_mrr differs'
            when
                company.dimension = 'plan'
                and company.ending_mrr != part_totals.ending_mrr + coalesce(plans_taken_up.taken_up_mrr, 0)
                then 'plan parts ending_mrr + plans taken up differs from All'
            when
                company.dimension != 'plan'
                and (
                    company.ending_mrr != part_totals.ending_mrr
                    or company.expansion_mrr != part_totals.expansion_mrr
                    or company.contraction_mrr != part_totals.contraction_mrr
                    or company.churned_mrr != part_totals.churned_mrr
                    or company.cohort_customers != part_totals.cohort_customers
                    or company.retained_customers != part_totals.retained_customers
                )
                then 'parts differ from All'
        end as failure

    from company
    left join part_totals
        on
            company.period_end_month = part_totals.period_end_month
            and company.period_months = part_totals.period_months
            and company.dimension = part_totals.dimension
    left join plans_taken_up
        on
            company.period_end_month = plans_taken_up.period_end_month
            and company.period_months = plans_taken_up.period_months

)

select * from compared
where failure is not null
