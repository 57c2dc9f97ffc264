{{ config(**incremental_month_config()) }}

{#- The columns of each paid period (paid_periods_cut_at_as_of) besides its months in force. -#}
{%- set paid_period_columns = [
    'periods.subscription_id',
    'periods.customer_id',
    'periods.mrr',
    'periods.seats',
    'as_of.as_of_month',
] -%}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

paid_periods as (

    -- The month-end rule of int_customer_months_aggregated, per subscription; periods with MRR 0
    -- (trials, free plans) are not in force for MRR.
    {{ paid_periods_cut_at_as_of(paid_period_columns) }}

),

sequenced as (

    -- DECISIONLOG "Causes at the period grain": each paid period with the subscription's previous
    -- and next paid periods. A period's MRR and seats hold for all its months, and overlapping
    -- periods of a subscription are rejected, so a subscription's month ends only change where a
    -- period starts or the month after one ends: a window over 2.6 M periods at 1 M customers, not
    -- over 15.7 M subscription-months.
    select
        customer_id,
        subscription_id,
        mrr,
        seats,
        first_month_in_force,
        last_reported_month,
        as_of_month,
        {{ spans_sequenced(
            ['customer_id', 'subscription_id'],
            'first_month_in_force',
            'last_reported_month',
            ['mrr', 'seats'],
        ) }}

    from paid_periods
    where first_month_in_force <= last_reported_month

),

period_starts as (

    -- A period's first month end against the month end before: the previous period's MRR and seats
    -- when it was in force then, else 0 MRR (and no seats). Its later months have the same MRR and
    -- seats as the month before, so no cause.
    select
        customer_id,
        subscription_id,
        first_month_in_force as month,
        case
            when {{ follows_previous_span('first_month_in_force') }} then previous_span_mrr
            else 0
        end as previous_mrr,
        mrr as current_mrr,
        case
            when {{ follows_previous_span('first_month_in_force') }} then previous_span_seats
        end as previous_seats,
        seats as current_seats

    from sequenced

),

period_ends as (

    -- The month end after a period's last one, when no period of the subscription starts then (and
    -- inside the reporting months): the subscription is not in force there.
    select
        customer_id,
        subscription_id,
        {{ add_months('last_reported_month', 1) }} as month,
        mrr as previous_mrr,
        0 as current_mrr,
        seats as previous_seats,
        null as current_seats

    from sequenced
    where
        {{ is_followed_by_gap('last_reported_month') }}
        and last_reported_month < as_of_month

),

subscription_pairs as (

    -- Each subscription's month ends that differ from the month end before: a subscription in force
    -- in only one of the two months has 0 MRR in the other.
    select * from period_starts
    union all
    select * from period_ends

),

subscription_causes as (

    -- DECISIONLOG "Causes of expansion and contraction": a subscription added is cross-sell, one
    -- removed is cross-sell lost; a subscription in both months moves by its seats at the old price
    -- per seat first (rounded to the money type), and the rest is price at the new seats, so the two
    -- add up exactly to its change.
    select
        customer_id,
        month,
        case
            when previous_mrr = 0 or current_mrr = 0 then 0
            when
                previous_seats > 0
                and current_seats <> previous_seats
                then cast(
                    cast(previous_mrr as {{ type_double() }})
                    * (current_seats - previous_seats)
                    / previous_seats
                    as {{ type_money() }}
                )
            else 0
        end as seats_mrr,
        case when previous_mrr = 0 then current_mrr else 0 end as cross_sell_mrr,
        case when current_mrr = 0 then previous_mrr else 0 end as cross_sell_lost_mrr,
        case
            when previous_mrr = 0 or current_mrr = 0 then 0
            else current_mrr - previous_mrr
        end as change_mrr

    from subscription_pairs
    {% if is_incremental() -%}
        -- Incremental run: the window's months (their month before comes from the periods).
        where month >= {{ incremental_window_start() }}
    {%- endif %}

),

customer_month_causes as (

    -- The causes summed per customer-month with a change in some subscription.
    select
        customer_id,
        month,
        sum(seats_mrr) as seats_mrr,
        sum(change_mrr - seats_mrr) as price_mrr,
        sum(cross_sell_mrr) as cross_sell_mrr,
        sum(cross_sell_lost_mrr) as cross_sell_lost_mrr

    from subscription_causes
    group by customer_id, month

),

continuing_customer_months as (

    -- The customer-months with MRR in both months (expansion, contraction or retained): the only
    -- ones split by cause. New, reactivation and churn are whole-customer movements.
    select
        customer_id,
        month

    from movements
    where
        starting_mrr > 0
        and ending_mrr > 0
    {%- if is_incremental() %}
        -- The months before the window are kept from the earlier build.
        and month >= {{ incremental_window_start() }}
    {%- endif %}

),

final as (

    -- One row per continuing customer-month, causes 0 where no subscription changed.
    select
        continuing_customer_months.customer_id,
        continuing_customer_months.month,
        cast(coalesce(customer_month_causes.seats_mrr, 0) as {{ type_money() }}) as seats_mrr,
        cast(coalesce(customer_month_causes.price_mrr, 0) as {{ type_money() }}) as price_mrr,
        cast(coalesce(customer_month_causes.cross_sell_mrr, 0) as {{ type_money() }})
            as cross_sell_mrr,
        cast(coalesce(customer_month_causes.cross_sell_lost_mrr, 0) as {{ type_money() }})
            as cross_sell_lost_mrr

    from continuing_customer_months
    left join customer_month_causes
        on
            continuing_customer_months.customer_id = customer_month_causes.customer_id
            and continuing_customer_months.month = customer_month_causes.month

)

select * from final
