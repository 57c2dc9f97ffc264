with

subscription_rows as (

    select * from {{ ref('int_subscription_rows_validated') }}

),

customer_rows as (

    select * from {{ ref('int_customer_rows_validated') }}

),

fx_rate_rows as (

    select * from {{ ref('int_fx_rate_rows_validated') }}

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
