{#-
    One row: the first month this run rewrites in the incremental month-keyed models, for their data
    tests (DECISIONLOG "Data tests of an incremental run check the rewritten window"). It runs before
    those models (each names it in a depends_on comment), so it reads what the last build stored: the
    earliest of the look-back start and, per model, the month after its last stored month. That is
    no later than any of their own windows (macro incremental_window_start). Null on a full refresh,
    a first build, or when a model's table is missing or empty: then every month is tested.
-#}
{%- set incremental_models = [
    'int_customer_months_aggregated',
    'int_mrr_movements_classified',
    'int_mrr_movement_causes_attributed',
] -%}
{%- set stored = [] -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- for name in incremental_models -%}
        {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier=name) -%}
        {%- if relation is not none -%}
            {%- do stored.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

{% if stored | length == incremental_models | length -%}
last_stored_months as (

    -- The last month each incremental model holds from the last build.
    {% for relation in stored -%}
    select max(month) as last_month from {{ relation }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

earliest_next_month as (

    -- The month after the earliest of them; null if any model is empty (then test everything).
    select
        case
            when count(last_month) = count(*) then {{ add_months('min(last_month)', 1) }}
        end as next_month

    from last_stored_months

),
{%- else -%}
    earliest_next_month as (

        -- A full refresh or a first build: nothing is kept, every month is rewritten.
        select cast(null as date) as next_month

    ),
{%- endif %}

final as (

    select
        case
            when earliest_next_month.next_month < {{ lookback_start('as_of.as_of_month') }}
                then earliest_next_month.next_month
            when earliest_next_month.next_month is not null
                then {{ lookback_start('as_of.as_of_month') }}
        end as window_start_month

    from as_of
    cross join earliest_next_month

)

select * from final
