-- ARR is the sum of the exact annualised amounts of the periods in force (12, 4 or 1 times the price
-- per interval), so it differs from 12 x the MRR only by the rounding of each period's MRR to the money
-- type's 10 places: at most 12 x 0.5e-10 per period in force. Every month, every period.
with

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

customer_months as (

    -- Each customer-month sums the exact amounts of its paid periods in force, and counts them.
    select * from {{ ref('int_customer_months_aggregated') }}

),

periods_in_force as (

    select
        month,
        cast(sum(arr) as {{ type_money() }}) as arr,
        sum(paid_periods_in_force) as periods

    from customer_months
    group by month

),

compared as (

    select
        bridge.month,
        bridge.ending_mrr,
        bridge.ending_arr,
        coalesce(periods_in_force.arr, 0) as periods_arr,
        coalesce(periods_in_force.periods, 0) as periods

    from bridge
    left join periods_in_force
        on bridge.month = periods_in_force.month

)

select *

from compared
where
    ending_arr != periods_arr
    or abs(ending_arr - {{ arr_of('ending_mrr') }}) > cast(6e-10 as {{ type_double() }}) * periods
