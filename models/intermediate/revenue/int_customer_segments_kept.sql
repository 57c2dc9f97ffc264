-- Each customer's segment as this build resolved it, kept for the next build's
-- int_customer_segments_changed, which must read the last build's copy before this one replaces it:
-- depends_on: {{ ref('int_customer_segments_changed') }}
with

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

final as (

    select
        customer_id,
        coalesce(segment, 'Unknown') as segment

    from customers

)

select * from final
