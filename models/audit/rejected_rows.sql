with

subscription_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

),

customer_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

invoice_line_rows as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

fx_rate_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

),

customer_parent_rows as (

    select * from {{ ref('int_customer_parents_validated') }}

),

malformed_lines as (

    select * from {{ ref('stg_billing__malformed_lines') }}

),

unioned as (

    select
        'subscriptions' as source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        mrr
    from subscription_rows
    where row_status = 'rejected'

    union all

    select
        'invoice_lines' as source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        mrr
    from invoice_line_rows
    where row_status = 'rejected'

    union all

    select
        'customers' as source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        cast(null as {{ type_money() }}) as mrr
    from customer_rows
    where row_status = 'rejected'

    union all

    select
        'fx_rates' as source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        cast(null as {{ type_money() }}) as mrr
    from fx_rate_rows
    where row_status = 'rejected'

    union all

    -- A quarantined parent_customer_id: the customer row is used (its own family), the link is not.
    select
        'customer_parents' as source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        cast(null as {{ type_money() }}) as mrr
    from customer_parent_rows
    where row_status = 'rejected'

    union all

    -- A CSV line that does not parse as a row of its header: its number and raw text (and its file's
    -- table when that is not the audited one: a Stripe file's line counts in invoice_lines or customers).
    select
        source_table,
        'line ' || cast(line_number as {{ dbt.type_string() }})
        || case when input_table != source_table then ' of ' || input_table else '' end as row_key,
        'malformed_line' as reason_code,
        'line ' || cast(line_number as {{ dbt.type_string() }})
        || case when input_table != source_table then ' of ' || input_table else '' end
        || ' does not parse as a row of the header: ' || error as reason,
        {{ json_object_of(['line_number', 'raw_line']) }} as raw_values,
        cast(null as {{ type_money() }}) as mrr
    from malformed_lines

),

final as (

    select
        source_table,
        row_key,
        reason_code,
        reason,
        raw_values,
        mrr as mrr_if_computable

    from unioned

)

select * from final
