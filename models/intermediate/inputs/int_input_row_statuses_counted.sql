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

    select
        'subscriptions' as source_table,
        count(*) as rows_used,
        cast(sum(mrr) as {{ type_money() }}) as mrr_used
    from periods_used

    union all

    select
        'customers' as source_table,
        count(*) as rows_used,
        cast(null as {{ type_money() }}) as mrr_used
    from customers
    where is_in_customers_table

    union all

    select
        'fx_rates' as source_table,
        count(*) as rows_used,
        cast(null as {{ type_money() }}) as mrr_used
    from fx_rate_rows
    where row_status = 'used'

    union all

    select
        'customer_parents' as source_table,
        count(*) as rows_used,
        cast(null as {{ type_money() }}) as mrr_used
    from customer_parent_rows
    where row_status = 'used'

    union all

    -- An invoice line is used when it counts: in MRR (recurring) or in non_recurring_revenue_monthly.
    select
        'invoice_lines' as source_table,
        count(*) as rows_used,
        cast(null as {{ type_money() }}) as mrr_used
    from invoice_line_rows
    where row_status = 'used'

),

rows_collapsed as (

    select
        'subscriptions' as source_table,
        sum(case when row_status = 'collapsed' then 1 else 0 end) as duplicate_rows_collapsed,
        cast(
            sum(case when row_status = 'collapsed' then mrr else 0 end) as {{ type_money() }}
        ) as mrr_collapsed,
        cast(sum(mrr) as {{ type_money() }}) as mrr_in
    from subscription_rows

    union all

    select
        'customers' as source_table,
        sum(case when row_status = 'collapsed' then 1 else 0 end) as duplicate_rows_collapsed,
        cast(null as {{ type_money() }}) as mrr_collapsed,
        cast(null as {{ type_money() }}) as mrr_in
    from customer_rows

    union all

    select
        'fx_rates' as source_table,
        sum(case when row_status = 'collapsed' then 1 else 0 end) as duplicate_rows_collapsed,
        cast(null as {{ type_money() }}) as mrr_collapsed,
        cast(null as {{ type_money() }}) as mrr_in
    from fx_rate_rows

    union all

    -- A parent link is never a duplicate: its customer row was collapsed already.
    select
        'customer_parents' as source_table,
        0 as duplicate_rows_collapsed,
        cast(null as {{ type_money() }}) as mrr_collapsed,
        cast(null as {{ type_money() }}) as mrr_in

    union all

    select
        'invoice_lines' as source_table,
        sum(case when row_status = 'collapsed' then 1 else 0 end) as duplicate_rows_collapsed,
        cast(null as {{ type_money() }}) as mrr_collapsed,
        cast(null as {{ type_money() }}) as mrr_in
    from invoice_line_rows

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
