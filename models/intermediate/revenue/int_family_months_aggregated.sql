with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

families as (

    select * from {{ ref('int_account_families_resolved') }}

),

family_months as (

    -- A family's MRR in a month is the sum of its members' MRR: a family is active while any member
    -- pays.
    select
        families.family_id,
        customer_months.month,
        cast(sum(customer_months.mrr) as {{ type_money() }}) as mrr,
        cast(sum(customer_months.arr) as {{ type_money() }}) as arr

    from customer_months
    inner join families
        on customer_months.customer_id = families.customer_id
    group by families.family_id, customer_months.month

),

final as (

    select * from family_months

)

select * from final
