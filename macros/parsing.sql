{% macro clean_text(column) -%}
    {#- Trimmed text; blank, or one of pandas' default null tokens (input_null_tokens), becomes null. -#}
    case
        when trim({{ column }}) in (
            {%- for token in input_null_tokens() %}'{{ token }}'{{ ', ' if not loop.last }}{% endfor -%}
        ) then null
        else nullif(trim({{ column }}), '')
    end
{%- endmacro %}


{% macro input_null_tokens() %}
    {#- The cells pandas' read_csv reads as missing by default (pandas.io.parsers' STR_NA_VALUES),
        except `NA`, which is also Namibia's country code and an abbreviation of a segment. -#}
    {{ return([
        '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
        '<NA>', 'N/A', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
    ]) }}
{% endmacro %}


{% macro parse_date(column) -%}
    {#-
        A date, or null when it does not parse: ISO 'YYYY-MM-DD', 'YYYY/MM/DD', or an ISO timestamp
        ('2024-01-31T10:00:00Z', '2024-01-31 00:00:00': the time part is dropped). Any other layout
        only with the var input_date_format (strftime codes, '%m/%d/%Y'): a day/month order is never
        guessed.
    -#}
    {%- set text = clean_text(column) -%}
    {%- set date_format = var('input_date_format', '') | string | trim -%}
    {%- set iso_date -%}
        case
            when {{ matches_pattern(text, '[0-9]{4}([-][0-9]{2}[-]|/[0-9]{2}/)[0-9]{2}([T ][0-9]{2}:[0-9]{2}.*)?') }}
                then {{ try_cast_as("replace(substr(" ~ text ~ ", 1, 10), '/', '-')", 'date') }}
        end
    {%- endset -%}
    {%- if date_format in ('', 'none', 'None') -%}
        {{ iso_date }}
    {%- else -%}
        coalesce({{ iso_date }}, {{ parse_date_with_format(text, date_format) }})
    {%- endif -%}
{%- endmacro %}


{% macro parse_date_or_epoch(column) -%}
    {#-
        A UTC date from a billing system's timestamp, or null when it does not parse: what
        parse_date reads (a TIMESTAMP a loader such as Fivetran wrote, cast to text, or ISO text from
        an export: the time part dropped), or Unix epoch seconds (Stripe's API and its CSV exports:
        '1705312800' is 2024-01-15), at most 11 digits. For Stripe's fields only: a subscriptions
        date of 8 digits is not read as seconds.
    -#}
    {%- set text = clean_text(column) -%}
    coalesce(
        {{ parse_date(column) }},
        case
            when {{ matches_pattern(text, '[0-9]{1,11}') }}
                then cast({{ dbt.dateadd(
                    'day',
                    'cast(floor(cast(' ~ text ~ ' as ' ~ dbt.type_bigint() ~ ') / 86400) as integer)',
                    "cast('1970-01-01' as date)",
                ) }} as date)
        end
    )
{%- endmacro %}


{% macro parse_number(column) -%}
    {#-
        A number as a double ('1200', '99.90', '1e3'), or null when it does not parse. A currency
        symbol ($ € £ ¥) is ignored; commas are thousands separators only in valid groups
        ('1,200.00', '$12,345'); with the var input_decimal_comma, '50,00' and '1.200,50' read with a
        decimal comma instead. 'inf' or '1e308' parse (as numbers out of range, see money_limit).
    -#}
    {%- set text = "trim(" ~ replace_pattern(clean_text(column), '[$€£¥]', '') ~ ")" -%}
    {%- if var('input_decimal_comma', false) | string | lower in ('true', '1', 'yes') -%}
        {%- set grouped = '[+-]?[0-9]{1,3}([.][0-9]{3})+(,[0-9]*)?|[+-]?[0-9]*,[0-9]+' -%}
        {%- set normalized = "replace(replace(" ~ text ~ ", '.', ''), ',', '.')" -%}
    {%- else -%}
        {%- set grouped = '[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?' -%}
        {%- set normalized = "replace(" ~ text ~ ", ',', '')" -%}
    {%- endif -%}
    {{ try_cast_as(
        'case when ' ~ matches_pattern(text, grouped) ~ ' then ' ~ normalized ~ ' else ' ~ text ~ ' end',
        type_double()
    ) }}
{%- endmacro %}


{% macro money_limit() -%}
    {#- The largest absolute amount (and MRR) a row may carry: 10^15, a thousandth of the range of the
        money type (type_money, below 10^18), so that sums over rows stay inside it. A number at or
        beyond it, or not finite, is rejected as value_out_of_range instead of failing a cast. -#}
    1e15
{%- endmacro %}


{% macro within_money_limit(expression) -%}
    {#- True when the double is finite and below money_limit() in size; false for NaN and infinities
        (NaN compares above every number on DuckDB and Spark alike). Null stays null. -#}
    (abs({{ expression }}) < {{ money_limit() }})
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

