with

subscription_months as (

    -- Each paid period at each month end it is in force, with its plan ('Unknown' when it has none):
    -- the month-end rule of int_customer_months_aggregated, applied once for both grains.
    select * from {{ ref('int_subscription_months_expanded') }}

),

final as (

    -- One row per customer, plan and month with MRR in that plan: the customer's MRR split by plan,
    -- so the plans of a customer-month sum to its MRR in int_customer_months_aggregated.
    select
        customer_id,
        plan,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        cast(sum(arr) as {{ type_money() }}) as arr

    from subscription_months
    group by customer_id, plan, month

)

select * from final
