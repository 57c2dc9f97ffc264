{#- The var as_of_month when set, else the month of the latest start_date or end_date in the data that
    is not after the run date. -#}
{%- set as_of_literal = as_of_month_literal() -%}
{%- set latest_date = latest_date_not_after_run('start_date', 'end_date') -%}
{%- set as_of_expression = month_start(latest_date) if as_of_literal is none else as_of_literal -%}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

final as (

    -- One row: the last reporting month.
    select max({{ as_of_expression }}) as as_of_month

    from periods

)

select * from final
