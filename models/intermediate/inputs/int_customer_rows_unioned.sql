with

contract_customers as (

    select * from {{ ref('stg_billing__customers') }}

),

stripe_customers as (

    select * from {{ ref('stg_stripe__customers') }}

),

unioned as (

    -- The customers of either input: the customers table (the company's own segmentation) when it
    -- has rows, else Stripe's customer table mapped onto it (DECISIONLOG "A Stripe customer table
    -- stands in for customers, and a customers table wins"). Deleted Stripe customers are kept:
    -- their invoices are still billing history. Validation is shared.
    select
        customer_id,
        customer_name,
        segment_raw,
        segment,
        country,
        parent_customer_id,
        raw_values,
        'customers' as input_table
    from contract_customers

    union all

    select
        customer_id,
        customer_name,
        segment_raw,
        segment,
        country,
        parent_customer_id,
        raw_values,
        'customer' as input_table
    from stripe_customers
    where not exists (select 1 from contract_customers)

),

final as (

    select * from unioned

)

select * from final
