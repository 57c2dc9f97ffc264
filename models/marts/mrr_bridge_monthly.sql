with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

monthly_arr as (

    -- ARR from the exact annualised amounts (int_subscription_periods_priced), not 12 x the MRR
    -- rounded to 10 places: a quarterly price of 2,500,000 is an ARR of exactly 10,000,000.
    select
        month,
        cast(sum(arr) as {{ type_money() }}) as ending_arr

    from customer_months
    group by month

),

monthly_totals as (

    select
        month,
        cast(sum(starting_mrr) as {{ type_money() }}) as starting_mrr,
        cast(sum(new_mrr) as {{ type_money() }}) as new_mrr,
        cast(sum(reactivation_mrr) as {{ type_money() }}) as reactivation_mrr,
        cast(sum(expansion_mrr) as {{ type_money() }}) as expansion_mrr,
        cast(sum(contraction_mrr) as {{ type_money() }}) as contraction_mrr,
        cast(sum(churned_mrr) as {{ type_money() }}) as churned_mrr,
        cast(sum(ending_mrr) as {{ type_money() }}) as ending_mrr,
        cast(sum(case when ending_mrr > 0 then 1 else 0 end) as bigint) as active_customers,
        cast(sum(case when movement_type = 'new' then 1 else 0 end) as bigint) as new_customers,
        cast(sum(case when movement_type = 'reactivation' then 1 else 0 end) as bigint)
            as reactivated_customers,
        cast(sum(case when movement_type = 'churn' then 1 else 0 end) as bigint) as churned_customers

    from movements
    group by month

),

final as (

    -- Every reporting month has a row, a month without any movement included (all zeros).
    select
        months.month,
        coalesce(monthly_totals.starting_mrr, 0) as starting_mrr,
        coalesce(monthly_totals.new_mrr, 0) as new_mrr,
        coalesce(monthly_totals.reactivation_mrr, 0) as reactivation_mrr,
        coalesce(monthly_totals.expansion_mrr, 0) as expansion_mrr,
        coalesce(monthly_totals.contraction_mrr, 0) as contraction_mrr,
        coalesce(monthly_totals.churned_mrr, 0) as churned_mrr,
        coalesce(monthly_totals.ending_mrr, 0) as ending_mrr,
        cast(coalesce(monthly_arr.ending_arr, 0) as {{ type_money() }}) as ending_arr,
        cast(coalesce(monthly_totals.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(monthly_totals.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(monthly_totals.reactivated_customers, 0) as bigint) as reactivated_customers,
        cast(coalesce(monthly_totals.churned_customers, 0) as bigint) as churned_customers

    from months
    left join monthly_totals
        on months.month = monthly_totals.month
    left join monthly_arr
        on months.month = monthly_arr.month

)

select * from final
