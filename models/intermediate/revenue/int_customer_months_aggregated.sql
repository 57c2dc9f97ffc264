{{ config(**incremental_month_config()) }}

with

subscription_months as (

    -- Each paid period at each month end it is in force (the month-end rule, applied once in
    -- int_subscription_months_expanded for every grain).
    select * from {{ ref('int_subscription_months_expanded') }}
    {% if is_incremental() -%}
        -- Incremental run: the look-back window only (older months are kept as built).
        where month >= {{ incremental_window_start() }}
    {%- endif %}

),

as_of as (

    -- The as-of month, from which an incremental run's look-back window starts
    -- (incremental_window_start reads it too).
    select * from {{ ref('int_as_of_month_resolved') }}

),

final as (

    select
        subscription_months.customer_id,
        subscription_months.month,
        cast(sum(subscription_months.mrr) as {{ type_money() }}) as mrr,
        -- The exact annualised amount (int_subscription_periods_priced), for classification lines.
        cast(sum(subscription_months.arr) as {{ type_money() }}) as arr,
        cast(count(*) as bigint) as paid_periods_in_force

    -- No month is after the as-of month (int_subscription_months_expanded cuts every period there).
    from subscription_months
    cross join as_of
    where subscription_months.month <= as_of.as_of_month
    group by subscription_months.customer_id, subscription_months.month

)

select * from final
