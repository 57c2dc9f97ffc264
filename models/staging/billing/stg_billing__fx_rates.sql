with

source as (

    {{ billing_input('fx_rates') }}

),

final as (

    select
        upper({{ clean_text('currency') }}) as currency,
        {{ parse_number('rate_to_reporting') }} as rate_to_reporting,
        {{ clean_text('rate_to_reporting') }} as rate_to_reporting_text,
        {{ json_object_of(input_contract()['fx_rates']['columns']) }} as raw_values

    from source

)

select * from final
