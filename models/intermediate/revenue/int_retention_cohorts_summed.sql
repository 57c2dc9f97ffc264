with

cohort_members as (

    select * from {{ ref('int_retention_cohorts_compared') }}

),

plan_cohort_members as (

    select * from {{ ref('int_plan_cohorts_compared') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

bands as (

    select * from {{ ref('arr_bands') }}

),

dimensions as (

    {{ rows_of_values('dimension', ["'segment'", "'plan'", "'country'", "'arr_band'"]) }}

),

members_described as (

    -- Each customer cohort member with its current segment and country (as nrr_by_period) and its ARR
    -- band at the period's start: the band whose [arr_from, arr_to) holds its exact ARR at S, so a
    -- customer that moves band inside the period stays in its start band (DECISIONLOG "Dimensions
    -- beside segment"). 'Unknown' if an edited seed leaves the ARR uncovered.
    select
        cohort_members.*,
        coalesce(customers.segment, 'Unknown') as segment,
        coalesce(customers.country, 'Unknown') as country,
        coalesce(bands.arr_band, 'Unknown') as arr_band

    from cohort_members
    left join customers
        on cohort_members.customer_id = customers.customer_id
    left join bands
        on
            cohort_members.starting_arr >= bands.arr_from
            and (bands.arr_to is null or cohort_members.starting_arr < bands.arr_to)

),

member_sums as (

    -- One pass over the customer cohort members: sums per period and segment, country and ARR band,
    -- and the whole cohort per period (the empty grouping set), by grouping sets, not one union of
    -- the members per dimension (DECISIONLOG "nrr_by_dimension sums the members once by grouping
    -- sets"). dimension is null on the whole cohort's rows.
    select
        period_start_month,
        period_end_month,
        period_months,
        case
            when grouping(segment) = 0 then 'segment'
            when grouping(country) = 0 then 'country'
            when grouping(arr_band) = 0 then 'arr_band'
        end as dimension,
        case
            when grouping(segment) = 0 then segment
            when grouping(country) = 0 then country
            when grouping(arr_band) = 0 then arr_band
            else 'All'
        end as dimension_value,
        {{ nrr_member_sums() }}

    from members_described
    group by grouping sets (
        (period_start_month, period_end_month, period_months, segment),
        (period_start_month, period_end_month, period_months, country),
        (period_start_month, period_end_month, period_months, arr_band),
        (period_start_month, period_end_month, period_months)
    )

),

plan_sums as (

    -- At the plan grain the member is the (customer, plan) pair with that plan's MRR at S, so a
    -- customer with several plans counts in each with that plan's revenue.
    select
        period_start_month,
        period_end_month,
        period_months,
        'plan' as dimension,
        plan as dimension_value,
        {{ nrr_member_sums() }}

    from plan_cohort_members
    group by
        period_start_month,
        period_end_month,
        period_months,
        plan

),

company_sums as (

    -- The company's cohort once under each dimension as its 'All' (the customer grain, as
    -- nrr_by_period's 'All'): summed once above, repeated after the sums (a few rows per period).
    select
        member_sums.period_start_month,
        member_sums.period_end_month,
        member_sums.period_months,
        dimensions.dimension,
        member_sums.dimension_value,
        member_sums.cohort_customers,
        member_sums.retained_customers,
        member_sums.starting_mrr,
        member_sums.expansion_mrr,
        member_sums.contraction_mrr,
        member_sums.churned_mrr,
        member_sums.ending_mrr,
        member_sums.starting_arr,
        member_sums.ending_arr,
        member_sums.retained_arr

    from member_sums
    cross join dimensions
    where member_sums.dimension is null

),

final as (

    -- One row per period, dimension and value: the customer dimensions', the plans' and each
    -- dimension's 'All'.
    select * from member_sums
    where dimension is not null

    union all

    select * from plan_sums

    union all

    select * from company_sums

)

select * from final
