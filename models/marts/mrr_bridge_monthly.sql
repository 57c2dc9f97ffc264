with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

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
        sum(case when ending_mrr > 0 then 1 else 0 end) as active_customers,
        sum(case when movement_type = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement_type = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement_type = 'churn' then 1 else 0 end) as churned_customers

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
        {{ arr_of('coalesce(monthly_totals.ending_mrr, 0)') }} as ending_arr,
        coalesce(monthly_totals.active_customers, 0) as active_customers,
        coalesce(monthly_totals.new_customers, 0) as new_customers,
        coalesce(monthly_totals.reactivated_customers, 0) as reactivated_customers,
        coalesce(monthly_totals.churned_customers, 0) as churned_customers

    from months
    left join monthly_totals
        on months.month = monthly_totals.month

)

select * from final
