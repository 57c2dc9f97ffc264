{{ config(**incremental_month_config()) }}
-- depends_on: {{ ref('int_as_of_month_resolved') }} (the look-back window of an incremental run)

with

subscription_months as (

    select * from {{ ref('int_subscription_months_expanded') }}
    {% if is_incremental() -%}
        -- Incremental run: the look-back window only (older months are kept as built).
        where month >= {{ incremental_window_start() }}
    {%- endif %}

),

final as (

    select
        customer_id,
        month,
        cast(sum(mrr) as {{ type_money() }}) as mrr,
        -- The exact annualised amount (int_subscription_periods_priced), for classification lines.
        cast(sum(arr) as {{ type_money() }}) as arr,
        cast(count(*) as bigint) as paid_periods_in_force

    from subscription_months
    group by customer_id, month

)

select * from final
