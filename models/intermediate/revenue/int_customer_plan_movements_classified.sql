with

customer_plan_months as (

    select * from {{ ref('int_customer_plan_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

first_months as (

    -- The first month each customer paid for each plan: a pair's first month is new, a later return
    -- a reactivation.
    select
        customer_id,
        plan,
        min(month) as first_month

    from customer_plan_months
    group by customer_id, plan

),

month_pairs as (

    -- Each pair's month end against the previous month end (SPEC section 3 at the customer x plan
    -- grain): a pair in force in only one of the two months has 0 MRR in the other, and the month
    -- after its last paid month is its churn, inside the reporting months.
    select
        coalesce(current_months.customer_id, previous_months.customer_id) as customer_id,
        coalesce(current_months.plan, previous_months.plan) as plan,
        coalesce(current_months.month, {{ add_months('previous_months.month', 1) }}) as month,
        cast(coalesce(previous_months.mrr, 0) as {{ type_money() }}) as starting_mrr,
        cast(coalesce(current_months.mrr, 0) as {{ type_money() }}) as ending_mrr,
        cast(coalesce(previous_months.arr, 0) as {{ type_money() }}) as starting_arr,
        cast(coalesce(current_months.arr, 0) as {{ type_money() }}) as ending_arr

    from customer_plan_months as current_months
    full outer join customer_plan_months as previous_months
        on
            current_months.customer_id = previous_months.customer_id
            and current_months.plan = previous_months.plan
            and current_months.month = {{ add_months('previous_months.month', 1) }}

),

pairs_in_reporting_months as (

    select month_pairs.*

    from month_pairs
    cross join as_of
    where month_pairs.month <= as_of.as_of_month

),

classified as (

    -- int_mrr_movements_classified's six types, per customer and plan.
    select
        pairs_in_reporting_months.*,
        {{ movement_type_of(
            'pairs_in_reporting_months.starting_mrr',
            'pairs_in_reporting_months.ending_mrr',
            'pairs_in_reporting_months.month = first_months.first_month'
        ) }} as movement_type

    from pairs_in_reporting_months
    inner join first_months
        on
            pairs_in_reporting_months.customer_id = first_months.customer_id
            and pairs_in_reporting_months.plan = first_months.plan

),

final as (

    select
        customer_id,
        plan,
        month,
        starting_mrr,
        ending_mrr,
        starting_arr,
        ending_arr,
        movement_type,
        {{ movement_amounts() }}

    from classified

)

select * from final
