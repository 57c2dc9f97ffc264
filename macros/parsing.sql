{% macro clean_text(column) -%}
    {#- Trimmed text; blank becomes null. -#}
    nullif(trim({{ column }}), '')
{%- endmacro %}


{% macro parse_date(column) -%}
    {#- An ISO date ('2024-01-31'; a time part such as '2024-01-31 00:00:00' is dropped), or null. -#}
    cast({{ try_cast_as(clean_text(column), dbt.type_timestamp()) }} as date)
{%- endmacro %}


{% macro parse_number(column) -%}
    {#- A decimal number ('1200', '99.90', '1e3'), or null when it does not parse. -#}
    {{ try_cast_as(clean_text(column), type_double()) }}
{%- endmacro %}


{% macro months_in_billing_interval(column) -%}
    {#-
        Months one billing interval covers. Case-insensitive; SPEC spellings and their common variants.
        Blank means monthly. Anything else is null (an unknown interval).
    -#}
    case coalesce(lower({{ clean_text(column) }}), 'month')
        when 'month' then 1
        when 'monthly' then 1
        when 'quarter' then 3
        when 'quarterly' then 3
        when 'year' then 12
        when 'yearly' then 12
        when 'annual' then 12
        when 'annually' then 12
    end
{%- endmacro %}


{% macro normalize_segment(column) -%}
    {#-
        SMB, Mid-Market or Enterprise, compared case- and punctuation-insensitively ('mid market',
        'MidMarket', 'ENTERPRISE' ...); anything else, or blank, is Unknown.
    -#}
    case {{ letters_only(column) }}
        when 'smb' then 'SMB'
        when 'midmarket' then 'Mid-Market'
        when 'enterprise' then 'Enterprise'
        else 'Unknown'
    end
{%- endmacro %}

