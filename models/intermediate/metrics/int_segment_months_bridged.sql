with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

causes as (

    select * from {{ ref('int_mrr_movement_causes_attributed') }}

),

movements_with_segment as (

    -- Each movement with the customer's current segment, as in fct_mrr_movements and nrr_by_period.
    -- With its causes (0 on rows without a cause row: new, reactivation, churn).
    select
        movements.*,
        coalesce(customers.segment, 'Unknown') as segment,
        coalesce(causes.seats_mrr, 0) as seats_mrr,
        coalesce(causes.price_mrr, 0) as price_mrr,
        coalesce(causes.cross_sell_mrr, 0) as cross_sell_mrr,
        coalesce(causes.cross_sell_lost_mrr, 0) as cross_sell_lost_mrr

    from movements
    left join customers
        on movements.customer_id = customers.customer_id
    left join causes
        on
            movements.customer_id = causes.customer_id
            and movements.month = causes.month

),

segment_movements as (

    -- The bridge of each month per segment, and for 'All' by the rollup of segment: sums of the
    -- movement amounts, no second computation of MRR.
    select
        month,
        case when grouping(segment) = 1 then 'All' else segment end as segment,
        cast(sum(starting_mrr) as {{ type_money() }}) as starting_mrr,
        cast(sum(new_mrr) as {{ type_money() }}) as new_mrr,
        cast(sum(reactivation_mrr) as {{ type_money() }}) as reactivation_mrr,
        cast(sum(expansion_mrr) as {{ type_money() }}) as expansion_mrr,
        cast(sum(contraction_mrr) as {{ type_money() }}) as contraction_mrr,
        cast(sum(churned_mrr) as {{ type_money() }}) as churned_mrr,
        cast(sum(ending_mrr) as {{ type_money() }}) as ending_mrr,
        cast(sum(case when starting_mrr > 0 then 1 else 0 end) as bigint) as starting_customers,
        cast(sum(case when ending_mrr > 0 then 1 else 0 end) as bigint) as active_customers,
        cast(sum(case when movement_type = 'new' then 1 else 0 end) as bigint) as new_customers,
        cast(sum(case when movement_type = 'reactivation' then 1 else 0 end) as bigint)
            as reactivated_customers,
        cast(sum(case when movement_type = 'churn' then 1 else 0 end) as bigint) as churned_customers,
        -- Expansion and contraction by cause, each in the movement's direction (DECISIONLOG "Causes
        -- of expansion and contraction"): expansion = seats + price + cross-sell - cross-sell lost
        -- over the expansion rows; contraction = seats + price + cross-sell lost - cross-sell over
        -- the contraction rows, seats and price there counted as MRR lost.
        cast(
            sum(case when movement_type = 'expansion' then seats_mrr else 0 end) as {{ type_money() }}
        ) as expansion_seats_mrr,
        cast(
            sum(case when movement_type = 'expansion' then price_mrr else 0 end) as {{ type_money() }}
        ) as expansion_price_mrr,
        cast(
            sum(case when movement_type = 'expansion' then cross_sell_mrr else 0 end) as {{ type_money() }}
        ) as expansion_cross_sell_mrr,
        cast(
            sum(case when movement_type = 'expansion' then cross_sell_lost_mrr else 0 end) as {{ type_money() }}
        ) as expansion_cross_sell_lost_mrr,
        cast(
            sum(case when movement_type = 'contraction' then -seats_mrr else 0 end)
            as {{ type_money() }}
        ) as contraction_seats_mrr,
        cast(
            sum(case when movement_type = 'contraction' then -price_mrr else 0 end)
            as {{ type_money() }}
        ) as contraction_price_mrr,
        cast(
            sum(case when movement_type = 'contraction' then cross_sell_mrr else 0 end)
            as {{ type_money() }}
        ) as contraction_cross_sell_mrr,
        cast(
            sum(case when movement_type = 'contraction' then cross_sell_lost_mrr else 0 end)
            as {{ type_money() }}
        ) as contraction_cross_sell_lost_mrr

    from movements_with_segment
    group by month, rollup(segment)

),

