with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

bridge as (

    select * from {{ ref('mrr_bridge_monthly') }}

),

stages as (

    select * from {{ ref('benchmark_company_stages') }}

),

reference_lines as (

    select * from {{ ref('benchmark_reference_lines') }}

),

trailing_company as (

    -- Trailing-12-month figures of the whole company (segment 'All').
    select
        period_end_month,
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
        and segment = 'All'

),

company_with_arr as (

    -- The stage goes by the company's total ARR at the end month, every customer included (not only
    -- the cohort's).
    select
        trailing_company.*,
        bridge.ending_arr

    from trailing_company
    inner join bridge
        on trailing_company.period_end_month = bridge.month

),

company_with_stage as (

    -- arr_from inclusive, arr_to exclusive, an empty arr_to has no upper bound. A left join, so a gap
    -- in an edited seed shows as an empty stage (and fails its not_null test) instead of a lost row.
    select
        company_with_arr.*,
        stages.company_stage,
        stages.concerning_below_nrr_pct,
        stages.good_from_nrr_pct,
        stages.excellent_above_nrr_pct

    from company_with_arr
    left join stages
        on
            company_with_arr.ending_arr >= stages.arr_from
            and (stages.arr_to is null or company_with_arr.ending_arr < stages.arr_to)

),

rated as (

    -- The rating of each end month's NRR for the company's stage.
    select
        period_end_month,
        ending_arr,
        company_stage,
        nrr_pct,
        grr_pct,
        -- excellent: strictly above the excellent line; good: from the good line through the excellent
        -- line, both inclusive; fair: from the concerning line (inclusive) up to the good line;
        -- concerning: strictly below the concerning line.
        case
            when company_stage is null then null
            when {{ pct_compare('cohort_ending_arr', 'starting_arr', '>', 'excellent_above_nrr_pct') }}
                then 'excellent'
            when {{ pct_compare('cohort_ending_arr', 'starting_arr', '>=', 'good_from_nrr_pct') }}
                then 'good'
            when {{ pct_compare('cohort_ending_arr', 'starting_arr', '>=', 'concerning_below_nrr_pct') }}
                then 'fair'
            else 'concerning'
        end as rating,
        {{ is_leaky_bucket('starting_arr', 'cohort_ending_arr', 'retained_arr') }} as leaky_bucket

    from company_with_stage

),

lines as (

    -- One row: the reference lines side by side.
    select
        max(case when reference_line = 'median' then nrr_pct end) as median_nrr_pct,
        max(case when reference_line = 'best_in_class' then nrr_pct end) as best_in_class_nrr_pct

    from reference_lines

),

final as (

    select
        rated.period_end_month,
        rated.ending_arr,
        rated.company_stage,
        rated.nrr_pct,
        rated.grr_pct,
        rated.rating,
        lines.median_nrr_pct,
        lines.best_in_class_nrr_pct,
        rated.leaky_bucket

    from rated
    cross join lines

)

select * from final
