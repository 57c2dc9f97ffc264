with

customers as (

    select * from {{ ref('stg_billing__customers') }}

),

keyed as (

    select
        *,
        min(raw_values) over (partition by customer_id)
        != max(raw_values) over (partition by customer_id) as has_conflicting_duplicate,
        row_number() over (partition by customer_id, raw_values order by raw_values) as copy_number

    from customers

),

final as (

    -- A segment that is not recognised is not a reason to reject: it becomes Unknown.
    select
        customer_id,
        customer_name,
        segment_raw,
        segment,
        country,
        customer_id as row_key,
        raw_values,
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
