with

customers as (

    select * from {{ ref('stg_billing__customers') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

customers_only_in_subscriptions as (

    -- A customer billed in subscriptions but missing from customers is kept, with segment Unknown.
    select distinct subscriptions.customer_id

    from subscriptions
    where
        subscriptions.customer_id is not null
        and not exists (
            select 1
            from customers
            where customers.customer_id = subscriptions.customer_id
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
