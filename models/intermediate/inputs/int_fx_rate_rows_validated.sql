with

fx_rates as (

    select * from {{ ref('stg_billing__fx_rates') }}

),

keyed as (

    select
        *,
        min(raw_values) over (partition by currency) != max(raw_values) over (partition by currency)
            as has_conflicting_duplicate,
        row_number() over (partition by currency, raw_values order by raw_values) as copy_number

    from fx_rates

),

checked as (

    -- The first reason that applies, in this order (DECISIONLOG "Rejection reasons: the first that
    -- applies, duplicates first").
    select
        *,
        case
            when currency is null then 'missing_key'
            when has_conflicting_duplicate then 'conflicting_duplicate'
            when rate_to_reporting_text is null then 'missing_required_value'
            when rate_to_reporting is null then 'unparseable_required_value'
            when rate_to_reporting <= 0 or not {{ within_money_limit('rate_to_reporting') }}
                then 'invalid_fx_rate'
            when currency = '{{ var("reporting_currency") }}' and rate_to_reporting != 1
                then 'invalid_fx_rate'
        end as reason_code

    from keyed

),

final as (

    select
        currency,
        rate_to_reporting,
        reason_code,
        currency as row_key,
        raw_values,
        case
            when reason_code is not null then 'rejected'
            when copy_number > 1 then 'collapsed'
            else 'used'
        end as row_status,
        case reason_code
            when 'missing_key' then 'currency is empty'
            when 'conflicting_duplicate'
                then 'another row has the same currency with a different rate'
            when 'missing_required_value' then 'rate_to_reporting is empty'
            when 'unparseable_required_value'
                then 'rate_to_reporting is not a number: ' || rate_to_reporting_text
            when 'invalid_fx_rate'
                then
                    'rate_to_reporting must be above 0, and 1 for the reporting currency: '
                    || rate_to_reporting_text
        end as reason

    from checked

)

select * from final
