{% macro pct_compare(numerator, denominator, operator, pct) -%}
    {#-
        `100 × numerator / denominator <operator> pct`, decided exactly. The amounts are decimals and the
        benchmark lines are decimals, so the comparison is cross-multiplied in decimal arithmetic
        (the denominator, a cohort's starting MRR, is always above zero) instead of comparing the double
        nrr_pct: 100 × (3.45 / 3) is 115.00000000000001 in floating point, and an NRR of exactly 115 %
        must stay on the line (`good`, `within`), not be pushed over it.
    -#}
    {%- if operator not in ['<', '<=', '>', '>=', '='] -%}
        {{ exceptions.raise_compiler_error("pct_compare: unsupported operator '" ~ operator ~ "'") }}
    {%- endif -%}
    ({{ numerator }}) * 100 {{ operator }} ({{ pct }}) * ({{ denominator }})
{%- endmacro %}


{% macro leaky_bucket_grr_line() -%}
    {#-
        The var `leaky_bucket_grr_pct` (default 90) as a decimal literal. Anything but a plain
        non-negative number stops the build with a message.
    -#}
    {%- set value = var('leaky_bucket_grr_pct') | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]+([.][0-9]+)?', value) -%}
        {{ exceptions.raise_compiler_error("var leaky_bucket_grr_pct must be a number like 90, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as decimal(9, 4))") }}
{%- endmacro %}


{% macro is_leaky_bucket(starting_mrr, ending_mrr, retained_mrr) -%}
    {#-
        SPEC section 5's leaky bucket: NRR >= 100 while GRR < the var `leaky_bucket_grr_pct` (expansion
        hiding churn). NRR = 100 × ending / starting; GRR = 100 × retained / starting, where retained is
        starting − contraction − churned. Both decided exactly, like every benchmark line.
    -#}
    (
        {{ pct_compare(ending_mrr, starting_mrr, '>=', '100') }}
        and {{ pct_compare(retained_mrr, starting_mrr, '<', leaky_bucket_grr_line()) }}
    )
{%- endmacro %}


{% macro benchmark_set() -%}
    {#-
        The var `benchmark_set`: `rules_of_thumb` (the default, SPEC section 5's segment bands) or the
        name of a set in the seed benchmark_acv_retention_medians (`saas_capital_2023` as shipped).
        Anything but a lower-case name stops the build with a message; a name the seed does not hold
        fails the test assert_benchmark_set_exists.
    -#}
    {%- set value = var('benchmark_set', 'rules_of_thumb') | string | trim -%}
    {%- if not modules.re.fullmatch('[a-z0-9_]+', value) -%}
        {{ exceptions.raise_compiler_error("var benchmark_set must be rules_of_thumb or a benchmark_set of seed benchmark_acv_retention_medians (such as saas_capital_2023), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
