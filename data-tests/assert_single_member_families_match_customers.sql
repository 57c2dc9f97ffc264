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

only_in_customers as (

    select * from customer_side
    except all
    select * from family_side

),

only_in_families as (

    select * from family_side
    except all
    select * from customer_side

)

select
    'customer month missing from its family' as failure,
    family_id,
    month,
    mrr,
    arr
from only_in_customers

union all

select
    'family month not its customer''s' as failure,
    family_id,
    month,
    mrr,
    arr
from only_in_families
