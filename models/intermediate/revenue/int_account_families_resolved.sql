with

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

parents as (

    select * from {{ ref('int_customer_parents_validated') }}

),

members as (

    -- Every customer is in exactly one family: its root's, or its own when it has no parent, names
    -- itself, or its parent was quarantined (audit.rejected_rows, source_table customer_parents).
    select
        customers.customer_id,
        customers.segment,
        case when parents.row_status = 'used' then parents.parent_customer_id end as parent_customer_id,
        coalesce(parents.family_id, customers.customer_id) as family_id,
        coalesce(parents.family_depth, 0) as family_depth

    from customers
    left join parents
        on customers.customer_id = parents.customer_id

),

with_root_segment as (

    -- A family reports under its root's segment, whatever its members' own segments (DECISIONLOG
    -- "Account families report under the root's segment").
    select
        members.customer_id,
        members.segment,
        members.parent_customer_id,
        members.family_id,
        members.family_depth,
        coalesce(roots.segment, 'Unknown') as family_segment

    from members
    left join customers as roots
        on members.family_id = roots.customer_id

),

final as (

    select
        customer_id,
        segment,
        parent_customer_id,
        family_id,
        family_segment,
        cast(family_depth as bigint) as family_depth,
        cast(count(*) over (partition by family_id) as bigint) as family_members

    from with_root_segment

)

select * from final
