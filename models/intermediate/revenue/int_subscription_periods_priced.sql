with

subscription_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

),

invoice_line_periods as (

    select * from {{ ref('int_invoice_line_periods_derived') }}

),

final as (

    -- The periods that passed validation, with their MRR in the reporting currency (priced and
    -- converted in int_subscription_rows_validated). Rejected rows and collapsed duplicate copies are
    -- in audit.rejected_rows and audit.input_reconciliation.
    select
        subscription_id,
        customer_id,
        plan_id,
        start_date,
        end_date,
        unit_amount,
        quantity,
        discount_pct,
        billing_interval,
        currency,
        mrr_local,
        rate_to_reporting,
        mrr

    from subscription_rows
    where row_status = 'used'

    union all

    -- The periods an invoice-line history bills (SPEC section 9); none when the input is periods.
    select
        subscription_id,
        customer_id,
        plan_id,
        start_date,
        end_date,
        unit_amount,
        quantity,
        discount_pct,
        billing_interval,
        currency,
        mrr_local,
        rate_to_reporting,
        mrr

    from invoice_line_periods

)

select * from final
