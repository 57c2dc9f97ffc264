{% macro movement_type_of(starting_mrr, ending_mrr, is_first_month) -%}
    {#- SPEC section 3's six movement types of a month against the one before. Order matters only in
        that a row with no starting MRR is new or a reactivation, and a row with no ending MRR is a
        churn; every other row compares the two. Each of the six types is reachable. -#}
    case
        when {{ starting_mrr }} = 0 and {{ is_first_month }} then 'new'
        when {{ starting_mrr }} = 0 then 'reactivation'
        when {{ ending_mrr }} = 0 then 'churn'
        when {{ ending_mrr }} > {{ starting_mrr }} then 'expansion'
        when {{ ending_mrr }} < {{ starting_mrr }} then 'contraction'
        else 'retained'
    end
{%- endmacro %}


{% macro movement_amounts(movement_type='movement_type', starting_mrr='starting_mrr', ending_mrr='ending_mrr') -%}
    {#- The five positive amounts of a classified movement (SPEC section 3), each 0 unless the row's
        movement is its type. -#}
    cast(
        case when {{ movement_type }} = 'new' then {{ ending_mrr }} else 0 end as {{ type_money() }}
    ) as new_mrr,
    cast(
        case when {{ movement_type }} = 'reactivation' then {{ ending_mrr }} else 0 end
        as {{ type_money() }}
    ) as reactivation_mrr,
    cast(
        case when {{ movement_type }} = 'expansion' then {{ ending_mrr }} - {{ starting_mrr }} else 0 end
        as {{ type_money() }}
    ) as expansion_mrr,
    cast(
        case when {{ movement_type }} = 'contraction' then {{ starting_mrr }} - {{ ending_mrr }} else 0 end
        as {{ type_money() }}
    ) as contraction_mrr,
    cast(
        case when {{ movement_type }} = 'churn' then {{ starting_mrr }} else 0 end as {{ type_money() }}
    ) as churned_mrr
{%- endmacro %}


{% macro spans_sequenced(partition_by, first_month, last_month, carried) -%}
    {#- Select-list columns of a span of consecutive months (a period, a pair's span, one active
        month) against the previous and next spans of its partition, in order of first month (not
        calendar neighbours): previous_last_month, previous_span_<column> of each carried column, and
        next_first_month. A window, not a join of the rows with themselves (at 1M customers that join
        ran out of memory). Written once for the three movement grains (DECISIONLOG "Causes at the
        period grain"). -#}
    {%- set window = 'over (partition by ' ~ (partition_by | join(', ')) ~ ' order by ' ~ first_month ~ ')' -%}
    lag({{ last_month }}) {{ window }} as previous_last_month,
    {% for column in carried -%}
        lag({{ column }}) {{ window }} as previous_span_{{ column }},
    {% endfor -%}
    lead({{ first_month }}) {{ window }} as next_first_month
{%- endmacro %}


{% macro follows_previous_span(first_month, relation=none) -%}
    {#- True when the previous span (spans_sequenced) ended the month before first_month, so the span
        starts from its values; false or null when there was a gap or no previous span. -#}
    {{ relation ~ '.' if relation }}previous_last_month = {{ add_months(first_month, -1) }}
{%- endmacro %}


{% macro is_followed_by_gap(last_month, relation=none) -%}
    {#- True when no span of the partition (spans_sequenced) starts the month after last_month: that
        month is the one after the last in force, with nothing in force. -#}
    {%- set next_first_month = (relation ~ '.' if relation else '') ~ 'next_first_month' %}
    ({{ next_first_month }} is null or {{ next_first_month }} > {{ add_months(last_month, 1) }})
{%- endmacro %}
