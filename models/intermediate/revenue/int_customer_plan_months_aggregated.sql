with

spans as (

    select * from {{ ref('int_customer_plan_spans_aggregated') }}

),

final as (

    -- One row per customer, plan and month with MRR in that plan: the customer's MRR split by plan,
    -- so the plans of a customer-month sum to its MRR in int_customer_months_aggregated. Each span is
    -- expanded over its own months, which no other span of the pair shares (no aggregation).
    select
        customer_id,
        plan,
        {{ explode_months('first_month', 'last_month') }} as month,
        mrr,
        arr

    from spans

)

select * from final
