with

cohort_members as (

    select * from {{ ref('int_retention_cohorts_compared') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

members_with_segment as (

    select
        cohort_members.customer_id,
        cohort_members.period_months,
        cohort_members.period_start_month,
        cohort_members.period_end_month,
        cohort_members.starting_mrr,
        cohort_members.ending_mrr,
        cohort_members.expansion_mrr,
        cohort_members.contraction_mrr,
        cohort_members.churned_mrr,
        cohort_members.starting_arr,
        cohort_members.ending_arr,
        cohort_members.retained_arr,
        cohort_members.is_retained,
        coalesce(customers.segment, 'Unknown') as segment

    from cohort_members
    left join customers
        on cohort_members.customer_id = customers.customer_id

),

aggregated as (

    -- Every member counts once in its own segment and once in the company-wide segment 'All': the
    -- rollup of segment gives both grouping sets in one pass over the members (a union of the
    -- members with themselves cost double).
    select
        period_start_month,
        period_end_month,
        period_months,
        case when grouping(segment) = 1 then 'All' else segment end as segment,
        cast(count(*) as bigint) as cohort_customers,
        cast(sum(case when is_retained then 1 else 0 end) as bigint) as retained_customers,
        cast(sum(starting_mrr) as {{ type_money() }}) as starting_mrr,
        cast(sum(expansion_mrr) as {{ type_money() }}) as expansion_mrr,
        cast(sum(contraction_mrr) as {{ type_money() }}) as contraction_mrr,
        cast(sum(churned_mrr) as {{ type_money() }}) as churned_mrr,
        cast(sum(ending_mrr) as {{ type_money() }}) as ending_mrr,
        cast(sum(starting_arr) as {{ type_money() }}) as starting_arr,
        cast(sum(ending_arr) as {{ type_money() }}) as ending_arr,
        cast(sum(retained_arr) as {{ type_money() }}) as retained_arr

    from members_with_segment
    group by period_start_month, period_end_month, period_months, rollup(segment)

),

final as (

    select
        period_start_month,
        period_end_month,
        period_months,
        segment,
        cohort_customers,
        retained_customers,
        starting_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        ending_mrr,
        -- The ratio first, then x 100: a ratio of equal amounts is exactly 1, so GRR can reach 100 but
        -- never pass it through rounding (100 * a / a can give 100.00000000000001).
        100 * (
            cast(ending_mrr as {{ type_double() }})
            / cast(starting_mrr as {{ type_double() }})
        ) as nrr_pct,
        100 * (
            cast(starting_mrr - contraction_mrr - churned_mrr as {{ type_double() }})
            / cast(starting_mrr as {{ type_double() }})
        ) as grr_pct,
        100 * (
            cast(retained_customers as {{ type_double() }})
            / cast(cohort_customers as {{ type_double() }})
        ) as logo_retention_pct,
        -- The exact annualised amounts: what benchmark bands and ratings compare (the MRR of a
        -- quarterly or yearly price is rounded to 10 places, its ARR is not).
        starting_arr,
        ending_arr,
        retained_arr

    from aggregated

)

select * from final
