{%- set as_of_literal = as_of_month_literal() -%}

with

periods as (

    select * from {{ ref('int_subscription_periods_priced') }}

),

final as (

    -- One row: the last reporting month. The var as_of_month when set, else the month of the latest
    -- start_date or end_date in the data.
    select
        {% if as_of_literal is none -%}
        max({{ month_start('greatest(start_date, coalesce(end_date, start_date))') }}) as as_of_month
        {%- else -%}
        {{ as_of_literal }} as as_of_month
        {%- endif %}

    from periods

)

select * from final
