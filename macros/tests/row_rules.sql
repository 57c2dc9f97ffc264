{#-
    Many row identities of one table in one test node (DECISIONLOG "Row identities of a table in
    one test"): `rules` maps each rule's name to a boolean SQL expression that holds for every row
    (a row where it is false or null fails, as in true_for_every_row). One pass over the table finds
    the rows that break any rule; the test returns one row per failing row and broken rule: the
    rule's name, then the row itself (its key first), which the harness prints when the audit fails.
-#}

{% test row_rules(model, rules) %}
    with

    -- the rows that break at least one rule, found in one pass over the table
    failing as (
        select *
        from {{ model }}
        where
            {%- for name, expression in rules.items() %}
            {% if not loop.first %}or {% endif %}not coalesce({{ expression }}, false)
            {%- endfor %}
    ),

    -- one row per failing row and rule it breaks, named by the rule
    by_rule as (
        {%- for name, expression in rules.items() %}
        select
            '{{ name }}' as rule_name,
            *
        from failing
        where not coalesce({{ expression }}, false)
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select * from by_rule
{% endtest %}
