-- The seed benchmark_reference_lines has both lines company_benchmark shows: the median and best in class.
with

reference_lines as (

    select * from {{ ref('benchmark_reference_lines') }}

),

expected as (

    select 'median' as reference_line

    union all

    select 'best_in_class' as reference_line

)

select
    expected.reference_line,
    'reference line missing from the seed' as failure

from expected
left join reference_lines
    on expected.reference_line = reference_lines.reference_line
where reference_lines.reference_line is null
