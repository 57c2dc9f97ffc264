with

source as (

    {{ billing_input('customers') }}

),

final as (

    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('customer_name') }} as customer_name,
        {{ clean_text('segment') }} as segment_raw,
        {{ normalize_segment('segment') }} as segment,
        upper({{ clean_text('country') }}) as country,
        -- Optional: the account this customer belongs to (its family, DECISIONLOG "Account families:
        -- the root of the parent chain"); absent or empty = no parent.
        {{ clean_text('parent_customer_id') }} as parent_customer_id,
        {{ json_object_of(input_contract()['customers']['columns']) }} as raw_values

    from source

)

select * from final
