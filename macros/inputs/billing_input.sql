{% macro billing_input(table_name, typed=none) %}
    {#-
        A select of the input table `table_name` with every contract column as text, in contract order.
        With a dict `typed` (staging of subscriptions, invoice lines and fx rates): a column of
        typed_input_columns() whose type is already right (typed_input_kind) is selected as it is,
        and `typed` records its kind, so that staging uses it without parsing it again (DECISIONLOG
        "Typed inputs stay typed"). Everything else is text, as before.

        The route is nrr_input_route():
        Demo route (seeds): the seed `raw_<table_name>`.
        File route (files, NRR_DATA_DIR=DIR): DIR/<table_name>.csv or DIR/<table_name>.parquet.
        Source-table route (sources): the table of source `billing` (billing_input_source).

        A missing required file or column stops the build with a message naming the file and the
        column. A missing optional column reads as null; a missing optional table as no rows.
    -#}
    {%- set contract = input_contract()[table_name] -%}
    {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
    {%- set route = nrr_input_route() -%}
    {%- if route == 'seeds' and table_name in ['invoice_lines', 'invoice_line_item', 'invoice', 'customer', 'price', 'plan'] -%}
        {#- The demo is subscription periods: it has no invoice lines. -#}
        {{ return(billing_input_empty(contract.columns)) }}
    {%- elif route == 'seeds' -%}
        {%- set relation = ref('raw_' ~ table_name) -%}
        {%- set label = 'seed raw_' ~ table_name -%}
        {%- set from_clause = relation -%}
        {%- if execute and (relation.schema is none or load_relation(relation) is none) -%}
            {#- Compiled before the seed is loaded (dbt compile, sqlfluff on a fresh clone), or in a
                unit test (its given rows stand for the seed, and have no schema): the seed is the
                project's own and has every contract column. -#}
            {%- set present = contract.columns -%}
            {%- set types = {} -%}
        {%- elif execute -%}
            {%- set seed_columns = adapter.get_columns_in_relation(relation) -%}
            {%- set present = seed_columns | map(attribute='name') | list -%}
            {%- set types = column_types_of(seed_columns) -%}
        {%- endif -%}
    {%- elif route == 'sources' -%}
        {#- source() at parse time too: it records the dependency (lineage, `dbt source freshness`). -#}
        {%- set declared = source(input_source_name(table_name), table_name) -%}
        {%- if execute -%}
            {%- set located = locate_billing_input_source(table_name) -%}
            {%- if located is none -%}
                {{ return(billing_input_empty(contract.columns)) }}
            {%- endif -%}
            {%- set label = located.label -%}
            {%- set from_clause = located.from_clause -%}
            {%- set present = located.columns -%}
            {%- set types = located.get('types', {}) -%}
        {%- endif -%}
    {%- elif execute -%}
        {%- set located = locate_billing_input(data_dir, table_name) -%}
        {%- if located is none -%}
            {{ return(billing_input_empty(contract.columns)) }}
        {%- endif -%}
        {%- set label = located.label -%}
        {%- set from_clause = located.from_clause -%}
        {%- set present = located.columns -%}
        {%- set types = located.get('types', {}) -%}
    {%- endif -%}
    {%- if not execute -%}
        {#- Parse time: only the ref above matters (it records the dependency on the seed). -#}
        {{ return(billing_input_empty(contract.columns)) }}
    {%- endif -%}
    {%- set by_lower_name = billing_input_columns(contract, label, present) -%}
    {%- set expected = typed_input_columns(table_name) if typed is not none else {} -%}
    select
        {%- for column in contract.columns %}
            {%- set kind = typed_input_kind(types.get(by_lower_name.get(column)), expected.get(column)) %}
            {%- if kind is not none %}
                {%- do typed.update({column: kind}) %}
        {{ adapter.quote(by_lower_name[column]) }} as {{ column }}
            {%- elif column in by_lower_name %}
        cast({{ adapter.quote(by_lower_name[column]) }} as {{ dbt.type_string() }}) as {{ column }}
            {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}
            {%- endif -%}
            {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ from_clause }}
{% endmacro %}


{% macro billing_input_columns(contract, label, present) %}
    {#-
        Maps each contract column name to the input's column as written, matched by
        normalize_column_name ('Subscription ID' is subscription_id; unknown columns are ignored),
        and stops the build with one message naming the file, every missing required column and the
        columns found: `subscriptions.csv: required column start_date is missing (columns found: ...)`.
    -#}
    {%- set by_lower_name = {} -%}
    {%- for name in present -%}
        {%- do by_lower_name.update({normalize_column_name(name): name}) -%}
    {%- endfor -%}
    {%- set missing = contract.required_columns | reject('in', by_lower_name) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            label ~ ': required column' ~ ('s ' if missing | length > 1 else ' ') ~ missing | join(', ')
            ~ (' are' if missing | length > 1 else ' is') ~ ' missing (columns found: '
            ~ (present | join(', ') if present else 'none') ~ ')'
        ) }}
    {%- endif -%}
    {{ return(by_lower_name) }}
{% endmacro %}


{% macro billing_input_empty(columns) %}
    {#- A select with the given text columns and no rows: an absent optional table. -#}
    select
    {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    where 1 = 0
{% endmacro %}


{% macro locate_billing_input(data_dir, table_name) %}
    {#- The input file of `table_name` in data_dir (see billing_input_file), or none for an absent
        optional table; an absent required table stops the build naming the file. -#}
    {%- set located = billing_input_file(data_dir, table_name) -%}
    {%- if located is none and input_table_required(table_name) -%}
        {{ exceptions.raise_compiler_error(
            data_dir ~ '/' ~ table_name ~ '.csv (or .parquet): required input file is missing'
        ) }}
    {%- endif -%}
    {{ return(located) }}
{% endmacro %}


{% macro billing_input_file(data_dir, table_name) %}
    {{ return(adapter.dispatch('billing_input_file', 'nrr_warehouse')(data_dir, table_name)) }}
{% endmacro %}


{% macro duckdb__billing_input_file(data_dir, table_name) %}
    {#-
        Finds DIR/<table>.csv or DIR/<table>.parquet (both present is an error: which one is meant?).
        Returns none when neither exists, else a dict: label (the file name for messages), from_clause
        (a table function reading every column as text where the format allows) and columns (names).
    -#}
    {%- set base = data_dir.rstrip('/') ~ '/' ~ table_name -%}
    {%- set quoted_base = dbt.escape_single_quotes(base) -%}
    {%- set found = run_query(
        "select file from glob('" ~ quoted_base ~ ".csv') union all select file from glob('"
        ~ quoted_base ~ ".parquet')"
    ).columns[0].values() -%}
    {%- if found | length == 0 -%}
        {{ return(none) }}
    {%- elif found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            base ~ '.csv and ' ~ base ~ '.parquet both exist: keep one of them'
        ) }}
    {%- endif -%}
    {%- set path = found[0] -%}
    {%- set label = path.split('/')[-1] -%}
    {%- set quoted_path = dbt.escape_single_quotes(path) -%}
    {%- if path.endswith('.csv') -%}
        {#- Read by the on-run-start hook into raw.input_<table> (reading_rules.sql), so that its
            malformed lines are kept; before the hook has run (dbt compile), the file itself. -#}
        {%- set inspected = inspect_billing_input_csv(path, label) -%}
        {%- set loaded = loaded_input(table_name) -%}
        {%- set from_clause = loaded if loaded is not none else read_billing_csv(
            path, inspected.columns, inspected.mixed_line_endings
        ) -%}
        {{ return({
            'label': label,
            'path': path,
            'from_clause': from_clause,
            'columns': inspected.columns,
            'mixed_line_endings': inspected.mixed_line_endings,
        }) }}
    {%- endif -%}
    {%- set magic = run_query(
        "select content[1:4] = 'PAR1'::blob and content[-4:] = 'PAR1'::blob "
        ~ "from read_blob('" ~ quoted_path ~ "')"
    ).columns[0].values()[0] -%}
    {%- if not magic -%}
        {{ exceptions.raise_compiler_error(
            label ~ ': cannot be read: not a Parquet file (it does not begin and end with PAR1)'
        ) }}
    {%- endif -%}
    {%- set from_clause = "read_parquet('" ~ quoted_path ~ "')" -%}
    {%- set described = run_query('describe select * from ' ~ from_clause) -%}
    {{ return({
        'label': label,
        'path': path,
        'from_clause': from_clause,
        'columns': described.columns[0].values() | list,
        'types': described_types_of(described),
    }) }}
{% endmacro %}


{% macro spark__billing_input_file(data_dir, table_name) %}
    {#-
        Spark: lists the folder with the binaryFile source (content is never read), then reads the
        file through a temporary view (CSV: header row, every column as text, a quote inside a quoted
        field doubled as RFC 4180 and DuckDB read it: Stripe's metadata JSON) or parquet.`path`.
    -#}
    {%- set listing_view = 'nrr_input_listing_' ~ table_name -%}
    {%- do run_query(
        "create or replace temporary view " ~ listing_view ~ " using binaryFile options (path '"
        ~ data_dir ~ "', pathGlobFilter '" ~ table_name ~ ".{csv,parquet}', recursiveFileLookup 'false')"
    ) -%}
    {%- set found = run_query('select path from ' ~ listing_view ~ ' order by path').columns[0].values() -%}
    {%- if found | length == 0 -%}
        {{ return(none) }}
    {%- elif found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            data_dir ~ '/' ~ table_name ~ '.csv and .parquet both exist: keep one of them'
        ) }}
    {%- endif -%}
    {%- set path = found[0] -%}
    {%- if path.endswith('.csv') -%}
        {%- set from_clause = 'nrr_input_' ~ table_name -%}
        {%- do run_query(
            "create or replace temporary view " ~ from_clause ~ " using csv options (path '" ~ path
            ~ "', header 'true', inferSchema 'false', escape '\"')"
        ) -%}
    {%- else -%}
        {%- set from_clause = 'parquet.`' ~ path ~ '`' -%}
    {%- endif -%}
    {%- set described = run_query('select * from ' ~ from_clause ~ ' limit 0') -%}
    {{ return({
        'label': path.split('/')[-1],
        'from_clause': from_clause,
        'columns': described.column_names | list,
    }) }}
{% endmacro %}