customer_months_with_segment as (

    select
        customer_months.month,
        customer_months.arr,
        coalesce(customers.segment, 'Unknown') as segment

    from customer_months
    left join customers
        on customer_months.customer_id = customers.customer_id

),

segment_arr as (

    -- ARR from the exact annualised amounts, like mrr_bridge_monthly.ending_arr.
    select
        month,
        case when grouping(segment) = 1 then 'All' else segment end as segment,
        cast(sum(arr) as {{ type_money() }}) as ending_arr

    from customer_months_with_segment
    group by month, rollup(segment)

),

segments as (

    select distinct segment from segment_movements

),

month_segment_grid as (

    -- Every reporting month for every segment with a movement in any month ('All' included): a month
    -- without a movement of the segment gets a row of zeros.
    select
        months.month,
        segments.segment

    from months
    cross join segments

),

final as (

    select
        month_segment_grid.month,
        month_segment_grid.segment,
        cast(coalesce(segment_movements.starting_mrr, 0) as {{ type_money() }}) as starting_mrr,
        cast(coalesce(segment_movements.new_mrr, 0) as {{ type_money() }}) as new_mrr,
        cast(coalesce(segment_movements.reactivation_mrr, 0) as {{ type_money() }}) as reactivation_mrr,
        cast(coalesce(segment_movements.expansion_mrr, 0) as {{ type_money() }}) as expansion_mrr,
        cast(coalesce(segment_movements.contraction_mrr, 0) as {{ type_money() }}) as contraction_mrr,
        cast(coalesce(segment_movements.churned_mrr, 0) as {{ type_money() }}) as churned_mrr,
        cast(coalesce(segment_movements.ending_mrr, 0) as {{ type_money() }}) as ending_mrr,
        cast(coalesce(segment_arr.ending_arr, 0) as {{ type_money() }}) as ending_arr,
        cast(coalesce(segment_movements.starting_customers, 0) as bigint) as starting_customers,
        cast(coalesce(segment_movements.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(segment_movements.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(segment_movements.reactivated_customers, 0) as bigint) as reactivated_customers,
        cast(coalesce(segment_movements.churned_customers, 0) as bigint) as churned_customers,
        cast(coalesce(segment_movements.expansion_seats_mrr, 0) as {{ type_money() }})
            as expansion_seats_mrr,
        cast(coalesce(segment_movements.expansion_price_mrr, 0) as {{ type_money() }})
            as expansion_price_mrr,
        cast(coalesce(segment_movements.expansion_cross_sell_mrr, 0) as {{ type_money() }})
            as expansion_cross_sell_mrr,
        cast(coalesce(segment_movements.expansion_cross_sell_lost_mrr, 0) as {{ type_money() }})
            as expansion_cross_sell_lost_mrr,
        cast(coalesce(segment_movements.contraction_seats_mrr, 0) as {{ type_money() }})
            as contraction_seats_mrr,
        cast(coalesce(segment_movements.contraction_price_mrr, 0) as {{ type_money() }})
            as contraction_price_mrr,
        cast(coalesce(segment_movements.contraction_cross_sell_mrr, 0) as {{ type_money() }})
            as contraction_cross_sell_mrr,
        cast(coalesce(segment_movements.contraction_cross_sell_lost_mrr, 0) as {{ type_money() }})
            as contraction_cross_sell_lost_mrr

    from month_segment_grid
    left join segment_movements
        on
            month_segment_grid.month = segment_movements.month
            and month_segment_grid.segment = segment_movements.segment
    left join segment_arr
        on
            month_segment_grid.month = segment_arr.month
            and month_segment_grid.segment = segment_arr.segment

)

select * from final
