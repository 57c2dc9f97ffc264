with

source as (

    {{ billing_input('invoice_line_item') }}

),

cleaned as (

    -- Text as given, trimmed (blank is null), and the whole raw row for the audit trail.
    select
        {{ json_object_of(input_contract()['invoice_line_item']['columns']) }} as raw_values,
        {{ clean_text('id') }} as line_item_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('plan_id') }} as plan_id,
        {{ clean_text('price_id') }} as price_id,
        {{ clean_text('period_start') }} as period_start_text,
        {{ clean_text('period_end') }} as period_end_text,
        {{ clean_text('amount') }} as amount_text,
        {{ clean_text('amount_excluding_tax') }} as amount_excluding_tax_text,
        {{ clean_text('discount_amount') }} as discount_amount_text,
        upper({{ clean_text('currency') }}) as currency,
        {{ clean_text('quantity') }} as quantity_text,
        lower({{ clean_text('type') }}) as line_item_type,
        lower({{ clean_text('proration') }}) as proration_text

    from source

),

final as (

    -- Safe casts: a value that does not parse is null, its *_text column tells it apart from a value
    -- never given. The periods stay text: a TIMESTAMP, ISO text or epoch seconds, read in
    -- int_stripe_lines_mapped (parse_date_or_epoch, unit-tested there). Amounts stay in the currency's minor unit here (Stripe's integers), as decimals:
    -- the move to the currency's unit is exact (int_stripe_lines_mapped).
    select
        line_item_id,
        invoice_id,
        subscription_id,
        plan_id,
        price_id,
        {{ try_cast_as('amount_text', 'decimal(30, 12)') }} as amount_minor,
        {{ try_cast_as('amount_excluding_tax_text', 'decimal(30, 12)') }} as amount_excluding_tax_minor,
        {{ try_cast_as('discount_amount_text', 'decimal(30, 12)') }} as discount_amount_minor,
        currency,
        quantity_text,
        line_item_type,
        coalesce(proration_text in ('true', 't', '1', 'yes'), false) as is_proration,
        period_start_text,
        period_end_text,
        amount_text,
        amount_excluding_tax_text,
        discount_amount_text,
        raw_values

    from cleaned

)

select * from final
