-- MetricFlow's time spine: one row per day of every reporting month. dbt requires a daily spine (or
-- finer) as soon as a project has semantic models, though every mart here is monthly. The months come
-- from int_calendar_months_generated (explode_months), the days from an inline list of offsets 0-30
-- and dbt.dateadd: no engine-specific SQL, and the spine spans exactly the reported months.
with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

day_offsets as (

    {{ rows_of_values('day_offset', range(31)) }}

),

days as (

    select
        {{ dbt.dateadd('day', 'day_offsets.day_offset', 'months.month') }} as date_day,
        months.month_end_date

    from months
    cross join day_offsets

),

final as (

    select cast(date_day as date) as date_day

    from days
    where cast(date_day as date) <= month_end_date

)

select * from final
