with

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

final as (

    select
        movements.month,
        movements.customer_id,
        coalesce(customers.segment, 'Unknown') as segment,
        movements.starting_mrr,
        movements.ending_mrr,
        movements.movement_type,
        movements.new_mrr,
        movements.reactivation_mrr,
        movements.expansion_mrr,
        movements.contraction_mrr,
        movements.churned_mrr

    from movements
    left join customers
        on movements.customer_id = customers.customer_id

)

select * from final
