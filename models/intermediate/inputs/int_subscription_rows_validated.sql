with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

fx_rate_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

),

-- The fx rates in use, and each row keyed by subscription_id + start_date as written:
-- rates, repeated_keys, repeated_key_rows_compared, keyed (validation_preamble).
{{ validation_preamble('subscriptions', ['subscription_id', 'start_date_text']) }}

row_checked as (

    -- The first reason that applies, in this order (DECISIONLOG "Rejection reasons: the first that
    -- applies, duplicates first").
    select
        *,
        case
            when subscription_id is null then 'missing_key'
            when start_date_text is not null and has_conflicting_duplicate
                then 'conflicting_duplicate'
            when customer_id is null or start_date_text is null or unit_amount_text is null
                then 'missing_required_value'
            when start_date is null or unit_amount is null then 'unparseable_required_value'
            when
                (end_date_text is not null and end_date is null)
                or quantity is null
                or discount_pct is null
                then 'unparseable_optional_value'
            when
                not {{ within_money_limit('unit_amount') }}
                or not {{ within_money_limit('quantity') }}
                or not {{ within_money_limit('mrr_local') }}
                then 'value_out_of_range'
            when months_in_interval is null then 'unknown_billing_interval'
            when end_date < start_date then 'end_before_start'
            when unit_amount < 0 then 'negative_amount'
            when quantity < 0 then 'negative_quantity'
            when discount_pct < 0 or discount_pct > 100 then 'discount_out_of_range'
        end as row_reason_code,
        subscription_id is not null
        and start_date_text is not null
        and not has_conflicting_duplicate
        and copy_number > 1 as is_collapsed_copy

    from keyed

),

converted as (

    select
        row_checked.*,
        rates.rate_to_reporting,
        -- An MRR at or beyond money_limit() is a rejected row (value_out_of_range) with no MRR: the
        -- cast to money never fails the build, and no sum of the audit leaves the money type.
        case
            when {{ within_money_limit('row_checked.mrr_local * rates.rate_to_reporting') }}
                then {{ try_cast_as('row_checked.mrr_local * rates.rate_to_reporting', type_money()) }}
        end as mrr,
        coalesce(
            row_checked.row_reason_code,
            case
                when rates.currency is null then 'unknown_currency'
                when not {{ within_money_limit('row_checked.mrr_local * rates.rate_to_reporting') }}
                    then 'value_out_of_range'
            end
        ) as value_reason_code

    from row_checked
    left join rates
        on row_checked.currency = rates.currency

),

reasoned as (

    -- Among rows valid so far, a period that starts before an earlier-starting period of the same
    -- subscription has ended overlaps it: the later-starting row is rejected. Rows not valid so far
    -- take no part (their end date counts as null, which max() skips).
    select
        *,
        case
            when is_collapsed_copy then null
            when
                value_reason_code is null
                and max(
                    case
                        when value_reason_code is null and not is_collapsed_copy
                            then coalesce(end_date, cast('9999-12-31' as date))
                    end
                ) over (
                    partition by subscription_id
                    order by start_date
                    rows between unbounded preceding and 1 preceding
                ) > start_date
                then 'overlapping_period'
            else value_reason_code
        end as reason_code

    from converted

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
        rate_to_reporting,
        mrr,
        reason_code,
        -- The row as given, kept for rows not used (the audit trail); a used row is its typed columns.
        case when is_collapsed_copy or reason_code is not null then raw_values end as raw_values,
        case
            when is_collapsed_copy then 'collapsed'
            when reason_code is not null then 'rejected'
            else 'used'
        end as row_status,
        case reason_code
            when 'missing_key' then 'subscription_id is empty'
            when 'conflicting_duplicate'
                then 'another row has the same subscription_id and start_date with different values'
            when 'missing_required_value'
                then
                    case
                        when customer_id is null then 'customer_id is empty'
                        when start_date_text is null then 'start_date is empty'
                        else 'unit_amount is empty'
                    end
            when 'unparseable_required_value'
                then
                    case
                        when start_date is null then 'start_date is not a date: ' || start_date_text
                        else 'unit_amount is not a number: ' || unit_amount_text
                    end
            when 'unparseable_optional_value'
                then
                    case
                        when end_date_text is not null and end_date is null
                            then 'end_date is not a date: ' || end_date_text
                        when quantity is null then 'quantity is not a whole number: ' || quantity_text
                        else 'discount_pct is not a number: ' || discount_pct_text
                    end
            when 'value_out_of_range'
                then
                    case
                        when not {{ within_money_limit('unit_amount') }}
                            then 'unit_amount is not finite or too large: ' || unit_amount_text
                        when not {{ within_money_limit('quantity') }}
                            then 'quantity is not finite or too large: ' || quantity_text
                        else 'the MRR is not finite or too large for the money type'
                    end
            when 'unknown_billing_interval'
                then 'billing_interval is not month, quarter or year: ' || billing_interval_text
            when 'end_before_start' then 'end_date is before start_date'
            when 'negative_amount' then 'unit_amount is negative'
            when 'negative_quantity' then 'quantity is negative'
            when 'discount_out_of_range' then 'discount_pct is outside 0 to 100'
            when 'unknown_currency' then 'no fx rate for currency ' || currency
            when 'overlapping_period'
                then 'starts before an earlier-starting period of the same subscription_id ends'
        end as reason,
        coalesce(subscription_id, '') || ' / ' || coalesce(start_date_text, '') as row_key

    from reasoned

)

select * from final
