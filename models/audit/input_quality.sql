{#- SPEC section 8, "too much rejected is a failed build": one row that the test
    input_quality_within_limits requires to pass. -#}
{%- set limit_pct = var('max_rejected_rows_pct', 5) -%}
{%- if not modules.re.fullmatch('[0-9]+([.][0-9]+)?', limit_pct | string | trim) -%}
    {{ exceptions.raise_compiler_error(
        "var max_rejected_rows_pct must be a number of percent (0-100), got '" ~ limit_pct ~ "'"
    ) }}
{%- endif -%}
{%- set explicit_as_of = as_of_month_literal() is not none -%}
{%- set latest_date = latest_date_not_after_run('start_date', 'end_date') -%}
{%- set as_of_expression = as_of_month_literal() if explicit_as_of else month_start(latest_date) -%}

with

rows_in as (

    -- Every input row read, per table, as audit.input_reconciliation counts them.
    select * from {{ ref('int_input_rows_read') }}

),

rejected as (

    select * from {{ ref('rejected_rows') }}

),

subscriptions_in as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

subscription_rows as (

    -- Not int_as_of_month_resolved: this check must run even where the as-of month's own tests fail
    -- (every row rejected), since dbt build skips what depends on a failed test.
    select * from {{ ref('int_subscription_rows_validated') }}

),

invoice_lines_in as (

    select * from {{ ref('int_invoice_lines_unioned') }}

),

invoice_line_rows as (

    select * from {{ ref('int_invoice_lines_validated') }}

),

rejected_counts as (

    -- Lines of draft, void, uncollectible or deleted Stripe invoices (invoice_not_counted) are
    -- quarantined, so they reconcile, but they are billing history left out by rule, not bad input:
    -- they count neither as rejected nor as read in the rejected share (DECISIONLOG "Uncounted
    -- Stripe invoices are outside the rejected share").
    select
        source_table,
        count(case when reason_code != 'invoice_not_counted' then 1 end) as rows_rejected,
        count(case when reason_code = 'invoice_not_counted' then 1 end) as rows_not_counted
    from rejected
    group by source_table

),

subscription_counts as (

    -- Rows read include malformed lines; rejected rows include them too. The billing history is
    -- subscriptions or invoice_lines (only one of them has rows).
    select
        sum(rows_in.rows_in - coalesce(rejected_counts.rows_not_counted, 0)) as rows_read,
        sum(coalesce(rejected_counts.rows_rejected, 0)) as rows_rejected

    from rows_in
    left join rejected_counts
        on rows_in.source_table = rejected_counts.source_table
    where rows_in.source_table in ('subscriptions', 'invoice_lines')

),

reason_counts as (

    select
        reason_code,
        reason_code || ' ' || cast(count(*) as {{ dbt.type_string() }}) as reason_text,
        row_number() over (order by count(*) desc, reason_code) as reason_rank

    from rejected
    where
        source_table in ('subscriptions', 'invoice_lines')
        and reason_code != 'invoice_not_counted'
    group by reason_code

),

top_reasons as (

    -- The three most frequent reasons, as 'reason_code count' text (concat_ws skips the nulls).
    select
        concat_ws(
            ', ',
            max(case when reason_rank = 1 then reason_text end),
            max(case when reason_rank = 2 then reason_text end),
            max(case when reason_rank = 3 then reason_text end)
        ) as top_reasons

    from reason_counts

),

as_of as (

    -- The build's as-of month: the var, else the default over the used rows.
    select max({{ as_of_expression }}) as as_of_month

    from (
        select
            start_date,
            end_date
        from subscription_rows
        where row_status = 'used'

        union all

        -- Invoice lines: the lines used, as the check below reads every line.
        select
            service_start as start_date,
            service_end as end_date
        from invoice_line_rows
        where row_status = 'used'
    ) as used_periods

),

as_of_of_every_row as (

    -- The default as-of month had every row been used, rejected rows included.
    select max({{ month_start(latest_date) }}) as as_of_month

    from (
        select
            start_date,
            end_date
        from subscriptions_in

        union all

        select
            service_start as start_date,
            service_end as end_date
        from invoice_lines_in
    ) as every_row

),

joined as (

    select
        subscription_counts.rows_read,
        subscription_counts.rows_rejected,
        top_reasons.top_reasons,
        as_of.as_of_month,
        as_of_of_every_row.as_of_month as as_of_month_of_every_row,
        cast({{ limit_pct }} as {{ type_double() }}) as max_rejected_rows_pct,
        {{ 'true' if explicit_as_of else 'false' }} as is_explicit_as_of,
        100.0 * subscription_counts.rows_rejected
        / nullif(subscription_counts.rows_read, 0) as rejected_pct

    from subscription_counts
    cross join top_reasons
    cross join as_of
    cross join as_of_of_every_row

),

checked as (

    select
        *,
        coalesce(rejected_pct <= max_rejected_rows_pct, true) as is_rejected_share_within_limit,
        is_explicit_as_of
        or coalesce(as_of_month_of_every_row <= as_of_month, true) as is_as_of_month_unmoved

    from joined

),

final as (

    select
        rows_read,
        rows_rejected,
        rejected_pct,
        max_rejected_rows_pct,
        top_reasons,
        as_of_month,
        as_of_month_of_every_row,
        is_explicit_as_of,
        is_rejected_share_within_limit,
        is_as_of_month_unmoved,
        is_rejected_share_within_limit and is_as_of_month_unmoved as passes,
        case
            when not is_rejected_share_within_limit
                then
                    'rejected ' || cast(round(rejected_pct, 1) as {{ dbt.type_string() }})
                    || ' % of the subscription rows read (' || cast(rows_rejected as {{ dbt.type_string() }})
                    || ' of ' || cast(rows_read as {{ dbt.type_string() }})
                    || '), more than max_rejected_rows_pct '
                    || cast(max_rejected_rows_pct as {{ dbt.type_string() }}) || ': top reasons '
                    || top_reasons
            when not is_as_of_month_unmoved
                then
                    'rejected rows move the as-of month: '
                    || cast(as_of_month_of_every_row as {{ dbt.type_string() }})
                    || ' with every row, ' || cast(as_of_month as {{ dbt.type_string() }})
                    || ' without the rejected ones (top reasons ' || top_reasons
                    || '); fix them, or set the as-of month explicitly'
        end as message

    from checked

)

select * from final
