with

customers as (

    select * from {{ ref('int_customer_rows_unioned') }}

),

repeated_keys as (

    -- customer_ids on more than one row: few, so only their rows are compared value by value.
    select customer_id

    from customers
    where customer_id is not null
    group by customer_id
    having count(*) > 1

),

repeated_key_rows_compared as (

    -- Rows sharing a customer_id are exact duplicates (collapsed to one) or conflicting duplicates
    -- (all rejected).
    select
        customers.*,
        min(customers.raw_values) over (partition by customers.customer_id)
        != max(customers.raw_values) over (partition by customers.customer_id)
            as has_conflicting_duplicate,
        row_number() over (
            partition by customers.customer_id, customers.raw_values order by customers.raw_values
        ) as copy_number

    from customers
    inner join repeated_keys
        on customers.customer_id = repeated_keys.customer_id

),

keyed as (

    select
        customers.*,
        false as has_conflicting_duplicate,
        1 as copy_number

    from customers
    left join repeated_keys
        on customers.customer_id = repeated_keys.customer_id
    where repeated_keys.customer_id is null

    union all

    select * from repeated_key_rows_compared

),

final as (

    -- A segment that is not recognised is not a reason to reject: it becomes Unknown.
    select
        customer_id,
        customer_name,
        segment_raw,
        segment,
        country,
        parent_customer_id,
        customer_id as row_key,
        -- The row as given, kept for rows not used (the audit trail).
        case
            when customer_id is null or has_conflicting_duplicate or copy_number > 1 then raw_values
        end as raw_values,
        case
            when customer_id is null or has_conflicting_duplicate then 'rejected'
            when copy_number > 1 then 'collapsed'
            else 'used'
        end as row_status,
        case
            when customer_id is null then 'missing_key'
            when has_conflicting_duplicate then 'conflicting_duplicate'
        end as reason_code,
        case
            when customer_id is null then 'customer_id is empty'
            when has_conflicting_duplicate
                then 'another row has the same customer_id with different values'
        end as reason

    from keyed

)

select * from final
