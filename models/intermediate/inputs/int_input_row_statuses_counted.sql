{#- For each input table: the rows it is counted from (rows_from: its row_status), the rows counted
    as used (used_from, used_when), whether its rows carry an MRR, and whether a row can be a
    collapsed duplicate. One block per table, written once below. -#}
{%- set counted_tables = [
    {
        'source_table': 'subscriptions', 'rows_from': 'subscription_rows', 'used_from': 'periods_used',
        'used_when': none, 'has_mrr': true, 'collapses': true,
    },
    {
        'source_table': 'customers', 'rows_from': 'customer_rows', 'used_from': 'customers',
        'used_when': 'is_in_customers_table', 'has_mrr': false, 'collapses': true,
    },
    {
        'source_table': 'fx_rates', 'rows_from': 'fx_rate_rows', 'used_from': 'fx_rate_rows',
        'used_when': "row_status = 'used'", 'has_mrr': false, 'collapses': true,
    },
    {
        'source_table': 'customer_parents', 'rows_from': none, 'used_from': 'customer_parent_rows',
        'used_when': "row_status = 'used'", 'has_mrr': false, 'collapses': false,
        'collapsed_comment': 'A parent link is never a duplicate: its customer row was collapsed already.',
    },
    {
        'source_table': 'invoice_lines', 'rows_from': 'invoice_line_rows', 'used_from': 'invoice_line_rows',
        'used_when': "row_status = 'used'", 'has_mrr': false, 'collapses': true,
        'used_comment': 'An invoice line is used when it counts: in MRR (recurring) or in non_recurring_revenue_monthly.',
    },
] -%}
{%- set no_money = 'cast(null as ' ~ type_money() ~ ')' -%}

with

invoice_line_rows as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

subscription_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

),

customer_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

fx_rate_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

),

periods_used as (

    -- The subscription rows used (int_subscription_periods_priced also holds the periods derived
    -- from invoice lines, which are counted as the invoice_lines rows they come from).
    select * from subscription_rows
    where row_status = 'used'

),

customers as (

    select * from {{ ref('int_customers_unioned') }}

),

customer_parent_rows as (

    select * from {{ ref('int_customer_parents_validated') }}

),

rows_used as (

    {% for table in counted_tables %}
        {%- if table.used_comment %}
        -- {{ table.used_comment }}
        {%- endif %}
        select
            '{{ table.source_table }}' as source_table,
            count(*) as rows_used,
            {{ 'cast(sum(mrr) as ' ~ type_money() ~ ')' if table.has_mrr else no_money }} as mrr_used
        from {{ table.used_from }}
        {%- if table.used_when %}
            where {{ table.used_when }}
        {%- endif %}
        {% if not loop.last %}

            union all

        {% endif -%}
    {% endfor %}

),

rows_collapsed as (

    {% for table in counted_tables %}
        {%- if table.collapsed_comment %}
        -- {{ table.collapsed_comment }}
        {%- endif %}
        select
            '{{ table.source_table }}' as source_table,
            {%- if table.collapses %}
                sum(case when row_status = 'collapsed' then 1 else 0 end) as duplicate_rows_collapsed,
            {%- else %}
                0 as duplicate_rows_collapsed,
            {%- endif %}
            {%- if table.has_mrr %}
                cast(
                    sum(case when row_status = 'collapsed' then mrr else 0 end) as {{ type_money() }}
                ) as mrr_collapsed,
                cast(sum(mrr) as {{ type_money() }}) as mrr_in
            {%- else %}
                {{ no_money }} as mrr_collapsed,
                {{ no_money }} as mrr_in
            {%- endif %}
        {%- if table.rows_from %}
            from {{ table.rows_from }}
        {%- endif %}
        {% if not loop.last %}

            union all

        {% endif -%}
    {% endfor %}

),

customers_added as (

    select count(*) as customers_added_from_subscriptions
    from customers
    where not is_in_customers_table

),

final as (

    -- One row per input table (all four always), the customers added on the customers row only.
    select
        rows_used.source_table,
        rows_used.rows_used,
        rows_used.mrr_used,
        rows_collapsed.duplicate_rows_collapsed,
        rows_collapsed.mrr_collapsed,
        rows_collapsed.mrr_in,
        customers_added.customers_added_from_subscriptions

    from rows_used
    inner join rows_collapsed
        on rows_used.source_table = rows_collapsed.source_table
    cross join customers_added

)

select * from final
