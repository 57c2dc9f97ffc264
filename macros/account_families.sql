{% macro parent_chain_walked(links, steps) %}
    {#-
        Every (customer_id, ancestor_id, steps) reached by following `links` (a relation or CTE of
        customer_id, parent_customer_id) 1 to `steps` steps up: a bounded iteration of inner joins, one
        union branch per step, portable to every engine (no recursive CTE). On a cycle the walk goes
        round it until `steps`; a chain ends where a parent has no link of its own.
    -#}
    {%- for step in range(1, steps + 1) %}
    {{ 'union all' if not loop.first }}
    select
        step_1.customer_id,
        step_{{ step }}.parent_customer_id as ancestor_id,
        {{ step }} as steps
    from {{ links }} as step_1
        {%- for joined in range(2, step + 1) %}
    inner join {{ links }} as step_{{ joined }}
        on step_{{ joined - 1 }}.parent_customer_id = step_{{ joined }}.customer_id
        {%- endfor %}
    {%- endfor %}
{% endmacro %}
