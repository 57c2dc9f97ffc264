with

customer_plan_months as (

    select * from {{ ref('int_customer_plan_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

sequenced as (

    -- Each pair's paid month with the pair's previous and next paid months (not calendar neighbours),
    -- as int_mrr_movements_classified sequences a customer's months: a window over the pair, not a
    -- join of the table with itself (at 1M customers that join ran out of memory).
    select
        customer_id,
        plan,
        month,
        mrr,
        arr,
        lag(month) over (partition by customer_id, plan order by month) as previous_paid_month,
        lag(mrr) over (partition by customer_id, plan order by month) as previous_paid_mrr,
        lag(arr) over (partition by customer_id, plan order by month) as previous_paid_arr,
        lead(month) over (partition by customer_id, plan order by month) as next_paid_month

    from customer_plan_months

),

paid_months as (

    -- SPEC section 3 at the customer x plan grain: a paid month's starting MRR is last month's, or 0
    -- when the pair had none last month. The pair's first paid month is new, a later return a
    -- reactivation.
    select
        customer_id,
        plan,
        month,
        case
            when previous_paid_month = {{ add_months('month', -1) }} then previous_paid_mrr
            else 0
        end as starting_mrr,
        mrr as ending_mrr,
        case
            when previous_paid_month = {{ add_months('month', -1) }} then previous_paid_arr
            else 0
        end as starting_arr,
        arr as ending_arr,
        previous_paid_month is null as is_first_month

    from sequenced

),

churn_months as (

    -- The month after a paid month that has none: the pair's churn, inside the reporting months.
    select
        sequenced.customer_id,
        sequenced.plan,
        {{ add_months('sequenced.month', 1) }} as month,
        sequenced.mrr as starting_mrr,
        0 as ending_mrr,
        sequenced.arr as starting_arr,
        0 as ending_arr,
        false as is_first_month

    from sequenced
    cross join as_of
    where
        (
            sequenced.next_paid_month is null
            or sequenced.next_paid_month > {{ add_months('sequenced.month', 1) }}
        )
        and {{ add_months('sequenced.month', 1) }} <= as_of.as_of_month

),

month_pairs as (

    select * from paid_months
    union all
    select * from churn_months

),

classified as (

    -- int_mrr_movements_classified's six types, per customer and plan.
    select
        customer_id,
        plan,
        month,
        cast(starting_mrr as {{ type_money() }}) as starting_mrr,
        cast(ending_mrr as {{ type_money() }}) as ending_mrr,
        cast(starting_arr as {{ type_money() }}) as starting_arr,
        cast(ending_arr as {{ type_money() }}) as ending_arr,
        {{ movement_type_of('starting_mrr', 'ending_mrr', 'is_first_month') }} as movement_type

    from month_pairs

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
