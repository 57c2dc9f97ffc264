with

spans as (

    select * from {{ ref('int_customer_plan_spans_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

sequenced as (

    -- DECISIONLOG "The plan grain at the period grain": each span of the pair with the pair's previous
    -- and next spans, a window over the spans (2.6 M at 1 M customers), not over the pair's 15.7 M
    -- paid months: inside a span the MRR and ARR do not change.
    select
        customer_id,
        plan,
        first_month,
        last_month,
        mrr,
        arr,
        {{ spans_sequenced(['customer_id', 'plan'], 'first_month', 'last_month', ['mrr', 'arr']) }}

    from spans

),

span_months as (

    -- Each paid month of each span.
    select
        customer_id,
        plan,
        first_month,
        mrr,
        arr,
        previous_last_month,
        previous_span_mrr,
        previous_span_arr,
        {{ explode_months('first_month', 'last_month') }} as month

    from sequenced

),

paid_months as (

    -- SPEC section 3 at the customer x plan grain: a paid month's starting MRR is last month's, or 0
    -- when the pair had none last month (only a span's first month can differ from the month
    -- before). The pair's first paid month is new, a later return a reactivation.
    select
        customer_id,
        plan,
        month,
        case
            when month > first_month then mrr
            when {{ follows_previous_span('month') }} then previous_span_mrr
            else 0
        end as starting_mrr,
        mrr as ending_mrr,
        case
            when month > first_month then arr
            when {{ follows_previous_span('month') }} then previous_span_arr
            else 0
        end as starting_arr,
        arr as ending_arr,
        (month = first_month and previous_last_month is null) as is_first_month

    from span_months

),

churn_months as (

    -- The month after a span when the next span does not start then: the pair's churn, inside the
    -- reporting months.
    select
        sequenced.customer_id,
        sequenced.plan,
        {{ add_months('sequenced.last_month', 1) }} as month,
        sequenced.mrr as starting_mrr,
        0 as ending_mrr,
        sequenced.arr as starting_arr,
        0 as ending_arr,
        false as is_first_month

    from sequenced
    cross join as_of
    where
        {{ is_followed_by_gap('sequenced.last_month', 'sequenced') }}
        and {{ add_months('sequenced.last_month', 1) }} <= as_of.as_of_month

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
