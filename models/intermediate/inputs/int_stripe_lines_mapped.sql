{#- A view: int_input_months_fingerprinted reads the inputs through it as they are now. -#}
{{ config(materialized='view') }}

with

line_items as (

    select * from {{ ref('stg_stripe__invoice_line_items') }}

),

invoices as (

    select * from {{ ref('stg_stripe__invoices') }}

),

prices as (

    select * from {{ ref('stg_stripe__prices') }}

),

plans as (

    select * from {{ ref('stg_stripe__plans') }}

),

invoices_by_id as (

    -- One row per invoice id (a loader's repeated row must not fan the lines out).
    select
        invoice_id,
        max(customer_id) as customer_id,
        max(invoice_status) as invoice_status,
        max(case when is_deleted then 1 else 0 end) = 1 as is_deleted

    from invoices
    where invoice_id is not null
    group by invoice_id

),

price_intervals as (

    -- A line's price, else its plan (Stripe's older object).
    select
        price_id as interval_id,
        product_id,
        recurring_interval,
        recurring_interval_count,
        recurring_usage_type
    from prices
    where price_id is not null

    union all

    select
        plans.plan_id as interval_id,
        plans.product_id,
        plans.recurring_interval,
        plans.recurring_interval_count,
        plans.recurring_usage_type
    from plans
    where
        plans.plan_id is not null
        and not exists (
            select 1
            from prices
            where prices.price_id = plans.plan_id
        )

),

intervals as (

    -- One interval per price or plan id.
    select
        interval_id,
        max(product_id) as product_id,
        max(recurring_interval) as recurring_interval,
        max(recurring_interval_count) as recurring_interval_count,
        max(recurring_usage_type) as recurring_usage_type

    from price_intervals
    group by interval_id

),

joined as (

    -- Each line beside its invoice (whose customer it bills, and whether it counts) and interval.
    select
        line_items.*,
        invoices.invoice_id as found_invoice_id,
        invoices.customer_id,
        invoices.invoice_status,
        invoices.is_deleted,
        intervals.product_id,
        intervals.recurring_interval,
        intervals.recurring_interval_count,
        intervals.recurring_usage_type,
        {{ currency_minor_unit('line_items.currency') }} as minor_unit

    from line_items
    left join invoices_by_id as invoices
        on line_items.invoice_id = invoices.invoice_id
    left join intervals
        on coalesce(line_items.price_id, line_items.plan_id) = intervals.interval_id

),

mapped as (

    -- Onto the invoice-line shape (SPEC section 9): the period's dates, the net amount before tax (amount_excluding_tax
    -- when the loader has it, else amount; less the line's discounts) from the minor unit to the
    -- currency (JPY as it is); a subscription line or a proration of one is recurring, a metered
    -- price is usage, any other invoice item one_time; the interval from the price (month x 1, 3
    -- or year x 1; any other is kept as text and rejected as unknown_billing_interval). Lines of
    -- draft, void or uncollectible invoices do not count, and a line whose invoice is not there
    -- cannot be attributed to a customer: both are quarantined with their reason.
    select
        line_item_id as line_id,
        customer_id,
        coalesce(subscription_id, line_item_id) as subscription_id,
        -- The plan is the price's (or plan's) product, else the price id (DECISIONLOG "A Stripe
        -- line's plan is its price's product").
        coalesce(product_id, price_id, plan_id) as plan_id,
        -- Fivetran's TIMESTAMP (as text), an export's ISO text or the API's epoch seconds, as a
        -- UTC date; anything else is null and quarantined as unparseable_required_value.
        {{ parse_date_or_epoch('period_start_text') }} as service_start,
        {{ parse_date_or_epoch('period_end_text') }} as service_end,
        -- Decimal arithmetic, then the decimal's text read as a double: the same double as the
        -- amount written in the currency's unit would be (28703957 cents is 287039.57).
        cast(cast(
            (coalesce(amount_excluding_tax_minor, amount_minor) - coalesce(discount_amount_minor, 0))
            * minor_unit as {{ dbt.type_string() }}
        ) as {{ type_double() }}) as amount,
        currency,
        case
            when quantity_text is null then 1
            when {{ parse_number('quantity_text') }} = floor({{ parse_number('quantity_text') }})
                then {{ parse_number('quantity_text') }}
        end as quantity,
        case
            when recurring_interval = 'month' and recurring_interval_count in (1, 3)
                then cast(recurring_interval_count as integer)
            when recurring_interval = 'year' and recurring_interval_count = 1 then 12
        end as months_in_interval,
        case
            when recurring_usage_type = 'metered' then 'usage'
            when subscription_id is not null and (line_item_type = 'subscription' or is_proration)
                then 'recurring'
            when line_item_type in ('subscription', 'invoiceitem') then 'one_time'
        end as line_type,
        period_start_text as service_start_text,
        period_end_text as service_end_text,
        case
            when amount_minor is null and amount_text is not null then amount_text
            when amount_excluding_tax_minor is null and amount_excluding_tax_text is not null
                then amount_excluding_tax_text
            when discount_amount_minor is null and discount_amount_text is not null
                then discount_amount_text
            else amount_text
        end as amount_text,
        quantity_text,
        case
            when recurring_interval is not null
                then recurring_interval || ' x ' || coalesce(cast(recurring_interval_count as {{ dbt.type_string() }}), '?')
        end as billing_interval_text,
        line_item_type as line_type_text,
        raw_values,
        case
            when invoice_id is null or found_invoice_id is null then 'invoice_not_found'
            when is_deleted or invoice_status in ('draft', 'void', 'uncollectible') then 'invoice_not_counted'
        end as source_reason_code,
        invoice_status

    from joined

),

final as (

    select
        -- The invoice-line columns, in order (invoice_line_columns: written once).
        {{ invoice_line_column_list() }},
        source_reason_code,
        invoice_status

    from mapped

)

select * from final
