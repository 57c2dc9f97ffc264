{% macro saas_metrics_computed(bridge, key_columns) %}
    {#-
        The CTEs `gains_and_losses` and `final` of a SaaS-metrics mart (SPEC section 10) over `bridge`, a
        CTE of monthly bridges (int_segment_months_bridged's columns) keyed by `key_columns`: one row
        per key with the bridge, what it gained and lost, and the rates. Called by saas_metrics_monthly
        (month x segment) and saas_metrics_by_dimension (month x dimension x dimension_value), which
        therefore have the same arithmetic.
    -#}
gains_and_losses as (

    -- The month's bridge of the segment or dimension value ('All': every customer), with what it
    -- gained and lost.
    select
        *,
        cast(new_mrr + reactivation_mrr + expansion_mrr as {{ type_money() }}) as gained_mrr,
        cast(contraction_mrr + churned_mrr as {{ type_money() }}) as lost_mrr,
        cast(
            churned_mrr + contraction_mrr - expansion_mrr - reactivation_mrr as {{ type_money() }}
        ) as net_churned_mrr

    from {{ bridge }}

),

final as (

    -- SPEC section 10's rates, each null where its denominator is 0. Ratios first, then x 100, as in
    -- nrr_by_period.
    select
        {%- for column in key_columns %}
        {{ column }},
        {%- endfor %}
        starting_mrr,
        new_mrr,
        reactivation_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        ending_mrr,
        ending_arr,
        gained_mrr,
        lost_mrr,
        net_churned_mrr,
        starting_customers,
        active_customers,
        new_customers,
        reactivated_customers,
        churned_customers,
        case
            when active_customers > 0
                then cast(
                    cast(ending_mrr as {{ type_double() }})
                    / cast(active_customers as {{ type_double() }})
                    as {{ type_money() }}
                )
        end as arpa,
        case
            when lost_mrr > 0
                then cast(gained_mrr as {{ type_double() }}) / cast(lost_mrr as {{ type_double() }})
        end as quick_ratio,
        case
            when starting_customers > 0
                then 100 * (
                    cast(churned_customers as {{ type_double() }})
                    / cast(starting_customers as {{ type_double() }})
                )
        end as logo_churn_rate_pct,
        case
            when starting_mrr > 0
                then 100 * (
                    cast(lost_mrr as {{ type_double() }}) / cast(starting_mrr as {{ type_double() }})
                )
        end as gross_mrr_churn_rate_pct,
        case
            when starting_mrr > 0
                then 100 * (
                    cast(net_churned_mrr as {{ type_double() }})
                    / cast(starting_mrr as {{ type_double() }})
                )
        end as net_mrr_churn_rate_pct,
        case
            when starting_mrr > 0
                then 100 * (
                    cast(expansion_mrr as {{ type_double() }})
                    / cast(starting_mrr as {{ type_double() }})
                )
        end as expansion_rate_pct

    from gains_and_losses

)
{% endmacro %}
