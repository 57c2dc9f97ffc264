-- The fingerprints cover every input row they are meant to: per input table, their row counts add up
-- to the rows read (audit.input_reconciliation.rows_in). A row missing from the fingerprints could
-- change unseen before a look-back window.

with

fingerprints as (

    select * from {{ ref('input_fingerprints') }}

),

reconciliation as (

    select * from {{ ref('input_reconciliation') }}

),

fingerprinted as (

    select
        source_table,
        sum(row_count) as rows_fingerprinted

    from fingerprints
    group by source_table

),

final as (

    select
        reconciliation.source_table,
        reconciliation.rows_in,
        coalesce(fingerprinted.rows_fingerprinted, 0) as rows_fingerprinted

    from reconciliation
    left join fingerprinted
        on reconciliation.source_table = fingerprinted.source_table
    where
        reconciliation.source_table in ('subscriptions', 'fx_rates', 'invoice_lines')
        and reconciliation.rows_in != coalesce(fingerprinted.rows_fingerprinted, 0)

)

select * from final
