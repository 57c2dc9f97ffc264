with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

period_lengths as (

    {{ rows_of_values('period_months', var('nrr_period_months')) }}

),

cohort_members as (

    -- The cohort of a period starting at month S is every customer with MRR at S: one row per
    -- active customer-month and period length, so the cost grows with active customer-months.
    select
        customer_months.customer_id,
        period_lengths.period_months,
        customer_months.month as period_start_month,
        {{ add_months('customer_months.month', 'period_lengths.period_months') }} as period_end_month,
        customer_months.mrr as starting_mrr,
        customer_months.arr as starting_arr

    from customer_months
    cross join period_lengths

),

members_ended_by_as_of as (

    select cohort_members.*

    from cohort_members
    cross join as_of
    where
        cohort_members.period_end_month <= as_of.as_of_month

),

compared as (

    select
        members_ended_by_as_of.customer_id,
        members_ended_by_as_of.period_months,
        members_ended_by_as_of.period_start_month,
        members_ended_by_as_of.period_end_month,
        members_ended_by_as_of.starting_mrr,
        cast(coalesce(end_months.mrr, 0) as {{ type_money() }}) as ending_mrr,
        members_ended_by_as_of.starting_arr,
        cast(coalesce(end_months.arr, 0) as {{ type_money() }}) as ending_arr

    from members_ended_by_as_of
    left join customer_months as end_months
        on
            members_ended_by_as_of.customer_id = end_months.customer_id
            and members_ended_by_as_of.period_end_month = end_months.month

),

final as (

    select
        *,
        cast(
            case when ending_mrr > starting_mrr then ending_mrr - starting_mrr else 0 end
            as {{ type_money() }}
        ) as expansion_mrr,
        cast(
            case
                when ending_mrr > 0 and ending_mrr < starting_mrr then starting_mrr - ending_mrr
                else 0
            end as {{ type_money() }}
        ) as contraction_mrr,
        cast(case when ending_mrr = 0 then starting_mrr else 0 end as {{ type_money() }})
            as churned_mrr,
        -- The exact annualised amount kept of the start: GRR's numerator, for classification lines.
        cast(
            case when ending_arr < starting_arr then ending_arr else starting_arr end
            as {{ type_money() }}
        ) as retained_arr,
        ending_mrr > 0 as is_retained

    from compared

)

select * from final
