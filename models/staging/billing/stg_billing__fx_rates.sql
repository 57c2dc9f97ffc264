with

source as (

    {{ billing_input('fx_rates') }}

),

final as (

    select
        upper({{ clean_text('currency') }}) as currency,
        {{ parse_number('rate_to_reporting') }} as rate_to_reporting

    from source

)

select * from final
