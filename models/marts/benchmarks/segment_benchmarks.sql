with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

bands as (

    select * from {{ ref('benchmark_segment_nrr_bands') }}

),

acv_medians as (

    select * from {{ ref('benchmark_acv_retention_medians') }}

),

segment_months as (

    -- Each segment's month: its ARR and active customers, as published.
    select * from {{ ref('saas_metrics_monthly') }}

),

trailing_segments as (

    -- Trailing-12-month figures of each customer segment. The company as a whole ('All') is rated
    -- against its stage instead, in company_benchmark.
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

segments_with_acv as (

    -- The segment's annual contract value at the end month: its whole ARR per active customer (every
    -- customer of the segment at E, not only the cohort's), what a survey by ACV is read by.
    select
        trailing_segments.*,
        segment_months.ending_arr as segment_arr,
        segment_months.active_customers as segment_active_customers

    from trailing_segments
    left join segment_months
        on
            trailing_segments.period_end_month = segment_months.month
            and trailing_segments.segment = segment_months.segment

),

selected_acv_medians as (

    select * from acv_medians
    where benchmark_set = '{{ benchmark_set() }}'

),

segments_with_lines as (

    -- The set chosen by the var benchmark_set. `rules_of_thumb`: the segment's NRR band, no GRR line.
    -- A survey set: the NRR and GRR medians of the segment's ACV band (acv_from inclusive, acv_to
    -- exclusive, compared as ARR against acv x customers, exactly), a band of one value. A segment
    -- without a line (Unknown under the rules of thumb, no customer at E) keeps its row, lines empty.
    select
        segments_with_acv.*,
        case
            when segments_with_acv.segment_active_customers > 0
                then cast(
                    cast(segments_with_acv.segment_arr as {{ type_double() }})
                    / cast(segments_with_acv.segment_active_customers as {{ type_double() }})
                    as {{ type_money() }}
                )
        end as acv,
        case
            when '{{ benchmark_set() }}' = 'rules_of_thumb' then bands.nrr_low_pct
            else selected_acv_medians.nrr_median_pct
        end as benchmark_low_pct,
        case
            when '{{ benchmark_set() }}' = 'rules_of_thumb' then bands.nrr_high_pct
            else selected_acv_medians.nrr_median_pct
        end as benchmark_high_pct,
        case
            when '{{ benchmark_set() }}' != 'rules_of_thumb' then selected_acv_medians.grr_median_pct
        end as grr_benchmark_pct

    from segments_with_acv
    left join bands
        on segments_with_acv.segment = bands.segment
    left join selected_acv_medians
        on
            segments_with_acv.segment_active_customers > 0
            and segments_with_acv.segment_arr
            >= selected_acv_medians.acv_from * segments_with_acv.segment_active_customers
            and (
                selected_acv_medians.acv_to is null
                or segments_with_acv.segment_arr
                < selected_acv_medians.acv_to * segments_with_acv.segment_active_customers
            )

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
        {{ is_leaky_bucket('starting_arr', 'cohort_ending_arr', 'retained_arr') }} as leaky_bucket,
        '{{ benchmark_set() }}' as benchmark_set,
        acv,
        grr_benchmark_pct,
        case
            when grr_benchmark_pct is null then 'no_band'
            when {{ pct_compare('retained_arr', 'starting_arr', '<', 'grr_benchmark_pct') }} then 'below'
            when {{ pct_compare('retained_arr', 'starting_arr', '>', 'grr_benchmark_pct') }} then 'above'
            else 'within'
        end as grr_position

    from segments_with_lines

)

select * from final
