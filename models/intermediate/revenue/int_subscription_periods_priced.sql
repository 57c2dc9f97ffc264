with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

fx_rates as (

    select * from {{ ref('stg_billing__fx_rates') }}

),

rates_with_reporting_currency as (

    -- The reporting currency is worth 1 by definition: it needs no row, and a row for it is ignored.
    select
        currency,
        rate_to_reporting
    from fx_rates
    where currency != '{{ var("reporting_currency") }}'

    union all

    select
        '{{ var("reporting_currency") }}' as currency,
        1.0 as rate_to_reporting

),

converted as (

    select
        subscriptions.subscription_id,
        subscriptions.customer_id,
        subscriptions.plan_id,
        subscriptions.start_date,
        subscriptions.end_date,
        subscriptions.billing_interval,
        subscriptions.currency,
        subscriptions.mrr_local,
        rates_with_reporting_currency.rate_to_reporting,
        cast(
            subscriptions.mrr_local * rates_with_reporting_currency.rate_to_reporting
            as {{ type_money() }}
        ) as mrr

    from subscriptions
    left join rates_with_reporting_currency
        on subscriptions.currency = rates_with_reporting_currency.currency

),

final as (

    select * from converted

)

select * from final
