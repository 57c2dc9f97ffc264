{% macro input_contract() %}
    {#-
        The input contract of SPEC section 1: for each input table, its columns in order and which of
        them are required. Every column is read as text; staging parses it (a date or number column
        that arrives typed stays typed: typed_input_columns). Optional tables may be
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
            'columns': ['customer_id', 'customer_name', 'segment', 'country', 'parent_customer_id'],
            'required_columns': ['customer_id'],
        },
        'fx_rates': {
            'required_table': false,
            'columns': ['currency', 'rate_to_reporting'],
            'required_columns': ['currency', 'rate_to_reporting'],
        },
        'invoice_lines': {
            'required_table': false,
            'columns': [
                'line_id', 'customer_id', 'subscription_id', 'plan_id', 'service_start',
                'service_end', 'amount', 'currency', 'quantity', 'billing_interval', 'line_type',
            ],
            'required_columns': ['line_id', 'customer_id', 'service_start', 'service_end', 'amount'],
        },
        'invoice_line_item': {
            'required_table': false,
            'columns': [
                'id', 'invoice_id', 'subscription_id', 'plan_id', 'price_id', 'period_start',
                'period_end', 'amount', 'amount_excluding_tax', 'discount_amount', 'currency',
                'quantity', 'type', 'proration',
            ],
            'required_columns': ['id', 'invoice_id', 'period_start', 'period_end', 'amount', 'currency'],
        },
        'customer': {
            'required_table': false,
            'columns': [
                'id', 'name', 'email', 'metadata', 'address_country', 'shipping_address_country',
                'is_deleted',
            ],
            'required_columns': ['id'],
        },
        'invoice': {
            'required_table': false,
            'columns': ['id', 'customer_id', 'status', 'is_deleted'],
            'required_columns': ['id', 'customer_id', 'status'],
        },
        'price': {
            'required_table': false,
            'columns': [
                'id', 'recurring_interval', 'recurring_interval_count', 'recurring_usage_type', 'product_id',
            ],
            'required_columns': ['id'],
        },
        'plan': {
            'required_table': false,
            'columns': ['id', 'interval', 'interval_count', 'usage_type', 'product_id'],
            'required_columns': ['id'],
        },
    }) }}
{% endmacro %}


{% macro subscription_reason_codes() %}
    {#- Every reason a subscriptions row can be rejected for, in the order they are checked. -#}
    {{ return([
        'missing_key', 'conflicting_duplicate', 'missing_required_value',
        'unparseable_required_value', 'unparseable_optional_value', 'value_out_of_range',
        'unknown_billing_interval',
        'end_before_start', 'negative_amount', 'negative_quantity', 'discount_out_of_range',
        'unknown_currency', 'overlapping_period',
    ]) }}
{% endmacro %}


{% macro invoice_line_reason_codes() %}
    {#- Every reason an invoice_lines row can be rejected for, in the order they are checked. -#}
    {{ return([
        'missing_key', 'conflicting_duplicate', 'missing_required_value',
        'unparseable_required_value', 'unparseable_optional_value', 'value_out_of_range',
        'invoice_not_found', 'invoice_not_counted',
        'unknown_billing_interval', 'unknown_line_type', 'end_not_after_start', 'negative_quantity',
        'unknown_currency', 'overlapping_cycle', 'partial_line_without_cycle',
    ]) }}
{% endmacro %}
