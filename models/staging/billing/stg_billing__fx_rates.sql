{#- Filled by billing_input: the columns that arrived typed, used as they are (typed_inputs.sql). -#}
{%- set typed = {} -%}

with

source as (

    {{ billing_input('fx_rates', typed) }}

),

given as (

    -- A rate that arrived typed is its value as given (rate_to_reporting_given) and its text.
    select
        *,
        rate_to_reporting as rate_to_reporting_given,
        {{ typed_input_text('rate_to_reporting', typed) }} as rate_to_reporting_text

    from source

),

final as (

    select
        upper({{ clean_text('currency') }}) as currency,
        {{ typed_input_number('rate_to_reporting', typed) }} as rate_to_reporting,
        rate_to_reporting_text,
        {{ typed_raw_values('fx_rates', typed) }} as raw_values

    from given

)

select * from final
