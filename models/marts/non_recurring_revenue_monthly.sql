with

lines as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

non_recurring as (

    -- one_time and usage invoice lines: revenue, never MRR. A line belongs to the month its service
    -- period starts in.
    select
        {{ month_start('service_start') }} as month,
        customer_id,
        line_type,
        amount_reporting

    from lines
    where row_status = 'used' and line_type in ('one_time', 'usage')

),

aggregated as (

    select
        month,
        customer_id,
        line_type,
        count(*) as invoice_lines,
        cast(sum(amount_reporting) as {{ type_money() }}) as revenue

    from non_recurring
    group by month, customer_id, line_type

),

final as (

    select
        aggregated.month,
        aggregated.customer_id,
        aggregated.line_type,
        aggregated.invoice_lines,
        aggregated.revenue,
        coalesce(customers.segment, 'Unknown') as segment

    from aggregated
    left join customers
        on aggregated.customer_id = customers.customer_id

)

select * from final
