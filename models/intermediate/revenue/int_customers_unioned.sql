with

customer_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

customers as (

    select * from customer_rows
    where row_status = 'used'

),

customers_only_in_subscriptions as (

    -- A customer billed in subscriptions but missing from customers is kept, with segment Unknown.
    select distinct periods.customer_id

    from periods
    where
        not exists (
            select 1
            from customers
            where customers.customer_id = periods.customer_id
        )

),

unioned as (

    select
        customer_id,
        customer_name,
        segment,
        country,
        true as is_in_customers_table

    from customers

    union all

    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as customer_name,
        'Unknown' as segment,
        cast(null as {{ dbt.type_string() }}) as country,
        false as is_in_customers_table

    from customers_only_in_subscriptions

),

final as (

    select * from unioned

)

select * from final
