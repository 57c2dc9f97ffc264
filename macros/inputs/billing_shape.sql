{% macro billing_shape() %}
    {#-
        Which shape the billing history has (SPEC section 9): `periods` (a subscriptions table),
        `invoice_lines` (an invoice_lines table instead) or `stripe` (Stripe's invoice_line_item and
        invoice tables instead). No option chooses it: on the file route the folder holds
        subscriptions, invoice_lines or invoice_line_item (.csv|.parquet), on the source-table route
        the source schemas hold one of them; two at once stops the build in one line. The
        demo (seeds) is periods. Neither at once is `periods`, whose missing file is the error.
    -#}
    {%- if not execute -%}
        {{ return('periods') }}
    {%- endif -%}
    {%- set route = nrr_input_route() -%}
    {%- if route == 'seeds' -%}
        {{ return('periods') }}
    {%- elif route == 'sources' -%}
        {%- set periods = billing_input_source('subscriptions') -%}
        {%- set lines = billing_input_source('invoice_lines') -%}
        {%- set stripe = billing_input_source('invoice_line_item') -%}
    {%- else -%}
        {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
        {%- set periods = billing_input_file(data_dir, 'subscriptions') -%}
        {%- set lines = billing_input_file(data_dir, 'invoice_lines') -%}
        {%- set stripe = billing_input_file(data_dir, 'invoice_line_item') -%}
    {%- endif -%}
    {%- set found = [periods, lines, stripe] | reject('none') | list -%}
    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            found | map(attribute='label') | join(' and ') ~ ' both exist: one billing history is '
            ~ 'subscription periods, invoice lines or Stripe tables; keep one of them'
        ) }}
    {%- endif -%}
    {%- if stripe is not none -%}
        {{ return('stripe') }}
    {%- endif -%}
    {{ return('invoice_lines' if lines is not none else 'periods') }}
{% endmacro %}


{% macro input_table_required(table_name) %}
    {#- Whether an absent `table_name` stops the build: the contract says so, except that exactly one
        of subscriptions and invoice_lines is required, the one of billing_shape(). -#}
    {%- if table_name == 'subscriptions' -%}
        {{ return(billing_shape() == 'periods') }}
    {%- elif table_name == 'customers' and billing_shape() == 'stripe' -%}
        {#- Stripe's own customer table stands in for it (int_customer_rows_unioned). -#}
        {{ return(stripe_customer_input() is none) }}
    {%- elif table_name == 'invoice_lines' -%}
        {{ return(billing_shape() == 'invoice_lines') }}
    {%- elif table_name in ['invoice_line_item', 'invoice'] -%}
        {{ return(billing_shape() == 'stripe') }}
    {%- endif -%}
    {{ return(input_contract()[table_name].required_table) }}
{% endmacro %}


{% macro currency_minor_unit(currency) -%}
    {#- The currency's minor unit (ISO 4217 exponent, as Stripe lists zero-decimal currencies): 1 for
        zero-decimal currencies such as JPY and KRW, 0.001 for three-decimal ones, else 0.01. The
        expression is an upper-case ISO code. -#}
    case
        when {{ currency }} in (
            'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX',
            'VND', 'VUV', 'XAF', 'XOF', 'XPF'
        ) then 1.0
        when {{ currency }} in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') then 0.001
        else 0.01
    end
{%- endmacro %}


{% macro input_source_name(table_name) %}
    {#- The dbt source an input table is declared in: `stripe` for the Stripe connector's tables
        (their own schema vars, as Fivetran's packages name them), else `billing`. -#}
    {{ return('stripe' if table_name in ['invoice_line_item', 'invoice', 'customer', 'price', 'plan'] else 'billing') }}
{% endmacro %}


{% macro stripe_customer_input() %}
    {#- Stripe's customer table on the current route (a file or a source table), or none. -#}
    {%- if nrr_input_route() == 'sources' -%}
        {{ return(billing_input_source('customer')) }}
    {%- elif nrr_input_route() == 'files' -%}
        {{ return(billing_input_file(env_var('NRR_DATA_DIR', '') | trim, 'customer')) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro input_audit_table(table_name) %}
    {#- The table of the audit (rejected_rows, input_reconciliation) the rows of input `table_name`
        count in: Stripe's billing tables are the invoice lines they make up, its customer table is
        customers; every other input is its own. -#}
    {%- set audited = {
        'invoice_line_item': 'invoice_lines', 'invoice': 'invoice_lines', 'price': 'invoice_lines',
        'plan': 'invoice_lines', 'customer': 'customers',
    } -%}
    {{ return(audited.get(table_name, table_name)) }}
{% endmacro %}


{% macro invoice_line_columns() %}
    {#- The columns of an invoice line after staging, in order, with their types: what
        stg_billing__invoice_lines and int_stripe_lines_mapped both give and int_invoice_lines_unioned
        unions (the *_text columns are the values as given, for the audit). Written once here. -#}
    {{ return({
        'line_id': 'text', 'customer_id': 'text', 'subscription_id': 'text', 'plan_id': 'text',
        'service_start': 'date', 'service_end': 'date', 'amount': 'double', 'currency': 'text',
        'quantity': 'double', 'months_in_interval': 'integer', 'line_type': 'text',
        'service_start_text': 'text', 'service_end_text': 'text', 'amount_text': 'text',
        'quantity_text': 'text', 'billing_interval_text': 'text', 'line_type_text': 'text',
        'raw_values': 'text',
    }) }}
{% endmacro %}


{% macro invoice_line_column_list() %}
    {#- invoice_line_columns' names as a select list (one a line, no trailing comma). -#}
    {{ return(invoice_line_columns().keys() | join(',\n        ')) }}
{% endmacro %}
