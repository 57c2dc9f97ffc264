with

subscription_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

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

)

select * from final
