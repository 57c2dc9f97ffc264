with

source as (

    {{ billing_input('customer') }}

),

cleaned as (

    -- Text as given, trimmed (blank is null), and the whole raw row for the audit trail.
    select
        {{ json_object_of(input_contract()['customer']['columns']) }} as raw_values,
        {{ clean_text('id') }} as customer_id,
        {{ clean_text('name') }} as customer_name,
        {{ clean_text('metadata') }} as metadata,
        upper(coalesce({{ clean_text('address_country') }}, {{ clean_text('shipping_address_country') }})) as country,
        coalesce(lower({{ clean_text('is_deleted') }}) in ('true', 't', '1', 'yes'), false) as is_deleted

    from source

),

final as (

    -- The customers contract's columns (SPEC section 1): the segment is the metadata key the var
    -- stripe_customer_segment_key names (default `segment`), normalised as a customers file's is;
    -- no such key, or metadata that is not JSON, is segment Unknown. The parent account likewise from
    -- the key var stripe_customer_parent_key names (default `parent_customer_id`; absent = no parent).
    select
        customer_id,
        customer_name,
        {{ clean_text(json_text_value('metadata', var('stripe_customer_segment_key', 'segment'))) }} as segment_raw,
        {{ normalize_segment(json_text_value('metadata', var('stripe_customer_segment_key', 'segment'))) }} as segment,
        country,
        {{ clean_text(json_text_value('metadata', var('stripe_customer_parent_key', 'parent_customer_id'))) }} as parent_customer_id,
        is_deleted,
        raw_values

    from cleaned

)

select * from final
