with

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customers as (

    -- The customer's current segment, as dim_customers publishes it (a mart on a mart, one source
    -- of the segment for both).
    select * from {{ ref('dim_customers') }}

),

movements_with_segment as (

    select
        movements.*,
        coalesce(customers.segment, 'Unknown') as segment

    from movements
    left join customers
        on movements.customer_id = customers.customer_id

),

final as (

    select
        month,
        customer_id,
        segment,
        starting_mrr,
        ending_mrr,
        movement_type,
        new_mrr,
        reactivation_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr

    from movements_with_segment

)

select * from final
