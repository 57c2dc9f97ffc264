{#- Filled by billing_input: the columns that arrived typed, used as they are (typed_inputs.sql). -#}
{%- set typed = {} -%}

with

source as (

    {{ billing_input('subscriptions', typed) }}

),

cleaned as (

    -- Text as given, trimmed (blank is null), and the whole raw row for the audit trail. A column
    -- that arrived typed is its text here and its value as given in *_given.
    select
        {{ typed_raw_values('subscriptions', typed) }} as raw_values,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('plan_id') }} as plan_id,
        {{ typed_input_text('start_date', typed) }} as start_date_text,
        {{ typed_input_text('end_date', typed) }} as end_date_text,
        {{ typed_input_text('unit_amount', typed) }} as unit_amount_text,
        {{ typed_input_text('quantity', typed) }} as quantity_text,
        {{ typed_input_text('discount_pct', typed) }} as discount_pct_text,
        start_date as start_date_given,
        end_date as end_date_given,
        unit_amount as unit_amount_given,
        quantity as quantity_given,
        discount_pct as discount_pct_given,
        lower({{ clean_text('billing_interval') }}) as billing_interval_text,
        upper({{ clean_text('currency') }}) as currency_text

    from source

),

parsed as (

    -- Safe casts: a value that does not parse is null here, and its *_text column tells it apart
    -- from a value that was never given. Optional values take their defaults only when not given.
    -- A typed column is used as it is (typed_input_date, typed_input_number).
    select
        *,
        {{ typed_input_date('start_date', typed) }} as start_date,
        {{ typed_input_date('end_date', typed) }} as end_date,
        {{ typed_input_number('unit_amount', typed) }} as unit_amount,
        case
            when quantity_text is null then 1
            when {{ typed_input_number('quantity', typed) }} = floor({{ typed_input_number('quantity', typed) }})
                then {{ typed_input_number('quantity', typed) }}
        end as quantity,
        case
            when discount_pct_text is null then 0
            else {{ typed_input_number('discount_pct', typed) }}
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
