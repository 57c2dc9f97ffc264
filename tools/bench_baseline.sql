-- The benchmark's baseline: the five core marts (fct_mrr_movements, mrr_bridge_monthly, nrr_by_period,
-- cohort_retention, dim_customers) computed by one hand-tuned DuckDB script, no dbt, from the same
-- Parquet files. tools/bench.py replaces ${DATA_DIR} and runs it into a fresh file. Same definitions
-- and types as the dbt models, so its marts equal dbt's (bench.py checks that on the smallest size).
-- It reads typed Parquet directly, applies the validity filters that change the marts (required
-- values, known interval and currency, ranges, exact duplicates, overlapping periods) but writes no
-- quarantine or reconciliation tables and runs no data tests: the work a lean script would do.

set preserve_insertion_order = false;

create schema marts;

create temp table periods as
with

subscriptions as (

    select distinct * from read_parquet('${DATA_DIR}/subscriptions.parquet')

),

rates as (

    select upper(trim(currency)) as currency, cast(rate_to_reporting as double) as rate
    from read_parquet('${DATA_DIR}/fx_rates.parquet')
    where upper(trim(currency)) != 'USD' and rate_to_reporting > 0
    union all
    select 'USD' as currency, 1.0 as rate

),

priced as (

    select
        s.subscription_id,
        s.customer_id,
        s.start_date,
        s.end_date,
        cast(
            cast(s.unit_amount as double) * cast(coalesce(s.quantity, 1) as double)
            * (1 - cast(coalesce(s.discount_pct, 0) as double) / 100)
            / case lower(coalesce(s.billing_interval, 'month'))
                when 'month' then 1 when 'monthly' then 1 when 'quarter' then 3
                when 'quarterly' then 3 when 'year' then 12 when 'yearly' then 12
                when 'annual' then 12 when 'annually' then 12
            end
            * rates.rate as decimal(28, 10)
        ) as mrr,
        -- The exact annualised amount (12, 4 or 1 x the price), as int_subscription_periods_priced.
        cast(
            cast(
                cast(
                    cast(cast(cast(s.unit_amount as double) as varchar) as decimal(28, 10))
                    * cast(coalesce(s.quantity, 1) as decimal(9, 0)) as decimal(28, 10)
                )
                * cast(
                    (100 - cast(cast(cast(coalesce(s.discount_pct, 0) as double) as varchar)
                        as decimal(9, 4))) * cast(0.01 as decimal(2, 2)) as decimal(7, 6)
                )
                * cast(case lower(coalesce(s.billing_interval, 'month'))
                    when 'month' then 12 when 'monthly' then 12 when 'quarter' then 4
                    when 'quarterly' then 4 when 'year' then 1 when 'yearly' then 1
                    when 'annual' then 1 when 'annually' then 1
                end as decimal(2, 0))
                as decimal(28, 10)
            )
            * cast(cast(rates.rate as varchar) as decimal(18, 10)) as decimal(28, 10)
        ) as arr

    from subscriptions as s
    inner join rates on coalesce(upper(trim(s.currency)), 'USD') = rates.currency
    where
        s.subscription_id is not null and s.customer_id is not null and s.start_date is not null
        and s.unit_amount >= 0 and coalesce(s.quantity, 0) >= 0
        and coalesce(s.discount_pct, 0) between 0 and 100
        and (s.end_date is null or s.end_date >= s.start_date)

)

select * from priced
qualify coalesce(
    max(coalesce(end_date, date '9999-12-31')) over (
        partition by subscription_id order by start_date
        rows between unbounded preceding and 1 preceding
    ) <= start_date,
    true
);

create temp table as_of as
select max(date_trunc('month', greatest(start_date, coalesce(end_date, start_date))))::date as as_of_month
from periods;

-- Customer-month MRR at each month end, expanded per paid period over its own months only.
create temp table customer_months as
select
    customer_id, month, cast(sum(mrr) as decimal(28, 10)) as mrr,
    cast(sum(arr) as decimal(28, 10)) as arr
from (
    select
        p.customer_id,
        p.mrr,
        p.arr,
        unnest(generate_series(
            date_trunc('month', p.start_date)::date,
            least(
                coalesce((date_trunc('month', p.end_date) - interval 1 month)::date, a.as_of_month),
                a.as_of_month
            ),
            interval 1 month
        ))::date as month
    from periods as p cross join as_of as a
    where p.mrr > 0
)
group by customer_id, month;

create temp table months as
select unnest(generate_series(min(c.month), max(a.as_of_month), interval 1 month))::date as month
from customer_months as c cross join as_of as a;

create temp table customers as
with named as (
    select
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(customer_name), '') as customer_name,
        case regexp_replace(lower(nullif(trim(segment), '')), '[^a-z]', '', 'g')
            when 'smb' then 'SMB' when 'midmarket' then 'Mid-Market'
            when 'enterprise' then 'Enterprise' else 'Unknown'
        end as segment,
        upper(nullif(trim(country), '')) as country
    from (select distinct * from read_parquet('${DATA_DIR}/customers.parquet'))
    where nullif(trim(customer_id), '') is not null
)
select *, true as is_in_customers_table from named
union all
select distinct p.customer_id, null, 'Unknown', null, false
from periods as p anti join named on p.customer_id = named.customer_id;

