-- The causes of movement (DECISIONLOG "Causes of expansion and contraction") belong to exactly the
-- movement rows with MRR in both months, and add up to each one's change: seats + price + cross-sell
-- - cross-sell lost = ending MRR - starting MRR. A cause row without its movement row, or a movement
-- row with MRR in both months without causes, fails (the mart's left join would hide either).
with

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

causes as (

    select * from {{ ref('int_mrr_movement_causes_attributed') }}

),

continuing_movements as (

    select * from movements
    where starting_mrr > 0 and ending_mrr > 0

),

compared as (

    select
        coalesce(continuing_movements.customer_id, causes.customer_id) as customer_id,
        coalesce(continuing_movements.month, causes.month) as month,
        continuing_movements.ending_mrr - continuing_movements.starting_mrr as movement_mrr,
        causes.seats_mrr + causes.price_mrr + causes.cross_sell_mrr - causes.cross_sell_lost_mrr
            as causes_mrr

    from continuing_movements
    full outer join causes
        on
            continuing_movements.customer_id = causes.customer_id
            and continuing_movements.month = causes.month

),

final as (

    select * from compared
    where movement_mrr is null or causes_mrr is null or movement_mrr <> causes_mrr

)

select * from final
