-- With no parent links at all (every customer its own family), family_nrr_by_period is nrr_by_period,
-- row for row and value for value, both ways. With families, this test checks nothing else: the other
-- family identities (assert_family_mrr_sums_to_company_mrr, assert_single_member_families_match_customers)
-- hold in every build.
with

families as (

    select * from {{ ref('int_account_families_resolved') }}

),

family_nrr as (

    select * from {{ ref('family_nrr_by_period') }}

),

customer_nrr as (

    select * from {{ ref('nrr_by_period') }}

),

has_no_families as (

    -- True when no family has more than one member.
    select coalesce(max(family_members), 1) = 1 as is_flat

    from families

),

family_rows as (

    select family_nrr.*

    from family_nrr
    cross join has_no_families
    where has_no_families.is_flat

),

customer_rows as (

    select customer_nrr.*

    from customer_nrr
    cross join has_no_families
    where has_no_families.is_flat

),

only_in_families as (

    select * from family_rows
    except all
    select * from customer_rows

),

only_in_customers as (

    select * from customer_rows
    except all
    select * from family_rows

)

select
    'row of family_nrr_by_period not in nrr_by_period' as failure,
    period_end_month,
    period_months,
    segment,
    nrr_pct,
    grr_pct
from only_in_families

union all

select
    'row of nrr_by_period not in family_nrr_by_period' as failure,
    period_end_month,
    period_months,
    segment,
    nrr_pct,
    grr_pct
from only_in_customers
