with

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customers as (

    -- The customer's current segment, as dim_customers publishes it (a mart on a mart, one source
    -- of the segment for both).
    select * from {{ ref('dim_customers') }}

),

causes as (

    -- Expansion and contraction split by cause, for the customer-months with MRR in both months
    -- (DECISIONLOG "Causes of expansion and contraction").
    select * from {{ ref('int_mrr_movement_causes_attributed') }}

),

movements_with_segment as (

    select
        movements.*,
        coalesce(customers.segment, 'Unknown') as segment

    from movements
    left join customers
        on movements.customer_id = customers.customer_id

),

movements_with_causes as (

    -- New, reactivation and churn rows have no cause row: their causes are 0.
    select
        movements_with_segment.*,
        cast(coalesce(causes.seats_mrr, 0) as {{ type_money() }}) as seats_mrr,
        cast(coalesce(causes.price_mrr, 0) as {{ type_money() }}) as price_mrr,
        cast(coalesce(causes.cross_sell_mrr, 0) as {{ type_money() }}) as cross_sell_mrr,
        cast(coalesce(causes.cross_sell_lost_mrr, 0) as {{ type_money() }}) as cross_sell_lost_mrr

    from movements_with_segment
    left join causes
        on
            movements_with_segment.customer_id = causes.customer_id
            and movements_with_segment.month = causes.month

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
        churned_mrr,
        seats_mrr,
        price_mrr,
        cross_sell_mrr,
        cross_sell_lost_mrr

    from movements_with_causes

)

select * from final
