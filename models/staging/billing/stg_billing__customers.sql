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
        {{ json_object_of(input_contract()['customers']['columns']) }} as raw_values

    from source

)

select * from final
