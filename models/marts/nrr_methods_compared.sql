with

nrr as (

    select * from {{ ref('nrr_by_period') }}

),

segment_months as (

    select * from {{ ref('int_segment_months_bridged') }}

),

period_movements as (

    -- The bridge method sums the monthly bridges of the period's months, S + 1 through E, of the
    -- segment: every customer's movements, those of customers who arrived inside the period included.
    select
        nrr.period_end_month,
        nrr.period_months,
        nrr.segment,
        cast(sum(segment_months.new_mrr) as {{ type_money() }}) as period_new_mrr,
        cast(sum(segment_months.reactivation_mrr) as {{ type_money() }}) as period_reactivation_mrr,
        cast(sum(segment_months.expansion_mrr) as {{ type_money() }}) as period_expansion_mrr,
        cast(sum(segment_months.contraction_mrr) as {{ type_money() }}) as period_contraction_mrr,
        cast(sum(segment_months.churned_mrr) as {{ type_money() }}) as period_churned_mrr

    from nrr
    inner join segment_months
        on
            nrr.segment = segment_months.segment
            and nrr.period_start_month < segment_months.month
            and nrr.period_end_month >= segment_months.month
    group by nrr.period_end_month, nrr.period_months, nrr.segment

),

compared as (

    -- The cohort method's figures beside the segment's whole MRR at E (every customer, the cohort's
    -- and those new or reactivated inside the period).
    select
        nrr.period_start_month,
        nrr.period_end_month,
        nrr.period_months,
        nrr.segment,
        nrr.cohort_customers,
        nrr.starting_mrr,
        nrr.ending_mrr as cohort_ending_mrr,
        nrr.nrr_pct as cohort_nrr_pct,
        nrr.grr_pct as cohort_grr_pct,
        end_months.ending_mrr,
        cast(end_months.ending_mrr - nrr.ending_mrr as {{ type_money() }}) as non_cohort_ending_mrr,
        period_movements.period_new_mrr,
        period_movements.period_reactivation_mrr,
        period_movements.period_expansion_mrr,
        period_movements.period_contraction_mrr,
        period_movements.period_churned_mrr

    from nrr
    inner join period_movements
        on
            nrr.period_end_month = period_movements.period_end_month
            and nrr.period_months = period_movements.period_months
            and nrr.segment = period_movements.segment
    inner join segment_months as end_months
        on
            nrr.period_end_month = end_months.month
            and nrr.segment = end_months.segment

),

bridge_method as (

    -- Baremetrics' NRR, 100 - (churned - expansion) / starting MRR, over k months: the starting MRR
    -- (the segment's MRR at S, the cohort's too) plus the period's expansion less its contraction and
    -- churn. New and reactivated MRR are left out, their later movements are not.
    select
        *,
        cast(
            starting_mrr + period_expansion_mrr - period_contraction_mrr - period_churned_mrr
            as {{ type_money() }}
        ) as bridge_net_mrr,
        cast(
            starting_mrr - period_contraction_mrr - period_churned_mrr as {{ type_money() }}
        ) as bridge_retained_mrr

    from compared

),

final as (

    select
        period_start_month,
        period_end_month,
        period_months,
        segment,
        cohort_customers,
        starting_mrr,
        cohort_ending_mrr,
        ending_mrr,
        non_cohort_ending_mrr,
        period_new_mrr,
        period_reactivation_mrr,
        period_expansion_mrr,
        period_contraction_mrr,
        period_churned_mrr,
        bridge_net_mrr,
        bridge_retained_mrr,
        -- What the cohort keeps at E beyond the bridge's net: exactly the period's new and reactivated
        -- MRR less the MRR at E of the customers outside the cohort (test nrr_methods_compared_tie).
        cast(cohort_ending_mrr - bridge_net_mrr as {{ type_money() }}) as method_difference_mrr,
        cohort_nrr_pct,
        cohort_grr_pct,
        100 * (
            cast(bridge_net_mrr as {{ type_double() }}) / cast(starting_mrr as {{ type_double() }})
        ) as bridge_nrr_pct,
        100 * (
            cast(bridge_retained_mrr as {{ type_double() }})
            / cast(starting_mrr as {{ type_double() }})
        ) as bridge_grr_pct

    from bridge_method

)

select * from final
