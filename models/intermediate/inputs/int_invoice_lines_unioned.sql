{#- A view: int_input_months_fingerprinted reads the inputs through it as they are now. -#}
{{ config(materialized='view') }}

with

invoice_lines as (

    select * from {{ ref('stg_billing__invoice_lines') }}

),

stripe_lines as (

    select * from {{ ref('int_stripe_lines_mapped') }}

),

unioned as (

    -- The invoice lines of either input (only one of them has rows, billing_shape): the generic
    -- invoice_lines table, or Stripe's invoice_line_item mapped onto it. Validation is shared.
    select
        {{ invoice_line_column_list() }},
        cast(null as {{ dbt.type_string() }}) as source_reason_code,
        cast(null as {{ dbt.type_string() }}) as invoice_status,
        'invoice_lines' as input_table
    from invoice_lines

    union all

    select
        {{ invoice_line_column_list() }},
        source_reason_code,
        invoice_status,
        'invoice_line_item' as input_table
    from stripe_lines

),

final as (

    select * from unioned

)

select * from final
