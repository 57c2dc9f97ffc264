-- Customers' current MRR adds up to the bridge's ending MRR of the as-of month, and the active ones
-- are its active customers.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

latest_month as (

    select *
    from bridge
    where month = (select max(bridge_months.month) from bridge as bridge_months)

),

customer_totals as (

    select
        sum(current_mrr) as current_mrr,
        sum(case when status = 'active' then 1 else 0 end) as active_customers

    from customers

)

select
    latest_month.month,
    latest_month.ending_mrr,
    customer_totals.current_mrr

from latest_month
cross join customer_totals
where
    latest_month.ending_mrr != customer_totals.current_mrr
    or latest_month.active_customers != customer_totals.active_customers
