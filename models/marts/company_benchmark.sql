with

rated as (

    select * from {{ ref('int_company_periods_rated') }}

),

reference_lines as (

    select * from {{ ref('benchmark_reference_lines') }}

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
