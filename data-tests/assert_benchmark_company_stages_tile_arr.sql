-- The stages of the seed benchmark_company_stages cover every ARR from 0 up, each exactly once: the first
-- starts at 0, each ends where the next begins, and only the last is open-ended. An edited seed with a
-- gap or an overlap fails here, before any company is rated against it.
with

stages as (

    select * from {{ ref('benchmark_company_stages') }}

),

ordered as (

    select
        company_stage,
        arr_from,
        arr_to,
        row_number() over (order by arr_from) as stage_rank,
        lead(arr_from) over (order by arr_from) as next_arr_from

    from stages

)

select
    company_stage,
    arr_from,
    arr_to,
    next_arr_from,
    case
        when stage_rank = 1 and arr_from != 0 then 'the first stage must start at ARR 0'
        when next_arr_from is null then 'the last stage must have an empty arr_to (no upper bound)'
        else 'arr_to must equal the next stage''s arr_from'
    end as failure

from ordered
where
    (stage_rank = 1 and arr_from != 0)
    or arr_to is distinct from next_arr_from
