{#-
    The project's own generic data tests (no dbt packages can be installed here). Each returns the
    failing rows: a test passes when its query returns none.
-#}

{% test unique_key_combination(model, columns) %}
    {#- The columns together identify a row: no combination appears twice, and none is null. -#}
    select
        {{ columns | join(', ') }},
        count(*) as occurrences

    from {{ model }}
    group by {{ columns | join(', ') }}
    having
        count(*) > 1
        {%- for column in columns %}
        or {{ column }} is null
        {%- endfor %}
{% endtest %}


{% test true_for_every_row(model, expression) %}
    {#- `expression` holds for every row (a row where it is false or null fails). -#}
    select *

    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}


{% test has_rows(model) %}
    {#- The model is not empty: an empty mart is an error, never a quiet success. -#}
    select 'the model has no rows' as failure

    from (select count(*) as row_count from {{ model }}) as counted
    where row_count = 0
{% endtest %}


{% test has_no_rows(model) %}
    {#- The model is empty. Used with severity warn on audit.rejected_rows: rejected rows are reported,
        not fatal. Each row of the model is a failing row. -#}
    select * from {{ model }}
{% endtest %}
