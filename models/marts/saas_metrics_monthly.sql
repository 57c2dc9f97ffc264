with

segment_months as (

    select * from {{ ref('int_segment_months_bridged') }}

),

{{ saas_metrics_computed('segment_months', ['month', 'segment']) }}

select * from final
