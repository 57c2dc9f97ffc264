with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

reporting_window as (

    -- Reporting months run from the first month in which any MRR exists through the as-of month.
    select
        min(customer_months.month) as first_month,
        max(as_of.as_of_month) as as_of_month

    from customer_months
    cross join as_of

),

months as (

    select {{ explode_months('first_month', 'as_of_month') }} as month

    from reporting_window
    where first_month <= as_of_month

),

final as (

    select
        month,
        {{ dbt.last_day('month', 'month') }} as month_end_date

    from months

)

select * from final
