-- A family of one member has that customer's own figures: its months are the customer's months, MRR
-- and ARR included, both ways.
with

families as (

    select * from {{ ref('int_account_families_resolved') }}

),

family_months as (

    select * from {{ ref('int_family_months_aggregated') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

single_member_families as (

    select customer_id

    from families
    where family_members = 1

),

customer_side as (

    select
        customer_months.customer_id as family_id,
        customer_months.month,
        customer_months.mrr,
        customer_months.arr

    from customer_months
    inner join single_member_families
        on customer_months.customer_id = single_member_families.customer_id

),

family_side as (

    select
        family_months.family_id,
        family_months.month,
        family_months.mrr,
        family_months.arr

    from family_months
    inner join single_member_families
        on family_months.family_id = single_member_families.customer_id

),

compared as (

    -- Both sides joined on the month's key (family_id, month), unique on each side (their key tests),
    -- so a missing month or a different amount shows as one row. A join on the key, not EXCEPT ALL
    -- both ways over every month of every single-member family: the same verdicts at a fraction of
    -- the cost (DECISIONLOG "Identity tests compare on the key").
    select
        customer_side.mrr as customer_mrr,
        family_side.mrr as family_mrr,
        customer_side.arr as customer_arr,
        family_side.arr as family_arr,
        coalesce(customer_side.family_id, family_side.family_id) as family_id,
        coalesce(customer_side.month, family_side.month) as month,
        case
            when family_side.family_id is null then 'customer month missing from its family'
            when customer_side.family_id is null then 'family month not its customer''s'
            when
                customer_side.mrr != family_side.mrr or customer_side.arr != family_side.arr
                then 'family MRR or ARR not its customer''s'
        end as failure

    from customer_side
    full outer join family_side
        on
            customer_side.family_id = family_side.family_id
            and customer_side.month = family_side.month

),

final as (

    -- The failing months, key and failure first.
    select
        family_id,
        month,
        failure,
        customer_mrr,
        family_mrr,
        customer_arr,
        family_arr

    from compared
    where failure is not null

)

select * from final
