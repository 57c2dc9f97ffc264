{% macro normalize_column_name(name) %}
    {#- An input column name as the contract spells it: trimmed, lower-cased, a byte-order mark dropped,
        spaces and hyphens read as underscores ('Subscription ID' and 'subscription-id' are
        subscription_id). -#}
    {%- set cleaned = (name | string).replace('\ufeff', '') | trim | lower -%}
    {{ return(modules.re.sub('[ -]+', '_', cleaned)) }}
{% endmacro %}


{% macro loaded_input_relation(table_name, suffix='') %}
    {#- Where the file route loads a CSV input (and its malformed lines, suffix '_malformed_lines'):
        a table of schema `raw`, written by the on-run-start hook (load_billing_input_csv). -#}
    {{ return(api.Relation.create(
        database=target.database, schema='raw', identifier='input_' ~ table_name ~ suffix
    )) }}
{% endmacro %}


{% macro loaded_input(table_name, suffix='') %}
    {#- The relation of loaded_input_relation when the table exists in the warehouse, else none. Asked
        of the database, not dbt's relation cache: the hook creates these tables after the cache is
        filled. -#}
    {%- set relation = loaded_input_relation(table_name, suffix) -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'"
    ).columns[0].values()[0] -%}
    {{ return(relation if found > 0 else none) }}
{% endmacro %}


{% macro inspect_billing_input_csv(path, label) %}
    {#-
        Reads what the CSV loader needs before it reads the rows: stops with one line naming the file
        and the reason when the file is not UTF-8 text, and returns the header's column names
        (normalised, see normalize_column_name) and whether its line endings are mixed (LF and CRLF
        lines in one file). Header names cannot contain a comma.
    -#}
    {%- set quoted_path = dbt.escape_single_quotes(path) -%}
    {%- set scanned = run_query(
        "select try(decode(content)) is not null as is_utf8, "
        ~ "split_part(try(decode(content)), chr(10), 1) as header_line, "
        ~ "length(try(decode(content))) - length(replace(try(decode(content)), chr(13), '')) as cr, "
        ~ "length(try(decode(content))) - length(replace(try(decode(content)), chr(10), '')) as lf "
        ~ "from read_blob('" ~ quoted_path ~ "')"
    ) -%}
    {%- set is_utf8, header_line, cr, lf = scanned.rows[0] -%}
    {%- if not is_utf8 -%}
        {{ exceptions.raise_compiler_error(
            label ~ ': cannot be read: not UTF-8 text (wrong encoding, or not a CSV file); '
            ~ 'save the export as UTF-8 CSV'
        ) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for raw_name in header_line.replace('\r', '').split(',') -%}
        {%- set name = normalize_column_name(raw_name | trim | replace('"', '')) -%}
        {%- set name = name if name != '' else 'column_' ~ loop.index -%}
        {%- if name in columns -%}
            {{ exceptions.raise_compiler_error(
                label ~ ': two columns of the header read as ' ~ name ~ ': keep one of them'
            ) }}
        {%- endif -%}
        {%- do columns.append(name) -%}
    {%- endfor -%}
    {{ return({'columns': columns, 'mixed_line_endings': cr > 0 and cr < lf}) }}
{% endmacro %}


{% macro read_billing_csv(path, columns, mixed_line_endings, rejects_name=none) %}
    {#-
        The read_csv call of an input CSV: the header's columns given explicitly, every one as text
        (so DuckDB's sniffer never takes a bad line for the header, nor guesses a type), comma
        separated, double-quoted. A line that does not parse as a row of the header (wrong number of
        fields, broken quoting, a line over 2 MB) is skipped and, with `rejects_name`, stored in the
        temporary tables `<rejects_name>_errors` / `_scans` (store_rejects). Strict mode finds a
        line with too many fields; DuckDB's strict parser cannot read a file with mixed line
        endings, so such a file is read leniently, where an extra field is ignored (docs/own-data.md
        "Reading rules (messy exports)").
    -#}
    read_csv(
        '{{ dbt.escape_single_quotes(path) }}',
        header = true,
        auto_detect = false,
        delim = ',',
        quote = '"',
        escape = '"',
        columns = { {%- for column in columns %}'{{ column }}': 'varchar'{{ ', ' if not loop.last }}{% endfor -%} },
        strict_mode = {{ 'false' if mixed_line_endings else 'true' }},
        null_padding = false,
        max_line_size = 2097152
        {%- if rejects_name is not none %},
        store_rejects = true,
        rejects_table = '{{ rejects_name }}_errors',
        rejects_scan = '{{ rejects_name }}_scans'
        {%- endif %}
    )
{% endmacro %}


{% macro load_billing_input_csv(table_name, located) %}
    {{ return(adapter.dispatch('load_billing_input_csv', 'nrr_warehouse')(table_name, located)) }}
{% endmacro %}


{% macro default__load_billing_input_csv(table_name, located) %}
    {#- Other engines read the file where it is (a temporary view on Spark): no malformed lines. -#}
    {{ return(none) }}
{% endmacro %}


{% macro duckdb__load_billing_input_csv(table_name, located) %}
    {#-
        Run by the on-run-start hook: loads an input CSV into raw.input_<table> (every column as
        text) and its malformed lines, one row per line with its number, raw text (up to 2,000
        characters) and DuckDB's reason, into raw.input_<table>_malformed_lines.
    -#}
    {%- set rejects = 'nrr_rejects_' ~ table_name -%}
    {%- set rows_table = loaded_input_relation(table_name) -%}
    {%- set lines_table = loaded_input_relation(table_name, '_malformed_lines') -%}
    {%- call statement('load_' ~ table_name, fetch_result=false) -%}
        create schema if not exists {{ rows_table.without_identifier() }};
        drop table if exists {{ rejects }}_errors;
        drop table if exists {{ rejects }}_scans;
        create or replace table {{ rows_table }} as
        select * from {{ read_billing_csv(located.path, located.columns, located.mixed_line_endings, rejects) }};
        create or replace table {{ lines_table }} as
        select
            cast(line as bigint) as line_number,
            left(trim(any_value(csv_line), chr(10) || chr(13)), 2000) as raw_line,
            string_agg(distinct lower(error_type), ', ' order by lower(error_type)) as error
        from {{ rejects }}_errors
        group by line;
    {%- endcall -%}
    {#- Hooks run in a transaction dbt does not commit: the loaded tables must outlive the hook. -#}
    {%- do adapter.commit() -%}
{% endmacro %}
