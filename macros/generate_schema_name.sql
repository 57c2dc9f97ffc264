{% macro generate_schema_name(custom_schema_name, node) -%}
    {#-
        Use the folder's schema name as it is (`marts`, not `main_marts`): the schema names are part of
        the public interface in SPEC section 7. Nodes without a custom schema go to the target schema.
    -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
