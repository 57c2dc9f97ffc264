{{ config(**incremental_month_config()) }}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

paid_periods as (

    -- The month-end rule of int_customer_months_aggregated, per subscription: a period counts from
    -- the month of start_date through the month before the month of end_date (exclusive), cut at the
    -- as-of month; periods with MRR 0 (trials, free plans) are not in force for MRR.
    select
        periods.subscription_id,
        periods.customer_id,
        periods.mrr,
        periods.seats,
        {{ month_start('periods.start_date') }} as first_month_in_force,
        case
            when
                periods.end_date is null
                or {{ add_months(month_start('periods.end_date'), -1) }} > as_of.as_of_month
                then as_of.as_of_month
            else {{ add_months(month_start('periods.end_date'), -1) }}
        end as last_reported_month

    from periods
    cross join as_of
    where periods.mrr > 0

),

expanded as (

    select
        subscription_id,
        customer_id,
        mrr,
        seats,
        {{ explode_months('first_month_in_force', 'last_reported_month') }} as month

    from paid_periods
    where first_month_in_force <= last_reported_month

),

subscription_months as (

    -- One row per subscription and month end: its MRR and its seats (one period in force at a month
    -- end, as overlapping periods of a subscription are rejected; summed all the same).
    select
        customer_id,
        subscription_id,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        sum(seats) as seats

    from expanded
    {% if is_incremental() -%}
        -- Incremental run: the window and the month before it, whose MRR starts the window.
        where month >= {{ add_months(incremental_window_start(), -1) }}
    {%- endif %}
    group by customer_id, subscription_id, month

),

subscription_pairs as (

    -- Each subscription's month end against the previous month end: a subscription in force in only
    -- one of the two months has 0 MRR in the other.
    select
        coalesce(current_months.customer_id, previous_months.customer_id) as customer_id,
        coalesce(current_months.subscription_id, previous_months.subscription_id) as subscription_id,
        coalesce(current_months.month, {{ add_months('previous_months.month', 1) }}) as month,
        coalesce(previous_months.mrr, 0) as previous_mrr,
        coalesce(current_months.mrr, 0) as current_mrr,
        previous_months.seats as previous_seats,
        current_months.seats as current_seats

    from subscription_months as current_months
    full outer join subscription_months as previous_months
        on
            current_months.customer_id = previous_months.customer_id
            and current_months.subscription_id = previous_months.subscription_id
            and current_months.month = {{ add_months('previous_months.month', 1) }}

),

continuing_customer_months as (

    -- The customer-months with MRR in both months (expansion, contraction or retained): the only
    -- ones split by cause. New, reactivation and churn are whole-customer movements.
    select
        customer_id,
        month

    from subscription_pairs
    group by customer_id, month
    having sum(previous_mrr) > 0 and sum(current_mrr) > 0

),

subscription_causes as (

    -- DECISIONLOG "Causes of expansion and contraction": a subscription added is cross-sell, one
    -- removed is cross-sell lost; a subscription in both months moves by its seats at the old price
    -- per seat first (rounded to the money type), and the rest is price at the new seats, so the two
    -- add up exactly to its change.
    select
        subscription_pairs.customer_id,
        subscription_pairs.month,
        case
            when subscription_pairs.previous_mrr = 0 or subscription_pairs.current_mrr = 0 then 0
            when
                subscription_pairs.previous_seats > 0
                and subscription_pairs.current_seats <> subscription_pairs.previous_seats
                then cast(
                    cast(subscription_pairs.previous_mrr as {{ type_double() }})
                    * (subscription_pairs.current_seats - subscription_pairs.previous_seats)
                    / subscription_pairs.previous_seats
                    as {{ type_money() }}
                )
            else 0
        end as seats_mrr,
        case when subscription_pairs.previous_mrr = 0 then subscription_pairs.current_mrr else 0 end
            as cross_sell_mrr,
        case when subscription_pairs.current_mrr = 0 then subscription_pairs.previous_mrr else 0 end
            as cross_sell_lost_mrr,
        case
            when subscription_pairs.previous_mrr = 0 or subscription_pairs.current_mrr = 0 then 0
            else subscription_pairs.current_mrr - subscription_pairs.previous_mrr
        end as change_mrr

    from subscription_pairs
    inner join continuing_customer_months
        on
            subscription_pairs.customer_id = continuing_customer_months.customer_id
            and subscription_pairs.month = continuing_customer_months.month

),

final as (

    select
        customer_id,
        month,
        cast(sum(seats_mrr) as {{ type_money() }}) as seats_mrr,
        cast(sum(change_mrr - seats_mrr) as {{ type_money() }}) as price_mrr,
        cast(sum(cross_sell_mrr) as {{ type_money() }}) as cross_sell_mrr,
        cast(sum(cross_sell_lost_mrr) as {{ type_money() }}) as cross_sell_lost_mrr

    from subscription_causes
    {% if is_incremental() -%}
        -- The month before the window only started it; its own rows are kept from the earlier build.
        where month >= {{ incremental_window_start() }}
    {%- endif %}
    group by customer_id, month

)

select * from final
