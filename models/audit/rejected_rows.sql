{#- The validated rows of each input table, in the order of the audit (source_table, whether its
    rows carry an MRR, and a comment): each imported below as <source_table>_rows, and its rejected
    rows' block of the union written once. -#}
{%- set validated_tables = [
    {'source_table': 'subscriptions', 'has_mrr': true},
    {'source_table': 'invoice_lines', 'has_mrr': true},
    {'source_table': 'customers', 'has_mrr': false},
    {'source_table': 'fx_rates', 'has_mrr': false},
    {
        'source_table': 'customer_parents',
        'has_mrr': false,
        'comment': 'A quarantined parent_customer_id: the customer row is used (its own family), '
            ~ 'the link is not.',
    },
] -%}

with

subscriptions_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

),

invoice_lines_rows as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

customers_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

fx_rates_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

),

customer_parents_rows as (

    select * from {{ ref('int_customer_parents_validated') }}

),

malformed_lines as (

    select * from {{ ref('stg_billing__malformed_lines') }}

),

unioned as (

    {% for table in validated_tables %}
        {%- if table.comment %}
        -- {{ table.comment }}
        {%- endif %}
        select
            '{{ table.source_table }}' as source_table,
            row_key,
            reason_code,
            reason,
            raw_values,
            {{ 'mrr' if table.has_mrr else 'cast(null as ' ~ type_money() ~ ') as mrr' }}
        from {{ table.source_table }}_rows
        where row_status = 'rejected'

        union all

    {% endfor %}
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
