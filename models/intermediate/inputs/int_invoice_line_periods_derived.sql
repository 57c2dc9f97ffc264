with

lines as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

recurring_lines as (

    -- The used recurring lines: one_time and usage lines never count in MRR.
    select *
    from lines
    where row_status = 'used' and line_type = 'recurring'

),

boundaries as (

    -- Every day a line of the subscription starts or ends: the MRR can change only there.
    select
        subscription_id,
        service_start as boundary
    from recurring_lines

    union

    select
        subscription_id,
        service_end as boundary
    from recurring_lines

),

spans as (

    -- Consecutive boundaries of one subscription: spans during which the same lines are in force.
    select
        subscription_id,
        boundary as start_date,
        lead(boundary) over (partition by subscription_id order by boundary) as end_date

    from boundaries

),

lines_in_spans as (

    -- The lines in force over each span, beside the months of the span's whole cycle (the interval
    -- of the period it becomes).
    select
        recurring_lines.*,
        spans.start_date,
        spans.end_date,
        max(case when recurring_lines.is_whole_cycle then recurring_lines.cycle_months end) over (
            partition by spans.subscription_id, spans.start_date
        ) as span_cycle_months,
        -- The span's plan: that of its latest charge (a plan change inside a cycle credits the old
        -- plan and charges the new one from the change on), not of whichever line sorts first
        -- (DECISIONLOG "A derived period's plan is that of its latest charge").
        first_value(recurring_lines.plan_id) over (
            partition by spans.subscription_id, spans.start_date
            order by
                case when recurring_lines.amount > 0 then 0 else 1 end asc,
                recurring_lines.service_start desc,
                recurring_lines.plan_id desc
        ) as span_plan_id

    from spans
    inner join recurring_lines
        on
            spans.subscription_id = recurring_lines.subscription_id
            and spans.start_date >= recurring_lines.service_start
            and spans.end_date <= recurring_lines.service_end
    where spans.end_date is not null

),

spans_priced as (

    -- A span's MRR is the sum of the lines in force over it: a whole cycle, plus the proration
    -- credits and charges of a change inside the cycle (each exactly the change of MRR). Its price
    -- per interval is the sum of their cycle amounts as decimals, each brought to the span's cycle
    -- months, so a quarterly or annual price is exact (not the MRR times 3 or 12). A cycle amount
    -- is a double (a parsed amount, or amount / fraction for a proration): as a decimal it keeps 14
    -- significant digits, what a double carries reliably, so 287039.57699999993 (a float product)
    -- or 235556.22000000006 (a division's noise) is the price 287039.577 or 235556.22 (DECISIONLOG
    -- "Invoice lines: the exact price behind the ARR").
    select
        subscription_id,
        start_date,
        end_date,
        max(customer_id) as customer_id,
        max(span_plan_id) as plan_id,
        min(currency) as currency,
        count(distinct currency) as currencies,
        max(minor_unit) as minor_unit,
        max(span_cycle_months) as cycle_months,
        min(amount) < 0 as has_credit,
        -- The seats in force: a credit takes its line's seats back, so a whole cycle of 6 seats, the
        -- credit for 6 and the charge for 7 of an upgrade inside the cycle leave 7 (what the causes
        -- of movement compare: DECISIONLOG "Causes of expansion and contraction").
        sum(case when amount < 0 then -quantity else quantity end) as seats,
        sum(mrr_local) as mrr_local,
        cast(sum(
            {{ decimal_of_double(
                round_significant(
                    'case when cycle_months = coalesce(span_cycle_months, 1) then cycle_amount'
                    ~ ' else cycle_amount * coalesce(span_cycle_months, 1) / cycle_months end',
                    14,
                ),
                type_money(),
            ) }}
        ) as {{ type_money() }}) as cycle_amount,
        max(rate_to_reporting) as rate_to_reporting,
        cast(sum(mrr) as {{ type_money() }}) as mrr

    from lines_in_spans
    group by subscription_id, start_date, end_date

),

remainders_zeroed as (

    -- The remainder policy: a span whose MRR (in one currency) is below half a minor unit, what a
    -- proration rounded to the minor unit leaves after a credit, is 0, not a customer "active" at a
    -- fraction of a cent.
    select
        subscription_id,
        start_date,
        end_date,
        customer_id,
        plan_id,
        currency,
        cycle_months,
        has_credit,
        seats,
        rate_to_reporting,
        case
            when currencies = 1 and abs(mrr_local) < minor_unit / 2 then 0.0
            else mrr_local
        end as mrr_local,
        case
            when currencies = 1 and abs(mrr_local) < minor_unit / 2 then cast(0 as {{ type_money() }})
            else cycle_amount
        end as cycle_amount,
        case
            when currencies = 1 and abs(mrr_local) < minor_unit / 2 then cast(0 as {{ type_money() }})
            else mrr
        end as mrr

    from spans_priced

),

final as (

    -- The periods the lines bill, in the columns of int_subscription_rows_validated's used rows. A
    -- span credited to 0 (a cancellation mid-cycle) is no period: the subscription ended on the
    -- credit's first day. A span of 0 with no credit (a trial line) is a period with MRR 0.
    select
        subscription_id,
        customer_id,
        plan_id,
        start_date,
        end_date,
        currency,
        mrr_local,
        rate_to_reporting,
        mrr,
        1 as quantity,
        seats,
        0.0 as discount_pct,
        cast(cycle_amount as {{ type_double() }}) as unit_amount,
        case coalesce(cycle_months, 1)
            when 1 then 'month'
            when 3 then 'quarter'
            when 12 then 'year'
        end as billing_interval

    from remainders_zeroed
    where not (has_credit and mrr_local = 0)

)

select * from final
