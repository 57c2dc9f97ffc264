{#-
    The segments whose customers changed since the last build, for the incremental nrr_by_period
    (DECISIONLOG "nrr_by_period recomputes the rewritten months and the changed segments"). It runs
    before int_customer_segments_kept (which names it in a depends_on comment), so it reads the
    segments the last build kept. A customer whose segment moved from A to B changes A's and B's
    rows in every period; a customer row added or removed moves its customer from or to Unknown.
    On a full refresh, a first build or without the kept segments: one row with a null segment,
    meaning every segment.
-#}
{%- set kept = none -%}
{%- if execute and not flags.FULL_REFRESH -%}
    {%- set kept = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_customer_segments_kept') -%}
{%- endif %}

-- depends_on: {{ ref('int_customers_unioned') }}
with

{% if kept is not none -%}
customers as (

    select * from {{ ref('int_customers_unioned') }}

),

kept_segments as (

    select * from {{ kept }}

),

moved as (

    -- Customers whose segment differs from the kept one (Unknown when either side has no row).
    select
        coalesce(kept_segments.segment, 'Unknown') as old_segment,
        coalesce(customers.segment, 'Unknown') as new_segment

    from customers
    full outer join kept_segments
        on customers.customer_id = kept_segments.customer_id
    where coalesce(kept_segments.segment, 'Unknown') != coalesce(customers.segment, 'Unknown')

),

final as (

    select old_segment as segment from moved
    union
    select new_segment as segment from moved

)
{%- else -%}
    final as (

        -- Nothing kept to compare with: every segment is recomputed.
        select cast(null as {{ dbt.type_string() }}) as segment

    )
{%- endif %}

select * from final
