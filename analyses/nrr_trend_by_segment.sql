-- Trailing-12-month NRR and GRR per segment over time, rounded for display.
-- Compile with `dbt compile --select nrr_trend_by_segment` and run the SQL in target/compiled.
with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

final as (

    select
        period_end_month,
        segment,
        cohort_customers,
        round(nrr_pct, 1) as nrr_pct,
        round(grr_pct, 1) as grr_pct

    from nrr
    where period_months = 12

)

select * from final
order by period_end_month, segment
