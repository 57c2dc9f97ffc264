with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

bands as (

    select * from {{ ref('benchmark_segment_nrr_bands') }}

),

trailing_segments as (

    -- Trailing-12-month figures of each customer segment. The company as a whole ('All') is rated
    -- against its stage instead, in int_company_periods_rated.
    select
        period_end_month,
        segment,
        nrr_pct,
        grr_pct,
        -- The lines compare the exact annualised amounts, not the MRR rounded to 10 places (an NRR of
        -- exactly 115 % from quarterly prices, 33.33... -> 38.33..., stays on its line).
        starting_arr,
        ending_arr as cohort_ending_arr,
        retained_arr

    from nrr
    where
        period_months = 12
        and segment != 'All'

),

segments_with_band as (

    -- A segment without a band row (Unknown, or one removed from the seed) keeps its row, band empty.
    select
        trailing_segments.*,
        bands.nrr_low_pct as benchmark_low_pct,
        bands.nrr_high_pct as benchmark_high_pct

    from trailing_segments
    left join bands
        on trailing_segments.segment = bands.segment

),

final as (

    select
        period_end_month,
        segment,
        nrr_pct,
        grr_pct,
        benchmark_low_pct,
        benchmark_high_pct,
        case
            when benchmark_low_pct is null then 'no_band'
            when {{ pct_compare('cohort_ending_arr', 'starting_arr', '<', 'benchmark_low_pct') }} then 'below'
            when {{ pct_compare('cohort_ending_arr', 'starting_arr', '>', 'benchmark_high_pct') }} then 'above'
            else 'within'
        end as position,
        {{ is_leaky_bucket('starting_arr', 'cohort_ending_arr', 'retained_arr') }} as leaky_bucket

    from segments_with_band

)

select * from final
