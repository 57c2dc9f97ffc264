-- For each month and dimension, the parts' starting MRR, ending MRR and ending ARR sum to the
-- company's ('All'). Segment, country and ARR band put each customer-month in one part, so every
-- movement amount and customer count adds up too. At the plan grain a plan switch is a churn of one
-- plan and new in another while the company sees no movement, so only the MRR and ARR at each month
-- end add up there (DECISIONLOG "Dimensions beside segment").
with

by_dimension as (

    select * from {{ ref('saas_metrics_by_dimension') }}

),

company as (

    select * from by_dimension
    where dimension_value = 'All'

),

part_totals as (

    select
        month,
        dimension,
        sum(starting_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr,
        sum(ending_arr) as ending_arr,
        sum(starting_customers) as starting_customers,
        sum(active_customers) as active_customers,
        sum(new_customers) as new_customers,
        sum(reactivated_customers) as reactivated_customers,
        sum(churned_customers) as churned_customers

    from by_dimension
    where dimension_value != 'All'
    group by month, dimension

),

compared as (

    select
        company.month,
        company.dimension,
        company.starting_mrr as all_starting_mrr,
        part_totals.starting_mrr as parts_starting_mrr,
        company.ending_mrr as all_ending_mrr,
        part_totals.ending_mrr as parts_ending_mrr,
        case
            when part_totals.dimension is null then 'no parts'
            when
                company.starting_mrr != part_totals.starting_mrr
                or company.ending_mrr != part_totals.ending_mrr
                or company.ending_arr != part_totals.ending_arr
                then 'starting or ending MRR or ARR differs from All'
            when
                company.dimension != 'plan'
                and (
                    company.new_mrr != part_totals.new_mrr
                    or company.reactivation_mrr != part_totals.reactivation_mrr
                    or company.expansion_mrr != part_totals.expansion_mrr
                    or company.contraction_mrr != part_totals.contraction_mrr
                    or company.churned_mrr != part_totals.churned_mrr
                    or company.starting_customers != part_totals.starting_customers
                    or company.active_customers != part_totals.active_customers
                    or company.new_customers != part_totals.new_customers
                    or company.reactivated_customers != part_totals.reactivated_customers
                    or company.churned_customers != part_totals.churned_customers
                )
                then 'movements or counts differ from All'
        end as failure

    from company
    left join part_totals
        on
            company.month = part_totals.month
            and company.dimension = part_totals.dimension

)

select * from compared
where failure is not null
