with

lines as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

fx_rate_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

),

-- The fx rates in use, and each line keyed by line_id: rates, repeated_keys,
-- repeated_key_rows_compared, keyed (validation_preamble).
{{ validation_preamble('lines', ['line_id']) }}

row_checked as (

    -- The first reason that applies, in the order of invoice_line_reason_codes().
    select
        keyed.*,
        rates.rate_to_reporting,
        case
            when keyed.line_id is null then 'missing_key'
            when keyed.has_conflicting_duplicate then 'conflicting_duplicate'
            -- Stripe: a line of an invoice that is not there, or does not count (draft, void ...).
            when keyed.source_reason_code is not null then keyed.source_reason_code
            when
                keyed.customer_id is null
                or keyed.service_start_text is null
                or keyed.service_end_text is null
                or keyed.amount_text is null
                then 'missing_required_value'
            when keyed.service_start is null or keyed.service_end is null or keyed.amount is null
                then 'unparseable_required_value'
            when keyed.quantity is null then 'unparseable_optional_value'
            when
                not {{ within_money_limit('keyed.amount') }}
                or not {{ within_money_limit('keyed.quantity') }}
                then 'value_out_of_range'
            when keyed.billing_interval_text is not null and keyed.months_in_interval is null
                then 'unknown_billing_interval'
            when keyed.line_type is null then 'unknown_line_type'
            when keyed.service_end <= keyed.service_start then 'end_not_after_start'
            when keyed.quantity < 0 then 'negative_quantity'
            when rates.currency is null then 'unknown_currency'
        end as row_reason_code,
        keyed.line_id is not null
        and not keyed.has_conflicting_duplicate
        and keyed.copy_number > 1 as is_collapsed_copy

    from keyed
    left join rates
        on keyed.currency = rates.currency

),

cycle_candidates as (

    -- A recurring line is a whole cycle of k months when its end is k calendar months after its
    -- start: the same day of the month, or a month-end anchor clamped (01-31 -> 02-29 -> 03-31,
    -- 01-30 -> 02-28 -> 03-30): the end is its month's last day and the start's day is later, or
    -- the start is its month's last day and the end's day is later.
    select
        *,
        {{ dbt.datediff(month_start('service_start'), month_start('service_end'), 'month') }}
            as calendar_months,
        {{ dbt.datediff('service_start', 'service_end', 'day') }} as service_days,
        line_type = 'recurring'
        and {{ dbt.datediff(month_start('service_start'), month_start('service_end'), 'month') }} >= 1
        and (
            extract(day from service_end) = extract(day from service_start)
            or (
                service_end = cast({{ dbt.last_day('service_end', 'month') }} as date)
                and extract(day from service_start) > extract(day from service_end)
            )
            or (
                service_start = cast({{ dbt.last_day('service_start', 'month') }} as date)
                and extract(day from service_end) > extract(day from service_start)
            )
        ) as is_whole_candidate

    from row_checked

),

cycles_measured as (

    -- Of valid candidates ending on the same day, only the earliest-starting is the whole cycle: a
    -- later one is a proration of it (03-31 to 04-30 is a month, but beside a cycle 03-30 to 04-30
    -- it is a change on the 31st).
    select
        *,
        coalesce(
            is_whole_candidate
            and service_start = min(
                case
                    when is_whole_candidate and row_reason_code is null and not is_collapsed_copy
                        then service_start
                end
            ) over (partition by subscription_id, service_end),
            false
        ) as is_whole_cycle

    from cycle_candidates

),

credits as (

    -- Valid partial credits: from which day each cycle end of a subscription is credited back.
    select
        subscription_id,
        service_end,
        min(service_start) as credited_from

    from cycles_measured
    where
        row_reason_code is null
        and not is_collapsed_copy
        and line_type = 'recurring'
        and not is_whole_cycle
        and amount < 0
    group by subscription_id, service_end

),

