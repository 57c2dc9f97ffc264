with

subscriptions_in as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

customers_in as (

    select * from {{ ref('int_customer_rows_unioned') }}

),

fx_rates_in as (

    select * from {{ ref('stg_billing__fx_rates') }}

),

invoice_lines_in as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

customer_parents_in as (

    select * from {{ ref('int_customer_parents_validated') }}

),

malformed_lines as (

    select * from {{ ref('stg_billing__malformed_lines') }}

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

    -- The parent links given (customers used that name a parent): a row only when any is given.
    select
        'customer_parents' as source_table,
        count(*) as rows_read
    from customer_parents_in
    having count(*) > 0

    union all

    select
        source_table,
        count(*) as rows_read
    from malformed_lines
    group by source_table

),

final as (

    select
        source_table,
        sum(rows_read) as rows_in
    from rows_read
    group by source_table

)

select * from final
