{{ config(**incremental_period_config()) }}

{% set window = incremental_window_literal() -%}
{% set in_window = is_incremental() and window is not none -%}

with

cohort_members as (

    select * from {{ ref('int_retention_cohorts_compared') }}
    {%- if in_window %}
    -- Incremental run: only the periods ending in the window are replaced (DECISIONLOG
    -- "int_retention_cohorts_summed recomputes only the periods ending in the window"). The start
    -- month bound is implied by the end month's; written out, it reaches the scan of the months.
    where
        period_end_month >= {{ window }}
        and period_start_month >= {{ add_months(window, -1 * longest_period_months()) }}
    {%- endif %}

),

plan_cohort_members as (

    select * from {{ ref('int_plan_cohorts_compared') }}
    {%- if in_window %}
    where
        period_end_month >= {{ window }}
        and period_start_month >= {{ add_months(window, -1 * longest_period_months()) }}
    {%- endif %}

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

combination_sums as (

    -- One pass over the customer cohort members: sums per period and combination of segment,
    -- country and ARR band (a few hundred rows per period). Each dimension is then summed from these
    -- rows, not from a union of the members per dimension (DECISIONLOG "The NRR dimensions are
    -- summed from one aggregate of the members").
    select
        period_start_month,
        period_end_month,
        period_months,
        segment,
        country,
        arr_band,
        {{ nrr_member_sums() }}

    from members_described
    group by
        period_start_month,
        period_end_month,
        period_months,
        segment,
        country,
        arr_band

),

customer_dimension_sums as (

    -- Per period and segment, country or ARR band: the combinations' sums added up (exact: decimal
    -- sums and counts).
    {% for dimension in ['segment', 'country', 'arr_band'] %}
        select
            period_start_month,
            period_end_month,
            period_months,
            '{{ dimension }}' as dimension,
            {{ dimension }} as dimension_value,
            {{ nrr_sums_added() }}

        from combination_sums
        group by
            period_start_month,
            period_end_month,
            period_months,
            {{ dimension }}
        {%- if not loop.last %}

            union all

        {%- endif %}
    {% endfor %}

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
    -- nrr_by_period's 'All'): the combinations' sums added up per period, repeated per dimension.
    select
        combination_sums.period_start_month,
        combination_sums.period_end_month,
        combination_sums.period_months,
        dimensions.dimension,
        'All' as dimension_value,
        {{ nrr_sums_added('combination_sums') }}

    from combination_sums
    cross join dimensions
    group by
        combination_sums.period_start_month,
        combination_sums.period_end_month,
        combination_sums.period_months,
        dimensions.dimension

),

final as (

    -- One row per period, dimension and value: the customer dimensions', the plans' and each
    -- dimension's 'All'.
    select * from customer_dimension_sums

    union all

    select * from plan_sums

    union all

    select * from company_sums

)

select * from final
