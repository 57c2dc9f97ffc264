{%- set max_depth = var('family_max_depth', 10) | int -%}

with

customer_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

customers as (

    -- The customers used: a parent must be one of them.
    select
        customer_id,
        parent_customer_id

    from customer_rows
    where row_status = 'used'

),

parents_given as (

    -- Every customer that names a parent. Naming itself is being a root (some CRMs write the account's
    -- own id in the parent field of a top account): not a link and not a cycle.
    select
        customer_id,
        parent_customer_id,
        parent_customer_id != customer_id as is_link

    from customers
    where parent_customer_id is not null

),

links_to_known_parents as (

    -- A link whose parent is a customer; the others are quarantined as parent_unknown.
    select
        parents_given.customer_id,
        parents_given.parent_customer_id

    from parents_given
    inner join customers as parents
        on parents_given.parent_customer_id = parents.customer_id
    where parents_given.is_link

),

ancestors_walked as (

    -- Up to family_max_depth steps up every chain: a customer met again among its own ancestors is on
    -- a parent cycle.
    {{ parent_chain_walked('links_to_known_parents', max_depth) }}

),

cycle_members as (

    select distinct customer_id

    from ancestors_walked
    where ancestor_id = customer_id

),

links_kept as (

    -- The links of customers not on a cycle: a cycle member's own link is cut (it becomes the root of
    -- its family), so a customer below a cycle still reaches a root.
    select links_to_known_parents.*

    from links_to_known_parents
    left join cycle_members
        on links_to_known_parents.customer_id = cycle_members.customer_id
    where cycle_members.customer_id is null

),

roots_walked as (

    -- The chains again, over the kept links, one step further than family_max_depth: a chain still
    -- going after that many steps is too deep to resolve.
    {{ parent_chain_walked('links_kept', max_depth + 1) }}

),

depths as (

    -- The last step of each chain reaches its root.
    select
        customer_id,
        max(steps) as family_depth

    from roots_walked
    group by customer_id

),

roots_found as (

    select
        depths.customer_id,
        roots_walked.ancestor_id as root_customer_id,
        depths.family_depth,
        depths.family_depth > {{ max_depth }} as is_too_deep

    from depths
    inner join roots_walked
        on
            depths.customer_id = roots_walked.customer_id
            and depths.family_depth = roots_walked.steps

),

classified as (

    select
        parents_given.customer_id,
        parents_given.parent_customer_id,
        roots_found.root_customer_id,
        roots_found.family_depth,
        case
            when not parents_given.is_link then null
            when links_to_known_parents.customer_id is null then 'parent_unknown'
            when cycle_members.customer_id is not null then 'parent_cycle'
            when roots_found.is_too_deep then 'parent_chain_too_deep'
        end as reason_code

    from parents_given
    left join links_to_known_parents
        on parents_given.customer_id = links_to_known_parents.customer_id
    left join cycle_members
        on parents_given.customer_id = cycle_members.customer_id
    left join roots_found
        on parents_given.customer_id = roots_found.customer_id

),

final as (

    -- A quarantined parent leaves its customer its own family (the customer row itself is used).
    select
        customer_id,
        parent_customer_id,
        customer_id as row_key,
        case when reason_code is null then 'used' else 'rejected' end as row_status,
        reason_code,
        case
            when reason_code = 'parent_unknown'
                then 'parent_customer_id is not a customer of the customers input'
            when reason_code = 'parent_cycle'
                then 'the chain of parent_customer_id comes back to this customer'
            when reason_code = 'parent_chain_too_deep'
                then 'the chain of parent_customer_id is longer than var family_max_depth ({{ max_depth }})'
        end as reason,
        case
            when reason_code is null then coalesce(root_customer_id, customer_id)
            else customer_id
        end as family_id,
        cast(case when reason_code is null then coalesce(family_depth, 0) else 0 end as bigint)
            as family_depth,
        case
            when reason_code is not null then {{ json_object_of(['customer_id', 'parent_customer_id']) }}
        end as raw_values

    from classified

)

select * from final
