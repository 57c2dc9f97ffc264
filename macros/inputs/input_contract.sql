{% macro input_contract() %}
    {#-
        The input contract of SPEC section 1: for each input table, its columns in order and which of
        them are required. Every column is read as text; staging parses it. Optional tables may be
        absent; optional columns may be absent from a file (they read as null and take their default).
    -#}
    {{ return({
        'subscriptions': {
            'required_table': true,
            'columns': [
                'subscription_id', 'customer_id', 'plan_id', 'start_date', 'end_date',
                'unit_amount', 'quantity', 'discount_pct', 'billing_interval', 'currency',
            ],
            'required_columns': ['subscription_id', 'customer_id', 'start_date', 'unit_amount'],
        },
        'customers': {
            'required_table': true,
            'columns': ['customer_id', 'customer_name', 'segment', 'country'],
            'required_columns': ['customer_id'],
        },
        'fx_rates': {
            'required_table': false,
            'columns': ['currency', 'rate_to_reporting'],
            'required_columns': ['currency', 'rate_to_reporting'],
        },
    }) }}
{% endmacro %}
