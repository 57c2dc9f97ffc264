with

rows_in as (

    -- Every input row read, per table (the staging models and the malformed lines).
    select * from {{ ref('int_input_rows_read') }}

),

row_statuses as (

    -- The rows used and the duplicates collapsed, per table.
    select * from {{ ref('int_input_row_statuses_counted') }}

),

rejected as (

    select * from {{ ref('rejected_rows') }}

),

rows_rejected as (

    select
        source_table,
        count(*) as rows_rejected,
        cast(sum(mrr_if_computable) as {{ type_money() }}) as mrr_rejected
    from rejected
    group by source_table

),

joined as (

    select
        rows_in.source_table,
        rows_in.rows_in,
        row_statuses.mrr_in,
        row_statuses.mrr_used,
        row_statuses.mrr_collapsed,
        coalesce(row_statuses.rows_used, 0) as rows_used,
        coalesce(rows_rejected.rows_rejected, 0) as rows_rejected,
        coalesce(row_statuses.duplicate_rows_collapsed, 0) as duplicate_rows_collapsed,
        case
            when rows_in.source_table = 'subscriptions'
                then coalesce(rows_rejected.mrr_rejected, 0)
        end as mrr_rejected,
        case
            when rows_in.source_table = 'customers'
                then row_statuses.customers_added_from_subscriptions
        end as customers_added_from_subscriptions

    from rows_in
    left join row_statuses
        on rows_in.source_table = row_statuses.source_table
    left join rows_rejected
        on rows_in.source_table = rows_rejected.source_table

),

final as (

    select
        *,
        rows_in = rows_used + rows_rejected + duplicate_rows_collapsed as rows_reconcile,
        coalesce(
            mrr_in = coalesce(mrr_used, 0) + mrr_rejected + coalesce(mrr_collapsed, 0),
            true
        ) as mrr_reconciles

    from joined

)

select * from final
