-- nrr_by_dimension's segment rows are nrr_by_period's rows, and every dimension's 'All' is
-- nrr_by_period's 'All', to the last digit in every column (EXCEPT ALL both ways): the long mart is
-- the same arithmetic over the same cohorts, only broken down by more dimensions.
with

by_dimension as (

    select * from {{ ref('nrr_by_dimension') }}

),

by_period as (

    select * from {{ ref('nrr_by_period') }}

),

dimensions as (

    select distinct dimension from by_dimension

),

expected as (

    -- nrr_by_period's segment rows once, under the segment dimension; its 'All' under every dimension.
    select
        dimensions.dimension,
        by_period.*

    from by_period
    cross join dimensions
    where by_period.segment = 'All' or dimensions.dimension = 'segment'

),

actual as (

    select
        dimension,
        period_start_month,
        period_end_month,
        period_months,
        dimension_value as segment,
        {{ nrr_sum_columns('before_ratios') | join(',\n        ') }},
        nrr_pct,
        grr_pct,
        logo_retention_pct,
        {{ nrr_sum_columns('after_ratios') | join(',\n        ') }}

    from by_dimension
    where dimension = 'segment' or dimension_value = 'All'

),

missing as (

    select * from expected
    except all
    select * from actual

),

extra as (

    select * from actual
    except all
    select * from expected

)

select
    'in nrr_by_period, not in nrr_by_dimension' as failure,
    dimension,
    segment,
    period_end_month,
    period_months
from missing

union all

select
    'in nrr_by_dimension, not in nrr_by_period' as failure,
    dimension,
    segment,
    period_end_month,
    period_months
from extra
