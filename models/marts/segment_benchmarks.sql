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
        leaky_bucket,
        benchmark_set,
        acv,
        grr_benchmark_pct,
        grr_position

    from positioned

)

select * from final
