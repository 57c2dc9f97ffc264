{{ config(**incremental_month_config()) }}

with

all_customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

as_of as (

    select * from {{ ref('int_as_of_month_resolved') }}

),

{% if is_incremental() -%}
context_start as (

    -- Incremental run: the window's months, plus the month before it, whose MRR is the starting MRR of
    -- the window's first month (and whose active customers may churn in it).
    select {{ add_months(incremental_window_start(), -1) }} as context_start_month

),

customer_months as (

    select all_customer_months.*

    from all_customer_months
    cross join context_start
    where all_customer_months.month >= context_start.context_start_month

),

customers_seen_before as (

    -- Customers with MRR before that: their first month in the window is a reactivation, not new.
    select distinct all_customer_months.customer_id

    from all_customer_months
    cross join context_start
    where all_customer_months.month < context_start.context_start_month

),
{%- else -%}
    customer_months as (

        select * from all_customer_months

    ),
{%- endif %}

sequenced as (

    -- Each active month with the customer's previous and next active months (not calendar neighbours).
    select
        customer_id,
        month,
        mrr,
        {{ spans_sequenced(['customer_id'], 'month', 'month', ['mrr']) }}

    from customer_months

),

active_months as (

    -- Months with MRR: starting MRR is last month's, or 0 when last month had none.
    select
        sequenced.customer_id,
        sequenced.month,
        case
            when {{ follows_previous_span('sequenced.month', 'sequenced') }} then sequenced.previous_span_mrr
            else 0
        end as starting_mrr,
        sequenced.mrr as ending_mrr,
        {% if is_incremental() -%}
        (
            sequenced.previous_last_month is not null
            or customers_seen_before.customer_id is not null
        ) as had_mrr_before
        {%- else -%}
            sequenced.previous_last_month is not null as had_mrr_before
        {%- endif %}

    from sequenced
    {% if is_incremental() -%}
    left join customers_seen_before
        on sequenced.customer_id = customers_seen_before.customer_id
    {%- endif %}

),

churn_months as (

    -- The month after an active month that has no MRR: the churn, inside the reporting window.
    select
        sequenced.customer_id,
        {{ add_months('sequenced.month', 1) }} as month,
        sequenced.mrr as starting_mrr,
        0 as ending_mrr,
        true as had_mrr_before

    from sequenced
    cross join as_of
    where
        {{ is_followed_by_gap('sequenced.month', 'sequenced') }}
        and {{ add_months('sequenced.month', 1) }} <= as_of.as_of_month

),

customer_month_pairs as (

    select * from active_months
    union all
    select * from churn_months

),

{% if is_incremental() -%}
pairs_in_window as (

    -- The context month only informed the window; its own rows are kept from the earlier build.
    select * from customer_month_pairs
    where month >= {{ incremental_window_start() }}

),
{%- else -%}
    pairs_in_window as (

        select * from customer_month_pairs

    ),
{%- endif %}

classified as (

    -- SPEC section 3's six types; new when there was no MRR in any month before.
    select
        customer_id,
        month,
        cast(starting_mrr as {{ type_money() }}) as starting_mrr,
        cast(ending_mrr as {{ type_money() }}) as ending_mrr,
        {{ movement_type_of('starting_mrr', 'ending_mrr', 'not had_mrr_before') }} as movement_type

    from pairs_in_window

),

final as (

    select
        customer_id,
        month,
        starting_mrr,
        ending_mrr,
        movement_type,
        {{ movement_amounts() }}

    from classified

)

select * from final
