-- Whole history, per month, cheaply (DECISIONLOG "Data tests of an incremental run check the
-- rewritten window"): the three incremental tables agree in every month, kept ones included, while
-- their row tests check only the window an incremental run rewrote. The movements of month M hold
-- one row per customer with MRR at M (ending) and per customer with MRR at M - 1 (starting), with
-- those MRRs summed as int_customer_months_aggregated has them; the causes of month M are the
-- movement rows with MRR in both months, and add up to their change. A kept month that no longer
-- matches the months recomputed next to it fails here. Never filtered by the window.
with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

causes as (

    select * from {{ ref('int_mrr_movement_causes_attributed') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

customer_month_totals as (

    -- Active customers and their MRR per month.
    select
        month,
        count(*) as customers,
        sum(mrr) as mrr

    from customer_months
    group by month

),

expected_movement_totals as (

    -- What the movements of each month must add up to: the month's MRR as ending, the previous
    -- month's as starting (up to the as-of month).
    select
        month,
        sum(ending_customers) as ending_customers,
        sum(ending_mrr) as ending_mrr,
        sum(starting_customers) as starting_customers,
        sum(starting_mrr) as starting_mrr

    from (
        select
            month,
            customers as ending_customers,
            mrr as ending_mrr,
            0 as starting_customers,
            0 as starting_mrr
        from customer_month_totals

        union all

        select
            {{ add_months('customer_month_totals.month', 1) }} as month,
            0 as ending_customers,
            0 as ending_mrr,
            customer_month_totals.customers as starting_customers,
            customer_month_totals.mrr as starting_mrr
        from customer_month_totals
        cross join as_of
        where customer_month_totals.month < as_of.as_of_month
    ) as sides
    group by month

),

movement_totals as (

    -- The movements' totals per month, and those of the rows with MRR in both months.
    select
        month,
        sum(case when ending_mrr > 0 then 1 else 0 end) as ending_customers,
        sum(ending_mrr) as ending_mrr,
        sum(case when starting_mrr > 0 then 1 else 0 end) as starting_customers,
        sum(starting_mrr) as starting_mrr,
        sum(case when starting_mrr > 0 and ending_mrr > 0 then 1 else 0 end) as continuing_customers,
        sum(case when starting_mrr > 0 and ending_mrr > 0 then ending_mrr - starting_mrr else 0 end)
            as continuing_change_mrr

    from movements
    group by month

),

cause_totals as (

    -- The causes' rows and summed change per month.
    select
        month,
        count(*) as continuing_customers,
        sum(seats_mrr + price_mrr + cross_sell_mrr - cross_sell_lost_mrr) as continuing_change_mrr

    from causes
    group by month

),

compared as (

    select
        expected_movement_totals.ending_customers as expected_ending_customers,
        movement_totals.ending_customers,
        expected_movement_totals.ending_mrr as expected_ending_mrr,
        movement_totals.ending_mrr,
        expected_movement_totals.starting_customers as expected_starting_customers,
        movement_totals.starting_customers,
        expected_movement_totals.starting_mrr as expected_starting_mrr,
        movement_totals.starting_mrr,
        movement_totals.continuing_customers,
        cause_totals.continuing_customers as cause_customers,
        movement_totals.continuing_change_mrr,
        cause_totals.continuing_change_mrr as cause_change_mrr,
        coalesce(expected_movement_totals.month, movement_totals.month, cause_totals.month) as month

    from expected_movement_totals
    full outer join movement_totals
        on expected_movement_totals.month = movement_totals.month
    full outer join cause_totals
        on coalesce(expected_movement_totals.month, movement_totals.month) = cause_totals.month

),

final as (

    select * from compared
    where
        expected_ending_customers is null
        or ending_customers is null
        or expected_ending_customers != ending_customers
        or expected_ending_mrr != ending_mrr
        or expected_starting_customers != starting_customers
        or expected_starting_mrr != starting_mrr
        or continuing_customers != coalesce(cause_customers, 0)
        or continuing_change_mrr != coalesce(cause_change_mrr, 0)

)

select * from final
