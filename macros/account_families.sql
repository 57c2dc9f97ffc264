{% macro parent_chain_walked(links, steps) %}
    {#-
        Every (customer_id, ancestor_id, steps) reached by following `links` (a relation or CTE of
        customer_id, parent_customer_id) 1 to `steps` steps up: one chain of `steps` left joins (a
        bounded iteration, portable to every engine: no recursive CTE), unpivoted by a cross join with
        the step numbers. On a cycle the walk goes round it until `steps`; a chain ends where a parent
        has no link of its own.
    -#}
    select
        walked.customer_id,
        case step_numbers.step_number
            {%- for step in range(1, steps + 1) %}
            when {{ step }} then walked.ancestor_{{ step }}
            {%- endfor %}
        end as ancestor_id,
        step_numbers.step_number as steps
    from (
        select
            step_1.customer_id,
            {%- for step in range(1, steps + 1) %}
            step_{{ step }}.parent_customer_id as ancestor_{{ step }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ links }} as step_1
        {%- for step in range(2, steps + 1) %}
        left join {{ links }} as step_{{ step }}
            on step_{{ step - 1 }}.parent_customer_id = step_{{ step }}.customer_id
        {%- endfor %}
    ) as walked
    cross join ({{ rows_of_values('step_number', range(1, steps + 1) | list) }}) as step_numbers
    where
        case step_numbers.step_number
            {%- for step in range(1, steps + 1) %}
            when {{ step }} then walked.ancestor_{{ step }}
            {%- endfor %}
        end is not null
{% endmacro %}
