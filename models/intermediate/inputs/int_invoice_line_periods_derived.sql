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

spans_priced as (

    -- A span's MRR is the sum of the lines in force over it: a whole cycle, plus the proration
    -- credits and charges of a change inside the cycle (each exactly the change of MRR).
    select
        spans.subscription_id,
        spans.start_date,
        spans.end_date,
        max(recurring_lines.customer_id) as customer_id,
        max(recurring_lines.plan_id) as plan_id,
        min(recurring_lines.currency) as currency,
        count(distinct recurring_lines.currency) as currencies,
        max(recurring_lines.minor_unit) as minor_unit,
        max(case when recurring_lines.is_whole_cycle then recurring_lines.cycle_months end) as cycle_months,
        min(recurring_lines.amount) < 0 as has_credit,
        sum(recurring_lines.mrr_local) as mrr_local,
        max(recurring_lines.rate_to_reporting) as rate_to_reporting,
        cast(sum(recurring_lines.mrr) as {{ type_money() }}) as mrr

    from spans
    inner join recurring_lines
        on
            spans.subscription_id = recurring_lines.subscription_id
            and spans.start_date >= recurring_lines.service_start
            and spans.end_date <= recurring_lines.service_end
    where spans.end_date is not null
    group by spans.subscription_id, spans.start_date, spans.end_date

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
        rate_to_reporting,
        case
            when currencies = 1 and abs(mrr_local) < minor_unit / 2 then 0.0
            else mrr_local
        end as mrr_local,
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
        0.0 as discount_pct,
        mrr_local * coalesce(cycle_months, 1) as unit_amount,
        case coalesce(cycle_months, 1)
            when 1 then 'month'
            when 3 then 'quarter'
            when 12 then 'year'
        end as billing_interval

    from remainders_zeroed
    where not (has_credit and mrr_local = 0)

)

select * from final
