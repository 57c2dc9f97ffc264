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
