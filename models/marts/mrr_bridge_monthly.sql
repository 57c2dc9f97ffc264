with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

segment_months as (

    select * from {{ ref('int_segment_months_bridged') }}

),

company_months as (

    -- The bridge of every customer: the 'All' rows of int_segment_months_bridged (the rollup of the
    -- segments), so the company's bridge is computed once, beside the segments' (ARR from the exact
    -- annualised amounts there too).
    select * from segment_months
    where segment = 'All'

),

final as (

    -- Every reporting month has a row, a month without any movement included (all zeros).
    select
        months.month,
        cast(coalesce(company_months.starting_mrr, 0) as {{ type_money() }}) as starting_mrr,
        cast(coalesce(company_months.new_mrr, 0) as {{ type_money() }}) as new_mrr,
        cast(coalesce(company_months.reactivation_mrr, 0) as {{ type_money() }}) as reactivation_mrr,
        cast(coalesce(company_months.expansion_mrr, 0) as {{ type_money() }}) as expansion_mrr,
        cast(coalesce(company_months.contraction_mrr, 0) as {{ type_money() }}) as contraction_mrr,
        cast(coalesce(company_months.churned_mrr, 0) as {{ type_money() }}) as churned_mrr,
        cast(coalesce(company_months.ending_mrr, 0) as {{ type_money() }}) as ending_mrr,
        cast(coalesce(company_months.ending_arr, 0) as {{ type_money() }}) as ending_arr,
        cast(coalesce(company_months.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(company_months.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(company_months.reactivated_customers, 0) as bigint) as reactivated_customers,
        cast(coalesce(company_months.churned_customers, 0) as bigint) as churned_customers,
        -- Expansion and contraction by cause, after the SPEC's columns (DECISIONLOG "Causes of
        -- expansion and contraction").
        cast(coalesce(company_months.expansion_seats_mrr, 0) as {{ type_money() }})
            as expansion_seats_mrr,
        cast(coalesce(company_months.expansion_price_mrr, 0) as {{ type_money() }})
            as expansion_price_mrr,
        cast(coalesce(company_months.expansion_cross_sell_mrr, 0) as {{ type_money() }})
            as expansion_cross_sell_mrr,
        cast(coalesce(company_months.expansion_cross_sell_lost_mrr, 0) as {{ type_money() }})
            as expansion_cross_sell_lost_mrr,
        cast(coalesce(company_months.contraction_seats_mrr, 0) as {{ type_money() }})
            as contraction_seats_mrr,
        cast(coalesce(company_months.contraction_price_mrr, 0) as {{ type_money() }})
            as contraction_price_mrr,
        cast(coalesce(company_months.contraction_cross_sell_mrr, 0) as {{ type_money() }})
            as contraction_cross_sell_mrr,
        cast(coalesce(company_months.contraction_cross_sell_lost_mrr, 0) as {{ type_money() }})
            as contraction_cross_sell_lost_mrr

    from months
    left join company_months
        on months.month = company_months.month

)

select * from final
