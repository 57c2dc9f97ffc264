-- Each month's starting MRR is the previous month's ending MRR; the first month starts from zero.
with

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

chained as (

    select
        month,
        starting_mrr,
        lag(ending_mrr) over (order by month) as previous_ending_mrr

    from bridge

)

select *

from chained
where starting_mrr != coalesce(previous_ending_mrr, 0)
