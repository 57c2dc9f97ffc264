with

source as (

    {{ billing_input('plan') }}

),

final as (

    -- One row per Stripe plan (the older object a price replaces), named as a price's columns.
    select
        {{ clean_text('id') }} as plan_id,
        {{ clean_text('product_id') }} as product_id,
        lower({{ clean_text('interval') }}) as recurring_interval,
        {{ parse_number('interval_count') }} as recurring_interval_count,
        lower({{ clean_text('usage_type') }}) as recurring_usage_type

    from source

)

select * from final