cycles_credited as (

    -- A whole cycle credited from a day on is in force only until that day: a new cycle may start
    -- there (Stripe starts one at once on a change of billing interval).
    select
        cycles_measured.*,
        case
            when credits.credited_from > cycles_measured.service_start then credits.credited_from
            else cycles_measured.service_end
        end as cycle_in_force_until

    from cycles_measured
    left join credits
        on
            cycles_measured.subscription_id = credits.subscription_id
            and cycles_measured.service_end = credits.service_end
            and cycles_measured.is_whole_cycle

),

overlaps_checked as (

    -- Among valid whole cycles of one subscription, a cycle that starts before an earlier-starting
    -- cycle is over (its end, or the day a credit of it starts) overlaps it: the later-starting line
    -- is rejected (as overlapping periods are).
    select
        *,
        case
            when
                row_reason_code is null
                and not is_collapsed_copy
                and is_whole_cycle
                and max(
                    case
                        when row_reason_code is null and not is_collapsed_copy and is_whole_cycle
                            then cycle_in_force_until
                    end
                ) over (
                    partition by subscription_id
                    order by service_start, line_id
                    rows between unbounded preceding and 1 preceding
                ) > service_start
                then 'overlapping_cycle'
            else row_reason_code
        end as cycle_reason_code

    from cycles_credited

),

whole_cycles as (

    -- The whole cycles in use: what a partial line of the same subscription is measured against.
    select
        subscription_id,
        service_start,
        service_end,
        amount,
        calendar_months,
        service_days

    from overlaps_checked
    where cycle_reason_code is null and not is_collapsed_copy and is_whole_cycle

),

partials_referenced as (

    -- A partial line (a proration, a credit, a trial) is measured against the same subscription's
    -- whole cycle ending on the same day (reference_*), else against the k calendar months before
    -- its end, k the months of its billing_interval. The whole cycle starting the day it ends (the
    -- next cycle) is the price a proration charge leads to.
    select
        overlaps_checked.*,
        reference_cycle.amount as reference_amount,
        reference_cycle.calendar_months as reference_months,
        reference_cycle.service_days as reference_days,
        next_cycle.amount as next_amount,
        {{ dbt.datediff(
            add_months('overlaps_checked.service_end', '-1 * overlaps_checked.months_in_interval'),
            'overlaps_checked.service_end',
            'day',
        ) }} as interval_days

    from overlaps_checked
    left join whole_cycles as reference_cycle
        on
            overlaps_checked.subscription_id = reference_cycle.subscription_id
            and overlaps_checked.service_end = reference_cycle.service_end
            and not overlaps_checked.is_whole_cycle
    left join whole_cycles as next_cycle
        on
            overlaps_checked.subscription_id = next_cycle.subscription_id
            and overlaps_checked.service_end = next_cycle.service_start
            and not overlaps_checked.is_whole_cycle

),

