with

positioned as (

    select * from {{ ref('int_segment_periods_positioned') }}

),

final as (

    select
        period_end_month,
        segment,
        nrr_pct,
        grr_pct,
        benchmark_low_pct,
        benchmark_high_pct,
        position,
        leaky_bucket

    from positioned

)

select * from final
