{% macro billing_shape() %}
    {#-
        Which shape the billing history has (SPEC section 9): `periods` (a subscriptions table) or
        `invoice_lines` (an invoice_lines table instead). No option chooses it: on the file route the
        folder holds subscriptions.csv|.parquet or invoice_lines.csv|.parquet, on the source-table route
        the source schema holds one of the two tables; both at once stops the build in one line. The
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
    {%- else -%}
        {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
        {%- set periods = billing_input_file(data_dir, 'subscriptions') -%}
        {%- set lines = billing_input_file(data_dir, 'invoice_lines') -%}
    {%- endif -%}
    {%- if periods is not none and lines is not none -%}
        {{ exceptions.raise_compiler_error(
            periods.label ~ ' and ' ~ lines.label ~ ' both exist: one billing history is either '
            ~ 'subscription periods or invoice lines; keep one of them'
        ) }}
    {%- endif -%}
    {{ return('invoice_lines' if lines is not none else 'periods') }}
{% endmacro %}


{% macro input_table_required(table_name) %}
    {#- Whether an absent `table_name` stops the build: the contract says so, except that exactly one
        of subscriptions and invoice_lines is required, the one of billing_shape(). -#}
    {%- if table_name == 'subscriptions' -%}
        {{ return(billing_shape() == 'periods') }}
    {%- elif table_name == 'invoice_lines' -%}
        {{ return(billing_shape() == 'invoice_lines') }}
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
