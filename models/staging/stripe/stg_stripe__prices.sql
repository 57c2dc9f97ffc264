with

source as (

    {{ billing_input('price') }}

),

final as (

    -- One row per Stripe price: its product, its recurring interval (day, week, month, year) and
    -- count, and whether it is metered (usage).
    select
        {{ clean_text('id') }} as price_id,
        {{ clean_text('product_id') }} as product_id,
        lower({{ clean_text('recurring_interval') }}) as recurring_interval,
        {{ parse_number('recurring_interval_count') }} as recurring_interval_count,
        lower({{ clean_text('recurring_usage_type') }}) as recurring_usage_type

    from source

)

select * from final
