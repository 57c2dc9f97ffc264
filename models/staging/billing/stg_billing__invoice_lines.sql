{#- Filled by billing_input: the columns that arrived typed, used as they are (typed_inputs.sql). -#}
{%- set typed = {} -%}

with

source as (

    {{ billing_input('invoice_lines', typed) }}

),

cleaned as (

    -- Text as given, trimmed (blank is null), and the whole raw row for the audit trail. A column
    -- that arrived typed is its text here and its value as given in *_given.
    select
        {{ typed_raw_values('invoice_lines', typed) }} as raw_values,
        {{ clean_text('line_id') }} as line_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('subscription_id') }} as subscription_id_text,
        {{ clean_text('plan_id') }} as plan_id,
        {{ typed_input_text('service_start', typed) }} as service_start_text,
        {{ typed_input_text('service_end', typed) }} as service_end_text,
        {{ typed_input_text('amount', typed) }} as amount_text,
        upper({{ clean_text('currency') }}) as currency_text,
        {{ typed_input_text('quantity', typed) }} as quantity_text,
        service_start as service_start_given,
        service_end as service_end_given,
        amount as amount_given,
        quantity as quantity_given,
        lower({{ clean_text('billing_interval') }}) as billing_interval_text,
        lower({{ clean_text('line_type') }}) as line_type_text

    from source

),

parsed as (

    -- Safe casts: a value that does not parse is null here, and its *_text column tells it apart
    -- from a value that was never given. A line without a subscription_id is its own subscription;
    -- a line without a type is recurring; a blank interval stays null (inferred downstream).
    select
        *,
        coalesce(subscription_id_text, line_id) as subscription_id,
        {{ typed_input_date('service_start', typed) }} as service_start,
        {{ typed_input_date('service_end', typed) }} as service_end,
        {{ typed_input_number('amount', typed) }} as amount,
        coalesce(currency_text, '{{ var("reporting_currency") }}') as currency,
        case
            when quantity_text is null then 1
            when {{ typed_input_number('quantity', typed) }} = floor({{ typed_input_number('quantity', typed) }})
                then {{ typed_input_number('quantity', typed) }}
        end as quantity,
        case
            when billing_interval_text is not null
                then {{ months_in_billing_interval('billing_interval_text') }}
        end as months_in_interval,
        case coalesce(line_type_text, 'recurring')
            when 'recurring' then 'recurring'
            when 'subscription' then 'recurring'
            when 'one_time' then 'one_time'
            when 'one-time' then 'one_time'
            when 'usage' then 'usage'
            when 'metered' then 'usage'
        end as line_type

    from cleaned

),

final as (

    select
        -- The invoice-line columns, in order (invoice_line_columns: written once).
        {{ invoice_line_column_list() }}

    from parsed

)

select * from final
