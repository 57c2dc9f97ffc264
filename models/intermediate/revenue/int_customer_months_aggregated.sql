with

subscription_months as (

    select * from {{ ref('int_subscription_months_expanded') }}

),

final as (

    select
        customer_id,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        count(*) as paid_periods_in_force

    from subscription_months
    group by customer_id, month

)

select * from final
