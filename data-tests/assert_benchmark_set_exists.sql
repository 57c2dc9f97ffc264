-- The var benchmark_set names a set that exists: `rules_of_thumb` (the segment bands, SPEC section 5)
-- or a benchmark_set of the seed benchmark_acv_retention_medians, whose ACV bands must then tile
-- [0, no upper bound) without a gap or an overlap, so every segment's ACV finds exactly one band.
with

medians as (

    select * from {{ ref('benchmark_acv_retention_medians') }}
    where benchmark_set = '{{ benchmark_set() }}'

),

ordered as (

    select
        acv_from,
        acv_to,
        lead(acv_from) over (order by acv_from) as next_from,
        row_number() over (order by acv_from) as band_number,
        count(*) over () as bands

    from medians

),

problems as (

    select 'no benchmark set named {{ benchmark_set() }} in benchmark_acv_retention_medians' as failure
    where
        '{{ benchmark_set() }}' != 'rules_of_thumb'
        and not exists (select 1 from medians)

    union all

    select 'ACV bands do not tile from 0 without gaps, overlaps, or a bounded last band' as failure
    from ordered
    where
        (band_number = 1 and acv_from != 0)
        or (band_number < bands and (acv_to is null or acv_to != next_from))
        or (band_number = bands and acv_to is not null)

)

select * from problems
