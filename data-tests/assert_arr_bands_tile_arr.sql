-- The bands of the seed arr_bands cover every ARR from 0 up, each exactly once: the first
-- starts at 0, each ends where the next begins, and only the last is open-ended. An edited seed with a
-- gap or an overlap fails here, before any customer is placed in a band.
with

bands as (

    select * from {{ ref('arr_bands') }}

),

ordered as (

    select
        arr_band,
        arr_from,
        arr_to,
        row_number() over (order by arr_from) as band_rank,
        lead(arr_from) over (order by arr_from) as next_arr_from

    from bands

)

select
    arr_band,
    arr_from,
    arr_to,
    next_arr_from,
    case
        when band_rank = 1 and arr_from != 0 then 'the first band must start at ARR 0'
        when next_arr_from is null then 'the last band must have an empty arr_to (no upper bound)'
        else 'arr_to must equal the next band''s arr_from'
    end as failure

from ordered
where
    (band_rank = 1 and arr_from != 0)
    or arr_to is distinct from next_arr_from
