{% macro cohort_members_compared(entity_months, entity_key) %}
    {#-
        The CTEs after the imports of a cohort comparison (SPEC section 4) at any grain: for each
        entity with MRR at a month S and each period length k, its MRR at S and at E = S + k and what
        moved. `entity_months` is the CTE of the entity's months (`entity_key`, month, mrr, arr); the
        model also imports `as_of`. Ends with the CTE `final`. Called by int_retention_cohorts_compared
        (customers) and int_family_cohorts_compared (account families), so both grains share one
        definition. `entity_key` may also be a list of columns (int_plan_cohorts_compared: the
        customer and plan pair).
    -#}
{%- set entity_keys = [entity_key] if entity_key is string else entity_key %}
period_lengths as (

    {{ rows_of_values('period_months', var('nrr_period_months')) }}

),

cohort_members as (

    -- The cohort of a period starting at month S is every {{ entity_keys | join(' and ') }} with MRR at S: one row per
    -- active month and period length, so the cost grows with active months.
    select
        {%- for key in entity_keys %}
        {{ entity_months }}.{{ key }},
        {%- endfor %}
        period_lengths.period_months,
        {{ entity_months }}.month as period_start_month,
        {{ add_months(entity_months ~ '.month', 'period_lengths.period_months') }} as period_end_month,
        {{ entity_months }}.mrr as starting_mrr,
        {{ entity_months }}.arr as starting_arr

    from {{ entity_months }}
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
        {%- for key in entity_keys %}
        members_ended_by_as_of.{{ key }},
        {%- endfor %}
        members_ended_by_as_of.period_months,
        members_ended_by_as_of.period_start_month,
        members_ended_by_as_of.period_end_month,
        members_ended_by_as_of.starting_mrr,
        cast(coalesce(end_months.mrr, 0) as {{ type_money() }}) as ending_mrr,
        members_ended_by_as_of.starting_arr,
        cast(coalesce(end_months.arr, 0) as {{ type_money() }}) as ending_arr

    from members_ended_by_as_of
    left join {{ entity_months }} as end_months
        on
            {%- for key in entity_keys %}
            members_ended_by_as_of.{{ key }} = end_months.{{ key }}
            and
            {%- endfor %}
            members_ended_by_as_of.period_end_month = end_months.month

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
{% endmacro %}


{% macro nrr_by_period_aggregated(members) %}
    {#-
        The CTEs `aggregated` and `final` of an NRR mart (SPEC section 4) over `members`, a CTE of cohort
        members (cohort_members_compared's columns) with a `segment`: one row per period, segment and
        'All'. Called by family_nrr_by_period (account families); nrr_by_period and nrr_by_dimension
        read the customer grain's sums from int_retention_cohorts_summed (nrr_member_sums and
        nrr_sums_added) and derive with nrr_ratios_derived, so all three have the same columns and arithmetic.
    -#}
aggregated as (

    -- Every member counts once in its own segment and once in the company-wide segment 'All': the
    -- rollup of segment gives both grouping sets in one pass over the members (a union of the
    -- members with themselves cost double).
    select
        period_start_month,
        period_end_month,
        period_months,
        case when grouping(segment) = 1 then 'All' else segment end as segment,
        {{ nrr_member_sums() }}

    from {{ members }}
    group by
        period_start_month,
        period_end_month,
        period_months,
        rollup(segment)

),

{{ nrr_ratios_derived('segment') }}
{% endmacro %}


{% macro nrr_sum_columns(part='all') %}
    {#-
        The names of the summed columns of an NRR mart (nrr_member_sums' columns), in the marts'
        order: the counts and MRR amounts, which come before the ratios (`part='before_ratios'`),
        then the exact ARR amounts, which come after them (`part='after_ratios'`). Written once for
        every macro, model and test that lists them.
    -#}
    {%- set before_ratios = [
        'cohort_customers', 'retained_customers', 'starting_mrr', 'expansion_mrr', 'contraction_mrr',
        'churned_mrr', 'ending_mrr',
    ] -%}
    {%- set after_ratios = ['starting_arr', 'ending_arr', 'retained_arr'] -%}
    {%- if part == 'before_ratios' -%}
        {{ return(before_ratios) }}
    {%- elif part == 'after_ratios' -%}
        {{ return(after_ratios) }}
    {%- elif part == 'all' -%}
        {{ return(before_ratios + after_ratios) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("nrr_sum_columns: part must be all, before_ratios or after_ratios, got '" ~ part ~ "'") }}
{%- endmacro %}


{% macro nrr_sum_type(column) -%}
    {#- The type of a column of nrr_sum_columns: bigint for the counts of customers, else type_money. -#}
    {{ 'bigint' if column.endswith('_customers') else type_money() }}
{%- endmacro %}


{% macro nrr_member_sums() %}
    {#-
        The aggregate columns of an NRR mart's `aggregated` CTE, over cohort members
        (cohort_members_compared's columns): the members counted and retained, and each amount summed
        exactly in type_money. For a select list grouped by the caller.
    -#}
{%- set counts = {
    'cohort_customers': 'count(*)',
    'retained_customers': 'sum(case when is_retained then 1 else 0 end)',
} %}
        {%- for column in nrr_sum_columns() %}
        cast({{ counts.get(column, 'sum(' ~ column ~ ')') }} as {{ nrr_sum_type(column) }})
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{% macro nrr_sums_added(relation=none) %}
    {#-
        nrr_member_sums' columns added up over rows that already carry them (partial sums of the same
        members, grouped by the caller), with the same types: decimal sums and counts are exact, so
        the totals equal summing the members directly. `relation` qualifies the columns if given.
    -#}
{%- set prefix = relation ~ '.' if relation else '' %}
        {%- for column in nrr_sum_columns() %}
        cast(sum({{ prefix }}{{ column }}) as {{ nrr_sum_type(column) }})
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{% macro nrr_ratios_derived(value_column, partition_columns=[]) %}
    {#-
        The CTE `final` of an NRR mart: reads the CTE `aggregated` (the period keys, `partition_columns`,
        `value_column` and nrr_member_sums' columns) and derives NRR, GRR and logo retention from the
        sums, in the marts' column order.
    -#}
final as (

    select
        period_start_month,
        period_end_month,
        period_months,
        {%- for column in partition_columns %}
        {{ column }},
        {%- endfor %}
        {{ value_column }},
        {%- for column in nrr_sum_columns('before_ratios') %}
        {{ column }},
        {%- endfor %}
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
        {%- for column in nrr_sum_columns('after_ratios') %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from aggregated

)
{% endmacro %}
