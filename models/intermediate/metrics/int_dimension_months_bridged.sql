{#- Where each dimension's values come from: the customer movements (segment, country, ARR band)
    or the (customer, plan) pairs' movements. -#}
{%- set dimension_sources = [
    ('segment', 'movements_banded'),
    ('country', 'movements_banded'),
    ('arr_band', 'movements_banded'),
    ('plan', 'plan_movements'),
] -%}

with

months as (

    select * from {{ ref('int_calendar_months_generated') }}

),

movements as (

    select * from {{ ref('int_mrr_movements_classified') }}

),

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

bands as (

    select * from {{ ref('arr_bands') }}

),

plan_movements as (

    select * from {{ ref('int_customer_plan_movements_classified') }}

),

dimensions as (

    {{ rows_of_values('dimension', ["'segment'", "'plan'", "'country'", "'arr_band'"]) }}

),

movements_with_arr as (

    -- Each customer movement with the customer's exact ARR at M-1 and at M, its current segment and
    -- country, and the ARR that places it in a band: ARR(M-1), or ARR(M) for a customer without MRR at
    -- M-1 (new or reactivated) (DECISIONLOG "Dimensions beside segment").
    select
        movements.*,
        cast(coalesce(starting_months.arr, 0) as {{ type_money() }}) as starting_arr,
        cast(coalesce(ending_months.arr, 0) as {{ type_money() }}) as ending_arr,
        coalesce(customers.segment, 'Unknown') as segment,
        coalesce(customers.country, 'Unknown') as country,
        case
            when movements.starting_mrr > 0 then starting_months.arr
            else ending_months.arr
        end as band_arr

    from movements
    left join customer_months as starting_months
        on
            movements.customer_id = starting_months.customer_id
            and {{ add_months('movements.month', -1) }} = starting_months.month
    left join customer_months as ending_months
        on
            movements.customer_id = ending_months.customer_id
            and movements.month = ending_months.month
    left join customers
        on movements.customer_id = customers.customer_id

),

movements_banded as (

    -- The band whose range [arr_from, arr_to) holds the placing ARR; 'Unknown' if an edited seed
    -- leaves it uncovered (assert_arr_bands_tile_arr fails such a seed).
    select
        movements_with_arr.*,
        coalesce(bands.arr_band, 'Unknown') as arr_band

    from movements_with_arr
    left join bands
        on
            movements_with_arr.band_arr >= bands.arr_from
            and (bands.arr_to is null or movements_with_arr.band_arr < bands.arr_to)

),

long_movements as (

    -- One row per movement and dimension value it counts in: its segment, country and band, its
    -- plan parts (a customer with several plans counts in each, with that plan's MRR), and once in
    -- the company, dimension '*', which every dimension's 'All' row repeats.
    {% for dimension, relation in dimension_sources %}
        select
            month,
            '{{ dimension }}' as dimension,
            {{ dimension }} as dimension_value,
            movement_type,
            starting_mrr,
            new_mrr,
            reactivation_mrr,
            expansion_mrr,
            contraction_mrr,
            churned_mrr,
            ending_mrr,
            ending_arr

        from {{ relation }}

        union all

    {% endfor %}
    select
        month,
        '*' as dimension,
        'All' as dimension_value,
        movement_type,
        starting_mrr,
        new_mrr,
        reactivation_mrr,
        expansion_mrr,
        contraction_mrr,
        churned_mrr,
        ending_mrr,
        ending_arr

    from movements_banded

),

value_movements as (

    -- The bridge of each month per dimension value, as int_segment_months_bridged per segment. At the
    -- plan grain the customers counted are (customer, plan) pairs.
    select
        month,
        dimension,
        dimension_value,
        cast(sum(starting_mrr) as {{ type_money() }}) as starting_mrr,
        cast(sum(new_mrr) as {{ type_money() }}) as new_mrr,
        cast(sum(reactivation_mrr) as {{ type_money() }}) as reactivation_mrr,
        cast(sum(expansion_mrr) as {{ type_money() }}) as expansion_mrr,
        cast(sum(contraction_mrr) as {{ type_money() }}) as contraction_mrr,
        cast(sum(churned_mrr) as {{ type_money() }}) as churned_mrr,
        cast(sum(ending_mrr) as {{ type_money() }}) as ending_mrr,
        cast(sum(ending_arr) as {{ type_money() }}) as ending_arr,
        cast(sum(case when starting_mrr > 0 then 1 else 0 end) as bigint) as starting_customers,
        cast(sum(case when ending_mrr > 0 then 1 else 0 end) as bigint) as active_customers,
        cast(sum(case when movement_type = 'new' then 1 else 0 end) as bigint) as new_customers,
        cast(sum(case when movement_type = 'reactivation' then 1 else 0 end) as bigint)
            as reactivated_customers,
        cast(sum(case when movement_type = 'churn' then 1 else 0 end) as bigint) as churned_customers

    from long_movements
    group by month, dimension, dimension_value

),

value_movements_by_dimension as (

    -- The company's rows ('*') once under each dimension, as its 'All'.
    select
        value_movements.month,
        dimensions.dimension,
        value_movements.dimension_value,
        value_movements.starting_mrr,
        value_movements.new_mrr,
        value_movements.reactivation_mrr,
        value_movements.expansion_mrr,
        value_movements.contraction_mrr,
        value_movements.churned_mrr,
        value_movements.ending_mrr,
        value_movements.ending_arr,
        value_movements.starting_customers,
        value_movements.active_customers,
        value_movements.new_customers,
        value_movements.reactivated_customers,
        value_movements.churned_customers

    from value_movements
    inner join dimensions
        on
            value_movements.dimension = dimensions.dimension
            or value_movements.dimension = '*'

),

dimension_values as (

    select distinct
        dimension,
        dimension_value

    from value_movements_by_dimension

),

month_value_grid as (

    -- Every reporting month for every value with a movement in any month ('All' included): a month
    -- without a movement of the value gets a row of zeros, as in int_segment_months_bridged.
    select
        months.month,
        dimension_values.dimension,
        dimension_values.dimension_value

    from months
    cross join dimension_values

),

final as (

    select
        month_value_grid.month,
        month_value_grid.dimension,
        month_value_grid.dimension_value,
        cast(coalesce(value_movements_by_dimension.starting_mrr, 0) as {{ type_money() }}) as starting_mrr,
        cast(coalesce(value_movements_by_dimension.new_mrr, 0) as {{ type_money() }}) as new_mrr,
        cast(coalesce(value_movements_by_dimension.reactivation_mrr, 0) as {{ type_money() }})
            as reactivation_mrr,
        cast(coalesce(value_movements_by_dimension.expansion_mrr, 0) as {{ type_money() }}) as expansion_mrr,
        cast(coalesce(value_movements_by_dimension.contraction_mrr, 0) as {{ type_money() }})
            as contraction_mrr,
        cast(coalesce(value_movements_by_dimension.churned_mrr, 0) as {{ type_money() }}) as churned_mrr,
        cast(coalesce(value_movements_by_dimension.ending_mrr, 0) as {{ type_money() }}) as ending_mrr,
        cast(coalesce(value_movements_by_dimension.ending_arr, 0) as {{ type_money() }}) as ending_arr,
        cast(coalesce(value_movements_by_dimension.starting_customers, 0) as bigint) as starting_customers,
        cast(coalesce(value_movements_by_dimension.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(value_movements_by_dimension.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(value_movements_by_dimension.reactivated_customers, 0) as bigint)
            as reactivated_customers,
        cast(coalesce(value_movements_by_dimension.churned_customers, 0) as bigint) as churned_customers

    from month_value_grid
    left join value_movements_by_dimension
        on
            month_value_grid.month = value_movements_by_dimension.month
            and month_value_grid.dimension = value_movements_by_dimension.dimension
            and month_value_grid.dimension_value = value_movements_by_dimension.dimension_value

)

select * from final
