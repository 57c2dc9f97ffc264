{% macro nrr_input_route() %}
    {#-
        Which route the inputs come from (SPEC section 1): `seeds` (the demo), `files` (NRR_DATA_DIR)
        or `sources` (tables a loader wrote, declared in _billing__sources.yml). The var
        `nrr_input_route` chooses; empty, it is inferred: files when NRR_DATA_DIR is set, sources when
        the var `nrr_source_schema` or NRR_SOURCE_DATABASE is set, and otherwise seeds in this project
        but sources when installed as a package (the demo never loads in someone else's project
        unless asked). seeds/demo/_demo__seeds.yml repeats this rule inline (a seed's `enabled` cannot
        call a macro): change both together.
    -#}
    {%- set chosen = var('nrr_input_route', '') | trim | lower -%}
    {%- set data_dir = env_var('NRR_DATA_DIR', '') | trim -%}
    {%- if chosen == '' -%}
        {%- if data_dir != '' -%}
            {%- set chosen = 'files' -%}
        {%- elif var('nrr_source_schema', '') | trim != '' or env_var('NRR_SOURCE_DATABASE', '') | trim != '' -%}
            {%- set chosen = 'sources' -%}
        {%- elif project_name != 'nrr_warehouse' -%}
            {%- set chosen = 'sources' -%}
        {%- else -%}
            {%- set chosen = 'seeds' -%}
        {%- endif -%}
    {%- elif chosen not in ['seeds', 'files', 'sources'] -%}
        {{ exceptions.raise_compiler_error(
            "var nrr_input_route must be seeds, files or sources, got '" ~ chosen ~ "'"
        ) }}
    {%- elif chosen == 'files' and data_dir == '' -%}
        {{ exceptions.raise_compiler_error(
            'var nrr_input_route is files but NRR_DATA_DIR is not set: set it to the folder of the files'
        ) }}
    {%- endif -%}
    {{ return(chosen) }}
{% endmacro %}


{% macro billing_input_source(table_name) %}
    {#-
        The source table of `table_name` (source `billing` in _billing__sources.yml, whose database,
        schema and identifier are vars), or none when it does not exist. Else a dict like
        billing_input_file's: label (database.schema.table, for messages), from_clause (the relation)
        and columns (names as the loader wrote them), and types (each name's data type). A typed column
        (DATE, DECIMAL, TIMESTAMP ...) of a date or a number is used as it is (typed_input_kind);
        any other is cast to text by billing_input, and staging parses that text like a file's.
    -#}
    {%- set declared = source(input_source_name(table_name), table_name) -%}
    {%- set relation = adapter.get_relation(
        database=declared.database, schema=declared.schema, identifier=declared.identifier
    ) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    {{ return({
        'label': billing_input_source_label(declared),
        'from_clause': billing_input_source_from(relation, columns),
        'columns': columns | map(attribute='name') | list,
        'types': column_types_of(columns),
    }) }}
{% endmacro %}


{% macro billing_input_source_from(relation, columns) %}
    {{ return(adapter.dispatch('billing_input_source_from', 'nrr_warehouse')(relation, columns)) }}
{% endmacro %}


{% macro default__billing_input_source_from(relation, columns) %}
    {#- What billing_input selects from: the source table itself. -#}
    {{ return(relation) }}
{% endmacro %}


{% macro duckdb__billing_input_source_from(relation, columns) %}
    {#-
        DuckDB: the table, with each TIMESTAMP WITH TIME ZONE column (dlt's type for a datetime) as
        its UTC timestamp. Cast to text directly it would be written in the session's time zone, and
        midnight UTC would read as the day before wherever that zone is west of UTC.
    -#}
    {%- set zoned = columns | selectattr('dtype', 'in', ['TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'])
        | map(attribute='name') | list -%}
    {%- if zoned | length == 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set replaced = [] -%}
    {%- for name in zoned -%}
        {%- do replaced.append("timezone('UTC', " ~ adapter.quote(name) ~ ') as ' ~ adapter.quote(name)) -%}
    {%- endfor -%}
    {{ return('(select * replace (' ~ replaced | join(', ') ~ ') from ' ~ relation ~ ') as source_table') }}
{% endmacro %}


{% macro billing_input_source_label(relation) %}
    {#- database.schema.table of a source relation, unquoted, as messages name it. -#}
    {{ return([relation.database, relation.schema, relation.identifier] | reject('none') | reject('equalto', '') | join('.')) }}
{% endmacro %}


{% macro locate_billing_input_source(table_name) %}
    {#- The source table of `table_name` (see billing_input_source), or none for an absent optional
        table; an absent required table stops the build naming it, as a missing file does. -#}
    {%- set located = billing_input_source(table_name) -%}
    {%- if located is none and input_table_required(table_name) -%}
        {{ exceptions.raise_compiler_error(
            billing_input_source_label(source(input_source_name(table_name), table_name))
            ~ ': required input table is missing'
        ) }}
    {%- endif -%}
    {{ return(located) }}
{% endmacro %}