fractions as (

    -- fraction: 1 for a whole cycle; for a partial line its days over the reference cycle's days
    -- (else over the interval's days). cycle_months: the months the MRR is spread over.
    select
        *,
        case
            when line_type != 'recurring' then null
            when is_whole_cycle then 1.0
            when reference_days is not null then cast(service_days as {{ type_double() }}) / reference_days
            when months_in_interval is not null
                then cast(service_days as {{ type_double() }}) / interval_days
        end as fraction,
        case
            when line_type != 'recurring' then null
            when is_whole_cycle then calendar_months
            when reference_months is not null then reference_months
            else months_in_interval
        end as cycle_months,
        {{ currency_minor_unit('currency') }} as minor_unit

    from partials_referenced

),

cycle_amounts as (

    -- The amount of a whole cycle the line stands for: the line itself for a whole cycle. A partial
    -- line is amount / fraction, except that a biller rounds a proration to the minor unit: when the
    -- line is within half a minor unit of a known cycle amount times the fraction (the reference
    -- cycle credited, the next cycle charged, or their difference in one net line), it is that
    -- amount exactly (the remainder policy, DECISIONLOG "Invoice lines: the remainder of a rounded
    -- proration"). The nearest candidate wins.
    select
        *,
        case
            when fraction is null then null
            when is_whole_cycle then amount
            when
                reference_amount is not null
                and abs(amount + reference_amount * fraction) <= minor_unit / 2
                and (
                    next_amount is null
                    or abs(amount + reference_amount * fraction) <= abs(amount - next_amount * fraction)
                )
                then -1 * reference_amount
            when next_amount is not null and abs(amount - next_amount * fraction) <= minor_unit / 2
                then next_amount
            when
                reference_amount is not null
                and next_amount is not null
                and abs(amount - (next_amount - reference_amount) * fraction) <= minor_unit / 2
                then next_amount - reference_amount
            else amount / fraction
        end as cycle_amount

    from fractions

),

reasoned as (

    select
        *,
        case
            when is_collapsed_copy then null
            when cycle_reason_code is not null then cycle_reason_code
            when line_type = 'recurring' and fraction is null then 'partial_line_without_cycle'
        end as reason_code,
        cycle_amount / cycle_months as mrr_local

    from cycle_amounts

),

final as (

    select
        line_id,
        customer_id,
        subscription_id,
        plan_id,
        service_start,
        service_end,
        amount,
        currency,
        quantity,
        line_type,
        is_whole_cycle,
        fraction,
        cycle_months,
        minor_unit,
        cycle_amount,
        mrr_local,
        rate_to_reporting,
        case
            when {{ within_money_limit('mrr_local * rate_to_reporting') }}
                then {{ try_cast_as('mrr_local * rate_to_reporting', type_money()) }}
        end as mrr,
        {{ try_cast_as('amount * rate_to_reporting', type_money()) }} as amount_reporting,
        reason_code,
        -- The row as given, kept for rows not used (the audit trail).
        case when is_collapsed_copy or reason_code is not null then raw_values end as raw_values,
        case
            when is_collapsed_copy then 'collapsed'
            when reason_code is not null then 'rejected'
            else 'used'
        end as row_status,
        case reason_code
            when 'missing_key' then 'line_id is empty'
            when 'conflicting_duplicate' then 'another row has the same line_id with different values'
            when 'invoice_not_found' then 'the line''s invoice_id is not in the invoice table'
            when 'invoice_not_counted'
                then 'the line''s invoice does not count: ' || coalesce(invoice_status, 'deleted')
            when 'missing_required_value'
                then
                    case
                        when customer_id is null then 'customer_id is empty'
                        when service_start_text is null then 'service_start is empty'
                        when service_end_text is null then 'service_end is empty'
                        else 'amount is empty'
                    end
            when 'unparseable_required_value'
                then
                    case
                        when service_start is null then 'service_start is not a date: ' || service_start_text
                        when service_end is null then 'service_end is not a date: ' || service_end_text
                        else 'amount is not a number: ' || amount_text
                    end
            when 'unparseable_optional_value' then 'quantity is not a whole number: ' || quantity_text
            when 'value_out_of_range'
                then
                    case
                        when not {{ within_money_limit('amount') }}
                            then 'amount is not finite or too large: ' || amount_text
                        else 'quantity is not finite or too large: ' || quantity_text
                    end
            when 'unknown_billing_interval'
                then 'billing_interval is not month, quarter or year: ' || billing_interval_text
            when 'unknown_line_type'
                then 'line_type is not recurring, one_time or usage: ' || line_type_text
            when 'end_not_after_start' then 'service_end is not after service_start'
            when 'negative_quantity' then 'quantity is negative'
            when 'unknown_currency' then 'no fx rate for currency ' || currency
            when 'overlapping_cycle'
                then 'a whole cycle that starts before an earlier-starting whole cycle of the same subscription ends'
            when 'partial_line_without_cycle'
                then 'a partial service period with no whole cycle of its subscription ending the same day and no billing_interval'
        end as reason,
        coalesce(line_id, '') as row_key

    from reasoned

)

select * from final
