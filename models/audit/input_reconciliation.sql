with

subscriptions_in as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

customers_in as (

    select * from {{ ref('stg_billing__customers') }}

),

fx_rates_in as (

    select * from {{ ref('stg_billing__fx_rates') }}

),

invoice_lines_in as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

invoice_line_rows as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

malformed_lines as (

    select * from {{ ref('stg_billing__malformed_lines') }}

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

rejected as (

    select * from {{ ref('rejected_rows') }}

),

rows_read as (

    -- Counted on the staging models, which hold every input row one to one, and on the malformed
    -- lines of CSV inputs, which are rows read too (rejected ones).
    select
        'subscriptions' as source_table,
        count(*) as rows_read
    from subscriptions_in

    union all

    select
        'customers' as source_table,
        count(*) as rows_read
    from customers_in

    union all

    select
        'fx_rates' as source_table,
        count(*) as rows_read
    from fx_rates_in

    union all

    -- Invoice lines: a row only when the input is invoice lines.
    select
        'invoice_lines' as source_table,
        count(*) as rows_read
    from invoice_lines_in
    having count(*) > 0

    union all

    select
        source_table,
        count(*) as rows_read
    from malformed_lines
    group by source_table

),

rows_in as (

    select
        source_table,
        sum(rows_read) as rows_in
    from rows_read
    group by source_table

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

    -- An invoice line is used when it counts: in MRR (recurring) or in non_recurring_revenue_monthly.
    select
        'invoice_lines' as source_table,
        count(*) as rows_used,
        cast(null as {{ type_money() }}) as mrr_used
    from invoice_line_rows
    where row_status = 'used'

),

rows_rejected as (

    select
        source_table,
        count(*) as rows_rejected,
        cast(sum(mrr_if_computable) as {{ type_money() }}) as mrr_rejected
    from rejected
    group by source_table

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

joined as (

    select
        rows_in.source_table,
        rows_in.rows_in,
        rows_collapsed.mrr_in,
        rows_used.mrr_used,
        rows_collapsed.mrr_collapsed,
        coalesce(rows_used.rows_used, 0) as rows_used,
        coalesce(rows_rejected.rows_rejected, 0) as rows_rejected,
        coalesce(rows_collapsed.duplicate_rows_collapsed, 0) as duplicate_rows_collapsed,
        case
            when rows_in.source_table = 'subscriptions'
                then coalesce(rows_rejected.mrr_rejected, 0)
        end as mrr_rejected,
        case
            when rows_in.source_table = 'customers'
                then customers_added.customers_added_from_subscriptions
        end as customers_added_from_subscriptions

    from rows_in
    left join rows_used
        on rows_in.source_table = rows_used.source_table
    left join rows_rejected
        on rows_in.source_table = rows_rejected.source_table
    left join rows_collapsed
        on rows_in.source_table = rows_collapsed.source_table
    cross join customers_added

),

final as (

    select
        *,
        rows_in = rows_used + rows_rejected + duplicate_rows_collapsed as rows_reconcile,
        coalesce(
            mrr_in = coalesce(mrr_used, 0) + mrr_rejected + coalesce(mrr_collapsed, 0),
            true
        ) as mrr_reconciles

    from joined

)

select * from final
