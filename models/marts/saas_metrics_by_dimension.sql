with

dimension_months as (

    select * from {{ ref('int_dimension_months_bridged') }}

),

-- saas_metrics_monthly's arithmetic per month, dimension and value (DECISIONLOG "Dimensions beside
-- segment").
{{ saas_metrics_computed('dimension_months', ['month', 'dimension', 'dimension_value']) }}

select * from final
