with

source as (

    {{ billing_input('invoice') }}

),

final as (

    -- One row per Stripe invoice: whose it is and its status (lower-cased).
    select
        {{ clean_text('id') }} as invoice_id,
        {{ clean_text('customer_id') }} as customer_id,
        lower({{ clean_text('status') }}) as invoice_status,
        coalesce(lower({{ clean_text('is_deleted') }}) in ('true', 't', '1', 'yes'), false) as is_deleted

    from source

)

select * from final
