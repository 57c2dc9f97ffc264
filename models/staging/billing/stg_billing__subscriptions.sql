with

source as (

    {{ billing_input('subscriptions') }}

),

parsed as (

    select
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('plan_id') }} as plan_id,
        {{ parse_date('start_date') }} as start_date,
        {{ parse_date('end_date') }} as end_date,
        {{ parse_number('unit_amount') }} as unit_amount,
        coalesce({{ parse_number('quantity') }}, 1) as quantity,
        coalesce({{ parse_number('discount_pct') }}, 0) as discount_pct,
        {{ months_in_billing_interval('billing_interval') }} as months_in_interval,
        upper(coalesce({{ clean_text('currency') }}, '{{ var("reporting_currency") }}')) as currency

    from source

),

priced as (

    select
        *,
        case months_in_interval
            when 1 then 'month'
            when 3 then 'quarter'
            when 12 then 'year'
        end as billing_interval,
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
        mrr_local

    from priced

)

select * from final
