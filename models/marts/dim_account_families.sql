with

families as (

    select * from {{ ref('int_account_families_resolved') }}

),

final as (

    -- One row per customer: the member -> family map, with each family's root and size.
    select
        customer_id,
        segment,
        parent_customer_id,
        family_id,
        family_segment,
        family_depth,
        family_members,
        customer_id = family_id as is_family_root

    from families

)

select * from final
