-- The fingerprints cover every input row they are meant to: per input table, their row counts add up
-- to the rows read (audit.input_reconciliation.rows_in) less the malformed CSV lines, which never
-- reach staging (they are quarantined whole, and a repaired line shows up as a new staged row). A
-- row missing from the fingerprints could change unseen before a look-back window.

with

fingerprints as (

    select * from {{ ref('input_fingerprints') }}

),

reconciliation as (

    select * from {{ ref('input_reconciliation') }}

),

malformed_lines as (

    select * from {{ ref('stg_billing__malformed_lines') }}

),

-- Malformed lines per input table: read, but not staged.
malformed as (

    select
        source_table,
        count(*) as malformed_lines

    from malformed_lines
    group by source_table

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
        coalesce(malformed.malformed_lines, 0) as malformed_lines,
        coalesce(fingerprinted.rows_fingerprinted, 0) as rows_fingerprinted

    from reconciliation
    left join fingerprinted
        on reconciliation.source_table = fingerprinted.source_table
    left join malformed
        on reconciliation.source_table = malformed.source_table
    where
        reconciliation.source_table in ('subscriptions', 'fx_rates', 'invoice_lines')
        and reconciliation.rows_in - coalesce(malformed.malformed_lines, 0)
        != coalesce(fingerprinted.rows_fingerprinted, 0)

)

select * from final
