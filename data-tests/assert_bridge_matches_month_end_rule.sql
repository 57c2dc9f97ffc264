-- An independent evaluation of the month-end rule of SPEC section 2, straight from the priced periods:
-- a period counts in month M when start_date <= last_day(M) and (end_date is empty or
-- end_date > last_day(M)). Its total per month must equal the bridge's ending MRR, and its count of
-- customers with MRR the bridge's active customers. A check of the expansion, not a copy of it.
with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

customer_month_ends as (

    select
        months.month,
        periods.customer_id,
        sum(periods.mrr) as mrr

    from months
    inner join periods
        on
            months.month_end_date >= periods.start_date
            and (periods.end_date is null or months.month_end_date < periods.end_date)
    group by months.month, periods.customer_id

),

month_totals as (

    select
        month,
        sum(mrr) as ending_mrr,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers

    from customer_month_ends
    group by month

)

select
    bridge.month,
    bridge.ending_mrr,
    month_totals.ending_mrr as rule_ending_mrr,
    bridge.active_customers,
    month_totals.active_customers as rule_active_customers

from bridge
left join month_totals
    on bridge.month = month_totals.month
where
    bridge.ending_mrr != coalesce(month_totals.ending_mrr, 0)
    or bridge.active_customers != coalesce(month_totals.active_customers, 0)
