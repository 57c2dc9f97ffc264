{#- Where each dimension's values come from: the customer cohort members (segment, country, ARR
    band) or the (customer, plan) pairs. -#}
{%- set dimension_sources = [
    ('segment', 'members_described'),
    ('country', 'members_described'),
    ('arr_band', 'members_described'),
    ('plan', 'plan_cohort_members'),
] -%}

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

long_members as (

    -- One row per member and dimension value it counts in. The customer's segment, country and band;
    -- at the plan grain the member is the (customer, plan) pair with that plan's MRR at S, so a
    -- customer with several plans counts in each with that plan's revenue; and the company's cohort
    -- once under each dimension as its 'All' (the customer grain, as nrr_by_period's 'All').
    {% for dimension, relation in dimension_sources %}
        select
            '{{ dimension }}' as dimension,
            {{ dimension }} as dimension_value,
            period_months,
            period_start_month,
            period_end_month,
            starting_mrr,
            ending_mrr,
            expansion_mrr,
            contraction_mrr,
            churned_mrr,
            starting_arr,
            ending_arr,
            retained_arr,
            is_retained

        from {{ relation }}

        union all

    {% endfor %}
    select
        dimensions.dimension,
        'All' as dimension_value,
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
        cohort_members.is_retained

    from cohort_members
    cross join dimensions

),

{{ nrr_by_period_aggregated(
    'long_members',
    value_column='dimension_value',
    partition_columns=['dimension'],
    rollup_to_all=false
) }}

select * from final
