-- saas_metrics_by_dimension's segment rows are saas_metrics_monthly's rows, and every dimension's
-- 'All' is saas_metrics_monthly's 'All', to the last digit in every column (EXCEPT ALL both ways).
with

by_dimension as (

    select * from {{ ref('saas_metrics_by_dimension') }}

),

monthly as (

    select * from {{ ref('saas_metrics_monthly') }}

),

dimensions as (

    select distinct dimension from by_dimension

),

expected as (

    select
        dimensions.dimension,
        monthly.*

    from monthly
    cross join dimensions
    where monthly.segment = 'All' or dimensions.dimension = 'segment'

),

actual as (

    select
        dimension,
        month,
        dimension_value as segment,
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
        arpa,
        quick_ratio,
        logo_churn_rate_pct,
        gross_mrr_churn_rate_pct,
        net_mrr_churn_rate_pct,
        expansion_rate_pct

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
    'in saas_metrics_monthly, not in saas_metrics_by_dimension' as failure,
    dimension,
    segment,
    month
from missing

union all

select
    'in saas_metrics_by_dimension, not in saas_metrics_monthly' as failure,
    dimension,
    segment,
    month
from extra