create table marts.fct_mrr_movements as
with
sequenced as (
    select
        customer_id, month, mrr,
        lag(month) over w as previous_month,
        lag(mrr) over w as previous_mrr,
        lead(month) over w as next_month
    from customer_months
    window w as (partition by customer_id order by month)
),
pairs as (
    select
        customer_id, month,
        case when previous_month = (month - interval 1 month)::date then previous_mrr else 0 end
            as starting_mrr,
        mrr as ending_mrr,
        previous_month is not null as had_mrr_before
    from sequenced
    union all
    select s.customer_id, (s.month + interval 1 month)::date, s.mrr, 0, true
    from sequenced as s cross join as_of as a
    where
        (s.next_month is null or s.next_month > (s.month + interval 1 month)::date)
        and (s.month + interval 1 month)::date <= a.as_of_month
),
classified as (
    select
        customer_id, month,
        cast(starting_mrr as decimal(28, 10)) as starting_mrr,
        cast(ending_mrr as decimal(28, 10)) as ending_mrr,
        case
            when starting_mrr = 0 and not had_mrr_before then 'new'
            when starting_mrr = 0 then 'reactivation'
            when ending_mrr = 0 then 'churn'
            when ending_mrr > starting_mrr then 'expansion'
            when ending_mrr < starting_mrr then 'contraction'
            else 'retained'
        end as movement_type
    from pairs
)
select
    c.month, c.customer_id, coalesce(cu.segment, 'Unknown') as segment,
    c.starting_mrr, c.ending_mrr, c.movement_type,
    cast(case when movement_type = 'new' then ending_mrr else 0 end as decimal(28, 10)) as new_mrr,
    cast(case when movement_type = 'reactivation' then ending_mrr else 0 end as decimal(28, 10))
        as reactivation_mrr,
    cast(case when movement_type = 'expansion' then ending_mrr - starting_mrr else 0 end
        as decimal(28, 10)) as expansion_mrr,
    cast(case when movement_type = 'contraction' then starting_mrr - ending_mrr else 0 end
        as decimal(28, 10)) as contraction_mrr,
    cast(case when movement_type = 'churn' then starting_mrr else 0 end as decimal(28, 10))
        as churned_mrr
from classified as c
left join customers as cu on c.customer_id = cu.customer_id;

create table marts.mrr_bridge_monthly as
with totals as (
    select
        month,
        cast(sum(starting_mrr) as decimal(28, 10)) as starting_mrr,
        cast(sum(new_mrr) as decimal(28, 10)) as new_mrr,
        cast(sum(reactivation_mrr) as decimal(28, 10)) as reactivation_mrr,
        cast(sum(expansion_mrr) as decimal(28, 10)) as expansion_mrr,
        cast(sum(contraction_mrr) as decimal(28, 10)) as contraction_mrr,
        cast(sum(churned_mrr) as decimal(28, 10)) as churned_mrr,
        cast(sum(ending_mrr) as decimal(28, 10)) as ending_mrr,
        count(*) filter (where ending_mrr > 0) as active_customers,
        count(*) filter (where movement_type = 'new') as new_customers,
        count(*) filter (where movement_type = 'reactivation') as reactivated_customers,
        count(*) filter (where movement_type = 'churn') as churned_customers
    from marts.fct_mrr_movements
    group by month
)
select
    m.month,
    coalesce(t.starting_mrr, 0) as starting_mrr,
    coalesce(t.new_mrr, 0) as new_mrr,
    coalesce(t.reactivation_mrr, 0) as reactivation_mrr,
    coalesce(t.expansion_mrr, 0) as expansion_mrr,
    coalesce(t.contraction_mrr, 0) as contraction_mrr,
    coalesce(t.churned_mrr, 0) as churned_mrr,
    coalesce(t.ending_mrr, 0) as ending_mrr,
    cast(coalesce(y.ending_arr, 0) as decimal(28, 10)) as ending_arr,
    cast(coalesce(t.active_customers, 0) as bigint) as active_customers,
    cast(coalesce(t.new_customers, 0) as bigint) as new_customers,
    cast(coalesce(t.reactivated_customers, 0) as bigint) as reactivated_customers,
    cast(coalesce(t.churned_customers, 0) as bigint) as churned_customers
from months as m left join totals as t on m.month = t.month
left join (
    select month, cast(sum(arr) as decimal(28, 10)) as ending_arr from customer_months group by month
) as y on m.month = y.month;

