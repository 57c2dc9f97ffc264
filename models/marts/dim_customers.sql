with

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

revenue_span as (

    select
        customer_months.customer_id,
        min(customer_months.month) as first_revenue_month,
        max(customer_months.month) as last_revenue_month,
        count(*) as months_with_revenue,
        sum(
            case
                when customer_months.month = as_of.as_of_month then customer_months.arr
                else 0
            end
        ) as current_arr,
        sum(
            case
                when customer_months.month = as_of.as_of_month then customer_months.mrr
                else 0
            end
        ) as current_mrr

    from customer_months
    cross join as_of
    group by customer_months.customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.segment,
        customers.country,
        customers.is_in_customers_table,
        revenue_span.first_revenue_month,
        revenue_span.last_revenue_month,
        cast(coalesce(revenue_span.months_with_revenue, 0) as bigint) as months_with_revenue,
        cast(coalesce(revenue_span.current_mrr, 0) as {{ type_money() }}) as current_mrr,
        -- The exact annualised amount (12 x the price of a monthly plan, 4 x a quarterly one ...).
        cast(coalesce(revenue_span.current_arr, 0) as {{ type_money() }}) as current_arr,
        case
            when revenue_span.current_mrr > 0 then 'active'
            when revenue_span.customer_id is not null then 'churned'
            else 'never_paid'
        end as status

    from customers
    left join revenue_span
        on customers.customer_id = revenue_span.customer_id

)

select * from final
