{{ config(**incremental_month_config('period_end_month')) }}

with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}
    {% if is_incremental() -%}
        -- Incremental run: only start months of periods that can end in the window (and their ends).
        where
            month >= {{ add_months(incremental_window_start('period_end_month'), -1 * (var('nrr_period_months') | max)) }}
    {%- endif %}

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
        customer_months.mrr as starting_mrr

    from customer_months
    cross join period_lengths

),

members_in_window as (

    select cohort_members.*

    from cohort_members
    cross join as_of
    where
        cohort_members.period_end_month <= as_of.as_of_month
    {% if is_incremental() -%}
        -- Incremental run: periods ending in the look-back window (both month ends of an older period
        -- are older than the window, so its row cannot have changed).
        and cohort_members.period_end_month >= {{ incremental_window_start('period_end_month') }}
        {%- endif %}

),

compared as (

    select
        members_in_window.customer_id,
        members_in_window.period_months,
        members_in_window.period_start_month,
        members_in_window.period_end_month,
        members_in_window.starting_mrr,
        cast(coalesce(end_months.mrr, 0) as {{ type_money() }}) as ending_mrr

    from members_in_window
    left join customer_months as end_months
        on
            members_in_window.customer_id = end_months.customer_id
            and members_in_window.period_end_month = end_months.month

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
        ending_mrr > 0 as is_retained

    from compared

)

select * from final