-- NRR by the cohort method: one pass over the cohort members, segments and 'All' by grouping sets.
create table marts.nrr_by_period as
with
members as (
    select
        s.customer_id,
        k.period_months,
        s.month as period_start_month,
        (s.month + to_months(k.period_months))::date as period_end_month,
        s.mrr as starting_mrr,
        s.arr as starting_arr
    from customer_months as s
    cross join (values (1), (3), (12)) as k (period_months)
    cross join as_of as a
    where (s.month + to_months(k.period_months))::date <= a.as_of_month
),
compared as (
    select
        m.period_months, m.period_start_month, m.period_end_month,
        coalesce(cu.segment, 'Unknown') as segment,
        m.starting_mrr,
        coalesce(e.mrr, 0) as ending_mrr,
        m.starting_arr,
        coalesce(e.arr, 0) as ending_arr
    from members as m
    left join customer_months as e
        on m.customer_id = e.customer_id and m.period_end_month = e.month
    left join customers as cu on m.customer_id = cu.customer_id
),
aggregated as (
    select
        period_start_month, period_end_month, period_months,
        coalesce(segment, 'All') as segment,
        cast(count(*) as bigint) as cohort_customers,
        cast(count(*) filter (where ending_mrr > 0) as bigint) as retained_customers,
        cast(sum(starting_mrr) as decimal(28, 10)) as starting_mrr,
        cast(sum(case when ending_mrr > starting_mrr then ending_mrr - starting_mrr else 0 end)
            as decimal(28, 10)) as expansion_mrr,
        cast(sum(case when ending_mrr > 0 and ending_mrr < starting_mrr then starting_mrr - ending_mrr
            else 0 end) as decimal(28, 10)) as contraction_mrr,
        cast(sum(case when ending_mrr = 0 then starting_mrr else 0 end) as decimal(28, 10))
            as churned_mrr,
        cast(sum(ending_mrr) as decimal(28, 10)) as ending_mrr,
        cast(sum(starting_arr) as decimal(28, 10)) as starting_arr,
        cast(sum(ending_arr) as decimal(28, 10)) as ending_arr,
        cast(sum(least(starting_arr, ending_arr)) as decimal(28, 10)) as retained_arr
    from compared
    group by grouping sets (
        (period_start_month, period_end_month, period_months, segment),
        (period_start_month, period_end_month, period_months)
    )
)
select
    * exclude (starting_arr, ending_arr, retained_arr),
    100 * (cast(ending_mrr as double) / cast(starting_mrr as double)) as nrr_pct,
    100 * (cast(starting_mrr - contraction_mrr - churned_mrr as double) / cast(starting_mrr as double))
        as grr_pct,
    100 * (cast(retained_customers as double) / cast(cohort_customers as double)) as logo_retention_pct,
    starting_arr,
    ending_arr,
    retained_arr
from aggregated;

create table marts.cohort_retention as
with
firsts as (
    select customer_id, min(month) as cohort_month from customer_months group by customer_id
),
activity as (
    select f.cohort_month, c.month, cast(count(*) as bigint) as active_customers,
        cast(sum(c.mrr) as decimal(28, 10)) as mrr
    from customer_months as c inner join firsts as f on c.customer_id = f.customer_id
    group by f.cohort_month, c.month
),
sizes as (
    select cohort_month, active_customers as cohort_customers, mrr as cohort_starting_mrr
    from activity where month = cohort_month
)
select
    s.cohort_month,
    datediff('month', s.cohort_month, m.month) as months_since_start,
    m.month,
    s.cohort_customers,
    s.cohort_starting_mrr,
    cast(coalesce(a.active_customers, 0) as bigint) as active_customers,
    cast(coalesce(a.mrr, 0) as decimal(28, 10)) as mrr,
    100 * (cast(coalesce(a.mrr, 0) as double) / cast(s.cohort_starting_mrr as double))
        as revenue_retention_pct,
    100 * (cast(coalesce(a.active_customers, 0) as double) / cast(s.cohort_customers as double))
        as logo_retention_pct
from sizes as s
inner join months as m on s.cohort_month <= m.month
left join activity as a on s.cohort_month = a.cohort_month and m.month = a.month;

create table marts.dim_customers as
with span as (
    select
        c.customer_id,
        min(c.month) as first_revenue_month,
        max(c.month) as last_revenue_month,
        count(*) as months_with_revenue,
        sum(case when c.month = a.as_of_month then c.mrr else 0 end) as current_mrr,
        sum(case when c.month = a.as_of_month then c.arr else 0 end) as current_arr
    from customer_months as c cross join as_of as a
    group by c.customer_id
)
select
    cu.customer_id, cu.customer_name, cu.segment, cu.country, cu.is_in_customers_table,
    s.first_revenue_month, s.last_revenue_month,
    cast(coalesce(s.months_with_revenue, 0) as bigint) as months_with_revenue,
    cast(coalesce(s.current_mrr, 0) as decimal(28, 10)) as current_mrr,
    cast(coalesce(s.current_arr, 0) as decimal(28, 10)) as current_arr,
    case
        when s.current_mrr > 0 then 'active'
        when s.customer_id is not null then 'churned'
        else 'never_paid'
    end as status
from customers as cu left join span as s on cu.customer_id = s.customer_id;
