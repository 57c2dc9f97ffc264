with

source as (

    {{ billing_input('subscriptions') }}

),

cleaned as (

    -- Text as given, trimmed (blank is null), and the whole raw row for the audit trail.
    select
        {{ json_object_of(input_contract()['subscriptions']['columns']) }} as raw_values,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('plan_id') }} as plan_id,
        {{ clean_text('start_date') }} as start_date_text,
        {{ clean_text('end_date') }} as end_date_text,
        {{ clean_text('unit_amount') }} as unit_amount_text,
        {{ clean_text('quantity') }} as quantity_text,
        {{ clean_text('discount_pct') }} as discount_pct_text,
        lower({{ clean_text('billing_interval') }}) as billing_interval_text,
        upper({{ clean_text('currency') }}) as currency_text

    from source

),

parsed as (

    -- Safe casts: a value that does not parse is null here, and its *_text column tells it apart
    -- from a value that was never given. Optional values take their defaults only when not given.
    select
        *,
        {{ parse_date('start_date_text') }} as start_date,
        {{ parse_date('end_date_text') }} as end_date,
        {{ parse_number('unit_amount_text') }} as unit_amount,
        case
            when quantity_text is null then 1
            when {{ parse_number('quantity_text') }} = floor({{ parse_number('quantity_text') }})
                then {{ parse_number('quantity_text') }}
        end as quantity,
        case
            when discount_pct_text is null then 0
            else {{ parse_number('discount_pct_text') }}
        end as discount_pct,
        {{ months_in_billing_interval('billing_interval_text') }} as months_in_interval,
        coalesce(currency_text, '{{ var("reporting_currency") }}') as currency

    from cleaned

),

priced as (

    select
        *,
        case months_in_interval
            when 1 then 'month'
            when 3 then 'quarter'
            when 12 then 'year'
        end as billing_interval,
        -- Null when any part is missing or does not parse.
        unit_amount * quantity * (1 - discount_pct / 100) / months_in_interval as mrr_local

    from parsed

),

final as (

    select
        subscription_id,
        customer_id,
        plan_id,
        start_date,
        end_date,
        unit_amount,
        quantity,
        discount_pct,
        billing_interval,
        months_in_interval,
        currency,
        mrr_local,
        start_date_text,
        end_date_text,
        unit_amount_text,
        quantity_text,
        discount_pct_text,
        billing_interval_text,
        raw_values

    from priced

)

select * from final
