{#-
    Many single-column checks of one table in one test node (DECISIONLOG "Single-column checks of a
    table in one test"): each `not_null` column and each `accepted_values` column with its list.
    One scan counts every rule's failing rows; the test returns one row per rule that fails,
    naming the column, the rule and how many rows break it (the harness prints these rows when the
    audit fails). Nulls pass `accepted_values`, as in dbt's own test.
-#}

{% test column_rules(model, not_null=[], accepted_values={}) %}
    {%- set rules = [] -%}
    {%- for column in not_null -%}
        {%- do rules.append((column, 'not_null', column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set quoted = [] -%}
        {%- for value in values -%}
            {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do rules.append(
            (column, 'accepted_values', column ~ ' not in (' ~ quoted | join(', ') ~ ')')
        ) -%}
    {%- endfor -%}

    with

    -- every rule's failing rows, counted in one pass over the table
    counted as (
        select
            {%- for column, rule, failing in rules %}
            sum(case when {{ failing }} then 1 else 0 end) as failing_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ model }}
    ),

    -- one row per rule: the column, the rule and its count of failing rows
    by_rule as (
        {%- for column, rule, failing in rules %}
        select
            '{{ column }}' as column_name,
            '{{ rule }}' as rule_name,
            failing_{{ loop.index }} as failing_rows
        from counted
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select * from by_rule
    where failing_rows > 0
{% endtest %}
