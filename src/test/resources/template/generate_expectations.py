#!/usr/bin/env python3
"""Regenerates the jinja2-rendered expectations used by qwen4j's template tests.

Run from this directory:  python3 generate_expectations.py
Needs only Python 3 with jinja2 (3.1.x). Writes:
  jinja_features.json  - small templates exercising one interpreter feature each, with their output
                         (or the exception type when jinja2 raises)
  chat_renders.json    - conversations rendered with the Qwen3, Qwen3-VL-Instruct and the test
                         Qwen3-VL-Thinking-style template (qwen3_vl_thinking.jinja)
  strftime.json        - strftime outputs for a fixed local time, for the strftime_now global
  float_formats.json   - random doubles (as IEEE bit patterns) with Python's repr, %g, %.4e, %.2f and
                         round(x, 2), for float printing in output, tojson and % formatting
  reasoning_splits.json - assistant texts split into (reasoning, content) by the Qwen3 template's own
                         expressions, for the finished-message splitter and the streaming parser

The environment mirrors how Hugging Face transformers compiles chat templates: an
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and the loopcontrols extension, a
tojson filter that is json.dumps(ensure_ascii=False, ...) and a raise_exception global.
"""
import json
import os
import random
import struct
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN_MODELS = os.path.join(HERE, "..", "golden", "models")


def make_environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


ENV = make_environment()

USERS = [
    {"name": "ann", "age": 31, "active": True},
    {"name": "bob", "age": 25, "active": False},
    {"name": "cy", "age": 40, "active": True},
    {"name": "dee", "age": 25, "active": True},
]
TREE = [
    {"name": "a", "children": [{"name": "a1", "children": []}, {"name": "a2", "children": [{"name": "a2x", "children": []}]}]},
    {"name": "b", "children": []},
]
JSON_DATA = {
    "text": "héllo \"quoted\" \\ back\nnew\ttab \u0001 ctrl 😀 </script>",
    "ints": [0, -1, 12345678901234],
    "floats": [1.0, 0.5, 1e20, 1.5e-7, -2.25, 1e16, 123456.789],
    "flags": [True, False, None],
    "nested": {"empty_list": [], "empty_dict": {}, "deep": {"k": [1, {"z": "y"}]}},
}

# (name, template, variables)
FEATURES = [
    # --- whitespace control: trim_blocks, lstrip_blocks, -/+ markers, comments, raw, newlines
    ("ws_trim_blocks", "{% if true %}\n  yes\n{% endif %}\nafter\n", {}),
    ("ws_lstrip_indented_blocks", "  {% if true %}\n    a\n  {% endif %}\nb", {}),
    ("ws_no_lstrip_after_text", "a  {% if true %}b{% endif %}  c", {}),
    ("ws_minus_both_sides", "x {%- if true -%}\n  y  \n{%- endif -%}\n  z", {}),
    ("ws_plus_disables_lstrip", "  {%+ if true %}x{% endif %}", {}),
    ("ws_plus_disables_trim", "{% if true +%}\nx{% endif +%}\ny", {}),
    ("ws_comment_line", "line\n    {# comment #}\nnext", {}),
    ("ws_comment_minus", "a\n  {#- c -#}  \n b", {}),
    ("ws_comment_at_start", "{# c #}\nx", {}),
    ("ws_variables_not_trimmed", "{{ 'x' }}\n{{ 'y' }}\n  {{ 'z' }}", {}),
    ("ws_variable_minus", "a  {{- 'b' -}}  \n c", {}),
    ("ws_raw", "{% raw %}{{ not parsed }}{% if %}{% endraw %}", {}),
    ("ws_raw_indented", "  {% raw %}\n {{x}}\n  {% endraw %}\n after", {}),
    ("ws_crlf", "a\r\nb\r\n{% if true %}\r\nc{% endif %}\r\n", {}),
    ("ws_single_trailing_newline_dropped", "x\n", {}),
    ("ws_double_trailing_newline", "x\n\n", {}),
    ("ws_for_lines", "{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}\n", {}),
    ("ws_tabs_lstrip", "\t\t{% if true %}x{% endif %}\n\t{% if true %}\ny\n\t{% endif %}", {}),
    ("ws_set_then_text", "{%- set x = 1 %}  \n\t{{ x }}", {}),
    ("ws_inline_block_mid_line", "a {% if true %}b{% endif %}\nc", {}),
    ("ws_multiline_tags", "{{\n  'x'\n  ~ 'y'\n}}{%\n set z = 5\n%}{{ z }}", {}),
    ("ws_nested_indent", "{% for m in ['a', 'b'] %}\n    {% if m == 'a' %}\n        A\n    {% else %}\n        other\n    {% endif %}\n{% endfor %}", {}),
    ("ws_newline_after_variable_then_block", "{{ 'v' }}\n{% if true %}\nin\n{% endif %}\nend", {}),
    ("ws_minus_eats_all_newlines", "a\n\n\n{%- if true %}b{% endif -%}\n\n\nc", {}),
    # --- literals and output formatting
    ("lit_values", "{{ [1, 'two', 3.0, none, true, false] }} {{ {'a': 1, 'b': [2]} }} {{ (1, 2) }} {{ (1,) }} {{ () }}", {}),
    ("lit_strings", "{{ \"dq\" }} {{ 'it\\'s' }} {{ '\\n\\t\\\\'|length }} {{ 'a' 'b' }} {{ True }} {{ None }} {{ False }}", {}),
    ("lit_unicode_escapes", "{{ '\\u00e9\\x41\\U0001F600\\101\\N{BULLET}' }} {{ 'unknown \\d escape' }} {{ 'a\\\\b' }}", {}),
    ("lit_repr_strings", "{{ ['it\\'s', \"say \\\"hi\\\"\", 'both \\' \"', 'tab\\there', 'é', '\\x00', '\\\\', '\\u200b'] }}", {}),
    ("lit_numbers", "{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1.5e3 }} {{ 1E-2 }} {{ 2.50 }} {{ 0 }} {{ 1e5 }}", {}),
    ("lit_float_repr", "{{ [0.1, 1/3, 2/3, 1e22, 1e-7, 123456789012345680.0, 5e-324, 1.7976931348623157e308, 100.0, 1e16, 9999999999999998.0, 0.0001, 0.00001, -0.0] }}", {}),
    ("lit_big_ints", "{{ 2 ** 100 }} {{ 10 ** 20 // 3 }} {{ -(2 ** 64) }} {{ 9223372036854775807 + 1 }}", {}),
    ("lit_nested_repr", "{{ {'k': [1, (2, 'x'), {'n': none}], 'e': {}} }}", {}),
    ("out_variables_from_json", "{{ d }} {{ l }} {{ n }} {{ f }} {{ b }} {{ s }}", {"d": {"x": [1, 2.5, None, True]}, "l": ["a", "b"], "n": 7, "f": 2.0, "b": False, "s": "str"}),
    # --- operators
    ("op_arithmetic", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7 / 2 }} {{ 6 / 3 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }} {{ 5.5 // 2 }} {{ -5.5 % 2 }} {{ 7 % -3 }} {{ true + 1 }}", {}),
    ("op_precedence", "{{ 2 + 3 * 4 ** 2 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ not true == false }} {{ (1 + 2) ~ 3 }} {{ 1 + -3|abs }} {{ 'a'|upper ~ 'b' }} {{ 10 - 2 - 3 }} {{ 100 / 10 / 5 }}", {}),
    ("op_strings_lists", "{{ 'a' + 'b' }} {{ 'a' ~ 1 ~ none ~ true }} {{ 'ab' * 3 }} {{ 2 * 'xy' }} {{ [1] + [2, 3] }} {{ [0] * 3 }} {{ (1,) + (2,) }}", {}),
    ("op_comparisons", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ none == none }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }} {{ 2 >= 2 }} {{ 3 <= 2 }}", {}),
    ("op_membership", "{{ 1 in [1, 2] }} {{ 'b' in 'abc' }} {{ 'k' in {'k': 1} }} {{ 3 not in [1, 2] }} {{ 'z' not in 'abc' }} {{ 1.0 in [1] }} {{ [1] in [[1], 2] }}", {}),
    ("op_logic", "{{ true and 'x' }} {{ false or 'y' }} {{ 0 or '' }}|{{ not none }} {{ none and 1 }} {{ [] or [1] }} {{ 'a' and 'b' and 'c' }} {{ 0 and missing.attr }}", {}),
    ("op_conditional", "{{ 'a' if x else 'b' }} [{{ 'c' if x }}] {{ 'p' if false else 'q' if false else 'r' }} {{ 'yes' if y is defined and y > 1 else 'no' }}", {"x": 0, "y": 2}),
    ("op_unary", "{{ -x }} {{ +x }} {{ - -x }} {{ -(1.5) }} {{ not x }}", {"x": 3}),
    # --- access
    ("access_attr_item", "{{ d.a }} {{ d['a'] }} [{{ d.missing }}] {{ d.get('missing', 'dflt') }} {{ d.get('a') }} {{ d.get('zz') }} {{ l[0].x }} {{ l.0.x }} {{ l[-1].x }}", {"d": {"a": 1, "b": 2}, "l": [{"x": "y"}, {"x": "z"}]}),
    ("access_dict_methods", "{{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {% for k in d %}{{ k }}{% endfor %}", {"d": {"z": 1, "a": 2}}),
    ("access_method_shadows_key", "{{ m['items'] }} {{ m.get('items') }} {{ m['keys'] }}", {"m": {"items": "stored", "keys": 5}}),
    ("access_none_attribute", "[{{ none.foo }}] [{{ n.foo }}]", {"n": None}),
    ("access_slicing", "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ 'hello'[-2:] }} {{ [1,2,3,4][::2] }} {{ [1,2,3][-1] }} {{ [1,2,3][1:] }} {{ 'hello'[:-1] }} {{ [1,2,3][5:] }} [{{ 'abc'[10] }}] {{ [1,2,3,4,5][-2:0:-1] }} {{ 'hello'[1:-1:2] }} {{ (1, 2, 3)[1:] }}", {}),
    ("access_unicode_indexing", "{{ '😀ab'[0] }} {{ '😀ab'|length }} {{ '😀ab'[::-1] }} {{ 'a😀b'[1:] }} {{ '日本語'[1] }}", {}),
    ("access_index_out_of_range", "[{{ l[5] }}] [{{ l[-9] }}] [{{ l[0] }}]", {"l": [1]}),
    # --- undefined
    ("undefined_lenient_uses", "[{{ missing }}] {{ missing is defined }} {{ missing is undefined }} {{ missing|length }} {{ missing|default('d') }} [{% for x in missing %}never{% endfor %}] {{ missing == missing }} {{ missing != 1 }} {{ 'x' if missing else 'y' }} {{ missing is none }} [{{ missing|string }}] [{{ missing|upper }}] {{ missing|list }} [{{ missing|join(',') }}] {{ missing is iterable }} {{ 'a' in missing }} [{{ missing ~ 'x' }}]", {}),
    ("undefined_attribute_of_missing_key", "{{ d.x is defined }} {{ d['x'] is defined }} {{ d.get('x') is none }}", {"d": {}}),
    # --- string methods
    ("str_methods", "{{ s.startswith('He') }} {{ s.endswith(('x', 'd!')) }} {{ s.startswith('lo', 3) }} {{ s.upper() }} {{ s.lower() }} {{ s.title() }} {{ s.split() }} {{ s.split('l') }} {{ s.split('l', 1) }} {{ s.rsplit('l', 1) }} {{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 2) }} {{ s.find('o') }} {{ s.rfind('o') }} {{ s.find('o', 5) }} {{ s.find('zz') }} {{ s.count('l') }} {{ s.strip('H!') }} {{ s.capitalize() }} {{ s.swapcase() }}", {"s": "Hello World!"}),
    ("str_strip_family", "[{{ '  x  '.strip() }}] [{{ '  x  '.lstrip() }}] [{{ '  x  '.rstrip() }}] [{{ '\\n\\nx\\n'.strip('\\n') }}] [{{ 'xxaxx'.strip('x') }}] [{{ '\\u00a0x\\u3000'.strip() }}] [{{ 'abcba'.lstrip('ab') }}]", {}),
    ("str_split_edge_cases", "{{ '  a  b '.split() }} {{ 'a,b,,c'.split(',') }} {{ ''.split(',') }} {{ ''.split() }} {{ 'a b c d'.split(none, 2) }} {{ 'a b c d'.rsplit(none, 1) }} {{ 'a<br>b'.split('<br>') }} {{ 'x.y.z'.rsplit('.', 1)[0] }} {{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'a\\nb\\n'.splitlines(true) }}", {}),
    ("str_misc_methods", "{{ '-'.join(['a', 'b']) }} {{ ''.join('xyz') }} {{ 'a,b'.partition(',') }} {{ 'a,b,c'.rpartition(',') }} {{ 'abc'.removeprefix('a') }} {{ 'abc'.removesuffix('c') }} {{ 'x'.zfill(3) }} {{ '-5'.zfill(4) }} [{{ 'ab'.center(7, '*') }}] [{{ 'ab'.ljust(4) }}] [{{ 'ab'.rjust(4, '.') }}] {{ 'Ab1'.isalnum() }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' \\t'.isspace() }} {{ 'AB'.isupper() }} {{ 'ab1'.islower() }} {{ 'aXa'.index('X') }} {{ 'banana'.count('an') }}", {}),
    ("str_title_variants", "{{ \"they're bill's\".title() }} | {{ \"they're bill's\"|title }} | {{ 'hello-world foo_bar (x)'|title }} | {{ '1st place'.title() }}", {}),
    # --- loops
    ("loop_variables", "{% for x in ['a','b','c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.depth }}|{% endfor %}", {}),
    ("loop_neighbours", "{% for x in [1,2,3] %}{{ loop.previtem|default('-') }}{{ loop.nextitem|default('-') }} {% endfor %}", {}),
    ("loop_cycle_changed", "{% for x in range(5) %}{{ loop.cycle('a', 'b') }}{% endfor %} {% for x in [1,1,2,2,1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}),
    ("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %} {% for x in [1] %}{{ x }}{% else %}empty{% endfor %} {% for x in [1, 2] if x > 5 %}{{ x }}{% else %}filtered-out{% endfor %}", {}),
    ("loop_filter_condition", "{% for x in range(10) if x is odd %}{{ x }}{{ ',' if not loop.last }}{% endfor %} {{ loop is defined }}", {}),
    ("loop_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %} {% for x in [1, 2] %}{% for y in [1, 2, 3] %}{% if y == 2 %}{% break %}{% endif %}{{ x }}{{ y }} {% endfor %}{% endfor %}", {}),
    ("loop_nested_outer", "{% for a in [1,2] %}{% set outer = loop %}{% for b in [3,4] %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}", {}),
    ("loop_recursive", "{% for item in tree recursive %}[{{ item.name }}{% if item.children %}:{{ loop(item.children) }}{% endif %}@{{ loop.depth }}]{% endfor %}", {"tree": TREE}),
    ("loop_over_string_and_dict", "{% for c in 'abc' %}{{ c }}-{% endfor %} {% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", {}),
    ("loop_unpack", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %} {% for (a, b) in [(5, 6)] %}{{ a * b }}{% endfor %}", {}),
    ("loop_reverse_slice_index", "{% for m in messages[::-1] %}{% set i = (messages|length - 1) - loop.index0 %}{{ i }}:{{ m }} {% endfor %}", {"messages": ["a", "b", "c"]}),
    ("loop_neighbour_by_index", "{% for m in ms %}{{ ms[loop.index0 - 1] }}>{{ m }} {% endfor %}", {"ms": ["x", "y", "z"]}),
    # --- assignment and scoping
    ("set_scoping_in_loop", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = x + 10 %}{{ x }} {% endfor %}{{ x }}", {}),
    ("set_scoping_in_if", "{% if true %}{% set y = 'set-in-if' %}{% endif %}{{ y }}", {}),
    ("set_loop_var_reassigned", "{% for tc in calls %}{% if tc.function %}{% set tc = tc.function %}{% endif %}{{ tc.name }} {% endfor %}", {"calls": [{"function": {"name": "f"}}, {"name": "g"}]}),
    ("set_namespace", "{% set ns = namespace(count=0, items=[], flag=false) %}{% for i in range(4) %}{% set ns.count = ns.count + i %}{% if i == 2 %}{% set ns.flag = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.items }} {{ ns.flag }}", {}),
    ("set_namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }} {{ ns['a'] }}", {}),
    ("set_tuples", "{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set c = 1, 2 %}{{ c }} {% set (d, e) = ['x', 'y'] %}{{ e }}{{ d }}", {}),
    ("set_block", "{% set block %}  hello {{ 'world' }}  {% endset %}[{{ block }}]{% set up | upper | trim %} shout {% endset %}[{{ up }}]", {}),
    ("set_block_scoping", "{% set x = 1 %}{% set y %}{% set x = 2 %}{{ x }}{% endset %}{{ x }}{{ y }}", {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% set c = 3 %}{% endwith %}|{{ a }}|{{ c }}|", {}),
    ("filter_block", "{% filter upper %}shout {{ 'this' }}{% endfilter %} {% filter trim|replace(' ', '_') %}  a b  {% endfilter %}", {}),
    ("print_statement", "{% print 'a', 1 + 1 %}", {}),
    # --- macros
    ("macro_defaults_and_keywords", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }} {{ greet(name='Cy') }}", {}),
    ("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}", {}),
    ("macro_missing_argument", "{% macro m(a, b) %}[{{ a }}][{{ b }}][{{ b is defined }}]{% endmacro %}{{ m(1) }}", {}),
    ("macro_default_uses_earlier_param", "{% macro m(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ m(3) }} {{ m(3, 1) }}", {}),
    ("macro_recursive_schema", "{%- macro py_type(schema) -%}\n{%- if schema.type == 'array' -%}list[{{ py_type(schema['items']) }}]\n{%- elif schema.type == 'object' -%}dict[str, {{ py_type(schema.additionalProperties) if schema.additionalProperties is defined else 'Any' }}]\n{%- elif schema.type == 'string' -%}str\n{%- else -%}Any{%- endif -%}\n{%- endmacro -%}\n{{ py_type({'type': 'array', 'items': {'type': 'string'}}) }} {{ py_type({'type': 'object'}) }} {{ py_type({'type': 'object', 'additionalProperties': {'type': 'array', 'items': {}}}) }}", {}),
    ("macro_sees_definition_scope", "{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 2 %}{{ m() }} {% for x in [3] %}{{ m() }}{% endfor %}", {}),
    ("macro_defined_in_loop", "{% for i in [1, 2] %}{% set y = i * 10 %}{% macro m() %}{{ y }}{% endmacro %}{{ m() }} {% endfor %}", {}),
    ("macro_call_block", "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %} {% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}({{ x }}){% endcall %}", {}),
    ("macro_whitespace", "{% macro line(t) %}\n  - {{ t }}\n{% endmacro %}\n{{ line('a') }}{{ line('b') }}", {}),
    # --- filters
    ("filter_sort", "{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ users|sort(attribute='age')|map(attribute='name')|join(',') }}", {"users": USERS}),
    ("filter_first_last_length", "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ 'abc'|last }} [{{ []|first }}] {{ [1,2,3]|length }} {{ 'héllo'|length }} {{ {'a': 1}|length }} {{ [1,2]|count }} {{ {'k': 1}|first }}", {}),
    ("filter_join", "{{ [1, 2, 3]|join }} {{ [1, 2, 3]|join(', ') }} {{ users|join(', ', attribute='name') }} {{ ['a', none, true]|join('-') }}", {"users": USERS}),
    ("filter_reverse_sum", "{{ [1, 2, 3]|reverse|list }} {{ 'abc'|reverse }} {{ [1, 2, 3]|sum }} {{ [1.5, 2]|sum }} {{ users|sum(attribute='age') }} {{ [1, 2]|sum(start=10) }} {{ {'a': 1, 'b': 2}|reverse|list }}", {"users": USERS}),
    ("filter_min_max", "{{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ ['b', 'A']|min }} {{ ['b', 'A']|max }} {{ ['b', 'A']|max(case_sensitive=true) }} {{ users|max(attribute='age') }} [{{ []|max }}]", {"users": USERS}),
    ("filter_unique", "{{ [1, 2, 2, 3, 1]|unique|list }} {{ ['a', 'A', 'b']|unique|list }} {{ ['a', 'A', 'b']|unique(case_sensitive=true)|list }} {{ users|unique(attribute='age')|map(attribute='name')|list }}", {"users": USERS}),
    ("filter_numbers", "{{ -3|abs }} {{ (-3)|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(0, 'floor') }} {{ 5|round }} {{ 1234|round(-2) }} {{ -0.5|round }} {{ 1.25|round(1) }}", {}),
    ("filter_int_float", "{{ '42'|int }} {{ '42.9'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '0x1A'|int(0, 16) }} {{ '1A'|int(base=16) }} {{ ' 12 '|int }} {{ 3.99|int }} {{ -3.99|int }} {{ true|int }} {{ '3.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ '1_000'|int }} {{ none|int }} {{ '1e3'|float }} {{ ' -2.5 '|float }}", {}),
    ("filter_strings", "{{ 'hello world'|capitalize }} {{ 'HELLO'|lower }} {{ 'hello'|upper }} [{{ '  pad  '|trim }}] [{{ 'xxhixx'|trim('x') }}] {{ 'a-b-c'|replace('-', '+') }} {{ 'a-b-c'|replace('-', '+', 1) }} {{ 'one two  three'|wordcount }} [{{ 'hi'|center(6) }}] {{ 'aaa'|replace('a', 'bb') }} {{ 5|replace('5', 'five') }}", {}),
    ("filter_string_safe_escape", "{{ none|string }} {{ 12|string }} {{ [1, 'a']|string }} {{ 'x'|safe }} {{ '<a href=\"x\">&\\''|e }} {{ 'a'|escape }} {{ [1]|safe }}", {}),
    ("filter_default", "{{ none|default('d') }} [{{ ''|default('d') }}] {{ ''|default('d', true) }} {{ 0|d('zero', boolean=true) }} {{ false|default('f') }} {{ missing|d }}|", {}),
    ("filter_dictsort_items", "{{ {'b': 2, 'a': 1, 'C': 3}|dictsort }} {{ {'b': 2, 'a': 1, 'C': 3}|dictsort(true) }} {{ {'b': 2, 'a': 1}|dictsort(by='value', reverse=true) }} {{ {'x': 1, 'y': 2}|items|list }} {{ missing|items|list }}", {}),
    ("filter_select_reject", "{{ users|selectattr('active')|map(attribute='name')|list }} {{ users|rejectattr('active')|map(attribute='name')|list }} {{ users|selectattr('age', 'gt', 30)|map(attribute='name')|list }} {{ users|selectattr('age', 'equalto', 25)|list|length }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('even')|list }} {{ [0, 1, '', 'a', none]|select|list }} {{ users|selectattr('name', 'in', ['bob', 'cy'])|map(attribute='age')|list }}", {"users": USERS}),
    ("filter_map", "{{ ['a', 'b']|map('upper')|list }} {{ users|map(attribute='missing', default='?')|list }} {{ [[1, 2], [3]]|map('length')|list }} {{ ['1', '2']|map('int')|sum }} {{ [{'f': {'n': 1}}, {'f': {'n': 2}}]|map(attribute='f.n')|list }} {{ [[1, 2], [3, 4]]|map(attribute='1')|list }} {{ ['a,b', 'c']|map('replace', ',', ';')|list }}", {"users": USERS}),
    ("filter_indent", "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(width='> ', blank=true) }}|{{ 'a\\nb\\n'|indent(first=true) }}|{{ ''|indent(first=true) }}|", {}),
    ("filter_tojson", "{{ data|tojson }}", {"data": JSON_DATA}),
    ("filter_tojson_indent", "{{ data|tojson(indent=2) }}|{{ [1, [2, []], {}]|tojson(indent=0) }}|{{ {'a': 1}|tojson(indent='\\t') }}", {"data": JSON_DATA}),
    ("filter_tojson_options", "{{ data|tojson(sort_keys=true) }} {{ data.nested|tojson(separators=(',', ':')) }} {{ 'é😀\\u007f'|tojson(ensure_ascii=true) }} {{ (1, 2)|tojson }} {{ {1: 'a', none: 'n', 2.5: 'f', false: 'b'}|tojson }} {{ 'plain'|tojson }} {{ none|tojson }}", {"data": JSON_DATA}),
    ("filter_format_and_percent", "{{ '%s and %s'|format('a', 'b') }} {{ '%(x)s!'|format(x=1) }} {{ '%5.2f|%-5d|%05d|%x|%o|%e|%g|%g|%r|%c|%%'|format(3.14159, 42, -42, 255, 8, 12345.678, 0.00001234, 1234567.0, 'q', 65) }} {{ 'v=%d' % 3 }} {{ '%s-%s' % (1, 2) }} {{ '%.3s' % 'abcdef' }} {{ '%+d % d' % (5, 5) }} {{ '%#x %#o %X' % (255, 8, 255) }} {{ '%10.4e' % 1234.5 }} {{ '%G' % 1e-10 }} {{ '%.0f %.0f %.1f' % (0.5, 1.5, 0.25) }} {{ '%s' % [1, 2] }} {{ '%(a)s-%(b)d' % {'a': 'x', 'b': 2} }} {{ '%g %g %g %.3g' % (100000, 1000000, 0.0001, 3.14159) }} {{ '%d' % 3.9 }} {{ '%i|%5s|%-5s|' % (7, 'ab', 'cd') }}", {}),
    ("filter_batch_attr", "{{ [1,2,3,4,5]|batch(2)|list }} {{ [1,2,3]|batch(2, 'x')|list }} {{ ({'a': 1}|attr('a')) is defined }} {{ 'abc'|attr('upper') is callable }}", {}),
    ("filter_list", "{{ 'ab'|list }} {{ {'k': 1, 'j': 2}|list }} {{ (1, 2)|list }} {{ [3]|list }}", {}),
    # --- Markup (safe/escape) and one-shot iterators returned by filters
    ("markup_concatenation", "{{ 'a<'|safe + '<b>' }} {{ '<'|e }} {{ ('<'|e)|e }} {{ '%s'|safe % '<x>' }} {{ ('x'|safe) ~ '<' }} {{ 'x'|safe is string }} {{ ('<'|safe)|length }} {{ '<' + ('&'|safe) }} {{ ('a'|safe) * 2 + '<' }} {{ ('%s & %r'|safe)|format('<', '>') }} {{ ('<'|safe) == '<' }} {{ '<'|forceescape }}", {}),
    ("markup_function_description", "{{ \"Use '\"|safe + t.name + \"' to '\"|safe + t.description + \"'\\n\"|safe + t | tojson() }}", {"t": {"name": "f<x>", "description": "say \"hi\" & 'bye'"}}),
    ("iterator_semantics", "{{ [1, 2]|map('string')|list }} {{ 'yes' if []|select else 'no' }} {% set g = [1, 2, 3]|select %}{{ g|list }}{{ g|list }} {{ none|map('upper')|list }} {{ none|selectattr('x')|list }} {{ 2 in [1, 2, 3]|select }} {% set h = [1, 2, 3]|select %}{{ h|first }}{{ h|list }} {{ [1, 2, 3]|reverse|join(',') }} {{ {'a': 1, 'b': 2}|reverse|list }} {% for x in 'abc'|reverse %}{{ x }}{% endfor %} {{ [3, 1]|unique|sort }} {{ [1, 2]|select is iterable }} {{ [1, 2]|select is sequence }}", {}),
    ("error_length_of_generator", "{{ [1]|map('string')|length }}", {}),
    ("error_tojson_of_generator", "{{ [1]|select|tojson }}", {}),
    ("error_length_of_reversed_list", "{{ [1, 2]|reverse|length }}", {}),
    ("error_last_of_generator", "{{ [1]|select|last }}", {}),
    ("error_unique_of_none", "{{ none|unique|list }}", {}),
    # --- unknown filters/tests: jinja2 defers the error to run time inside if statements and conditional expressions
    ("unknown_filter_guarded_by_if", "{% if false %}{{ x|from_json }}{% elif false %}{{ y is nosuchtest }}{% endif %}ok {{ x|from_json if false else 'fallback' }} {{ 'yes' if true else x|nosuch }}", {"x": "{}"}),
    ("error_unknown_filter_runs_in_if", "{% if true %}{{ 'x'|nosuch }}{% endif %}", {}),
    ("error_unknown_filter_in_loop_inside_if", "{% if false %}{% for i in [1] %}{{ i|nosuch }}{% endfor %}{% endif %}", {}),
    ("error_unknown_filter_in_macro_inside_if", "{% if false %}{% macro m() %}{{ 1|nosuch }}{% endmacro %}{% endif %}", {}),
    # --- tests
    ("tests_types", "{{ 1 is number }} {{ 1.5 is float }} {{ 1 is integer }} {{ true is integer }} {{ true is number }} {{ true is boolean }} {{ 'x' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 'x' is iterable }} {{ 3 is iterable }} {{ [] is sequence }} {{ {} is sequence }} {{ 3 is sequence }} {{ none is none }} {{ range is callable }} {{ 'x' is callable }} {{ 1.0 is integer }}", {}),
    ("tests_values", "{{ false is false }} {{ 0 is false }} {{ true is true }} {{ 1 is true }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ 2 is in [1, 2] }} {{ 1 is eq 1 }} {{ 1 is equalto 1.0 }} {{ 2 is gt 1 }} {{ 2 is lessthan 1 }} {{ 2 is ge 2 }} {{ 2 is ne 2 }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aBc' is lower }} {{ none is sameas none }} {{ true is sameas true }} {{ x is not defined }} {{ 1 is not string }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ 'nope' is filter }}", {}),
    ("tests_in_conditions", "{% if enable_thinking is defined and enable_thinking is false %}off{% else %}on{% endif %} {% if a is defined and a is not none %}a={{ a }}{% endif %} {% if b is string %}b is str{% endif %}", {"enable_thinking": False, "a": 0, "b": "s"}),
    # --- globals
    ("global_range_dict_namespace", "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ range(0)|list }} {% for i in range(2) %}{{ i }}{% endfor %} {{ dict(a=1, b=2) }} {{ dict([('x', 1)]) }} {{ namespace(v=1).v }}", {}),
    ("global_functions_from_variables", "{{ greeting|default('none given') }} {{ messages|length }}", {"messages": []}),
    # --- comments
    ("comments", "a{# inline #}b{#- trimmed -#}  c {# multi\nline #}d", {}),
    # --- errors jinja2 raises while rendering (the Java side must raise too)
    ("error_int_plus_str", "{{ 1 + 'a' }}", {}),
    ("error_str_plus_int", "{{ 'a' + 1 }}", {}),
    ("error_concat_binds_tighter_than_plus", "{{ 1 + 2 ~ 3 }}", {}),
    ("error_division_by_zero", "{{ 1 / 0 }}", {}),
    ("error_floor_division_by_zero", "{{ 1 // 0 }}", {}),
    ("error_list_append_unsafe", "{{ [1].append(2) }}", {}),
    ("error_dict_update_unsafe", "{{ {}.update({'a': 1}) }}", {}),
    ("error_len_of_none", "{{ none|length }}", {}),
    ("error_iterate_int", "{% for x in 5 %}{% endfor %}", {}),
    ("error_order_int_str", "{{ 1 < 'a' }}", {}),
    ("error_unpack_too_few", "{% set a, b = [1] %}", {}),
    ("error_assign_attribute_on_non_namespace", "{% set x = 1 %}{% set x.y = 2 %}", {}),
    ("error_attribute_of_undefined", "{{ missing.attr }}", {}),
    ("error_attribute_of_missing_attribute", "{{ d.x.y }}", {"d": {}}),
    ("error_call_undefined", "{{ missing() }}", {}),
    ("error_add_undefined", "{{ missing + 1 }}", {}),
    ("error_string_method_on_undefined", "{{ d.content.startswith('x') }}", {"d": {}}),
    ("error_raise_exception", "{{ raise_exception('Conversation roles must alternate') }}", {}),
    ("error_tojson_undefined", "{{ missing|tojson }}", {}),
    ("error_items_of_list", "{{ [1]|items|list }}", {}),
    ("error_macro_too_many_args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", {}),
    ("error_macro_unknown_keyword", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}", {}),
    ("error_not_callable", "{{ 'x'() }}", {}),
    ("error_in_string_requires_string", "{{ 1 in 'abc' }}", {}),
    ("error_range_too_big", "{{ range(200000)|length }}", {}),
    ("error_percent_not_enough_arguments", "{{ '%s %s' % 'a' }}", {}),
    ("error_int_of_inf", "{{ (x * 1e308)|int }}", {"x": 10}),
]

STRFTIME_FORMATS = ["%d %b %Y", "%Y-%m-%d %H:%M:%S", "%A, %B %e %I:%M %p", "%j %y %u %w %%",
                    "%-d/%-m/%Y", "%a %c", "%F %T %D %R", "[%Z][%z]", "%_d|%e|%Q"]
STRFTIME_TIME = datetime(2024, 3, 5, 14, 7, 9)


ASSISTANT_TEXTS = [
    "<think>\nLet me think.\n</think>\n\nThe answer is 4.",
    "<think>\n\n</think>\n\nDirect answer.",
    "No thinking at all.",
    "",
    "<think>\nmulti\n\nline\n\n</think>\n\n\nanswer\nwith\nlines\n",
    "reasoning opened by the prompt\n</think>\n\nanswer",
    "</think>answer only",
    "<think>a</think>b",
    "<think>\nfirst</think>middle<think>second</think>\nlast",
    "<think>\nnested <think> tag\n</think>\n\nok",
    "<think>unterminated reasoning",
    "text <think>\ninner\n</think>\n\nafter",
    "<think>\n\u601d\u8003 \U0001F914 \n</think>\n\n\u7b54\u6848 \u2705",
    "<think>\nends with newlines\n\n\n</think>",
    "<th ink> not a tag </thin k>",
]

# The exact expressions of the Qwen3 chat template for an assistant message without reasoning_content.
SPLIT_TEMPLATE = (
    "{%- if '</think>' in text %}"
    "{%- set content = text.split('</think>')[-1].lstrip('\\n') %}"
    "{%- set reasoning = text.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}"
    "{%- else %}{%- set content = text %}{%- set reasoning = '' %}{%- endif %}"
    "{{- [reasoning, content]|tojson }}"
)


def split_assistant_text(text):
    reasoning, content = json.loads(ENV.from_string(SPLIT_TEMPLATE).render(text=text))
    return {"text": text, "reasoning": reasoning, "content": content}


def float_cases(count=400, seed=20240305):
    rng = random.Random(seed)
    values = [0.1, 0.5, 1.0, 2.5, 1e16, 1e15, 9.999999999999999e22, 1e-4, 1e-5, 5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, 123456789.123456789, 0.3, 2.675, 1.005, 1234.5]
    while len(values) < count:
        kind = rng.random()
        if kind < 0.4:
            value = struct.unpack(">d", struct.pack(">Q", rng.getrandbits(63)))[0]
        elif kind < 0.7:
            value = rng.uniform(-1e6, 1e6)
        else:
            value = round(rng.uniform(-1000, 1000), rng.randint(0, 6))
        if value == value and abs(value) != float("inf"):
            values.append(value)
    return [{"bits": struct.pack(">d", v).hex(), "repr": repr(v), "g": "%g" % v, "e": "%.4e" % v,
             "f": "%.2f" % v, "round2": repr(round(v, 2))} for v in values]


def render_feature(name, template, variables):
    case = {"name": name, "template": template, "variables": variables}
    try:
        case["expected"] = ENV.from_string(template).render(**variables)
    except Exception as error:  # noqa: BLE001 - the exception type is the expectation
        case["error"] = type(error).__name__
        case["message"] = str(error)
    return case


def read_template(kind):
    if kind == "qwen3":
        with open(os.path.join(GOLDEN_MODELS, "tiny-qwen3", "tokenizer_config.json"), encoding="utf-8") as f:
            return json.load(f)["chat_template"]
    if kind == "qwen3_vl":
        with open(os.path.join(GOLDEN_MODELS, "tiny-qwen3-vl", "chat_template.json"), encoding="utf-8") as f:
            return json.load(f)["chat_template"]
    with open(os.path.join(HERE, "qwen3_vl_thinking.jinja"), encoding="utf-8") as f:
        return f.read()


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Météo actuelle — current weather",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City, e.g. \"Paris\""},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "description": "Current time",
                                              "parameters": {"type": "object", "properties": {}}}}

THINKING_HISTORY = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is 2+2?"},
    {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n4."},
    {"role": "user", "content": "And 3+3? /think"},
    {"role": "assistant", "content": "6.", "reasoning_content": "Add again."},
    {"role": "user", "content": "Thanks 😀 谢谢"},
]
TOOL_LOOP = [
    {"role": "system", "content": "Use tools when needed."},
    {"role": "user", "content": "Weather in Paris and the time?"},
    {"role": "assistant", "content": "<think>\nNeed two tools.\n</think>\n\nLet me check.", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}},
        {"type": "function", "function": {"name": "get_time", "arguments": "{\"tz\": \"Europe/Paris\"}"}}]},
    {"role": "tool", "content": "{\"temp\": 21, \"sky\": \"clair\"}"},
    {"role": "tool", "content": "14:07"},
    {"role": "assistant", "content": "", "reasoning_content": "Both answered.", "tool_calls": [
        {"name": "get_weather", "arguments": {"city": "Lyon"}}]},
    {"role": "tool", "content": "{\"temp\": 19}"},
]
TOOL_RESPONSE_AS_USER = [
    {"role": "user", "content": "Check the weather."},
    {"role": "assistant", "content": "<think>\ncall it\n</think>\n\n", "tool_calls": [
        {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]},
    {"role": "user", "content": "<tool_response>\nsunny\n</tool_response>"},
    {"role": "assistant", "content": "<think>\ndone\n</think>\n\nIt is sunny in Rome."},
]
VL_PARTS = [
    {"role": "system", "content": [{"type": "text", "text": "You describe "}, {"type": "text", "text": "images."}]},
    {"role": "user", "content": [
        {"type": "image", "image": "file:///a.png"},
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "http://x/b.png"}}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Two pictures."}]},
    {"role": "user", "content": [
        {"type": "video", "video": "file:///c.mp4"},
        {"image": "file:///d.png"},
        {"type": "text", "text": "And these?"}]},
]
VL_TOOL_IMAGE = [
    {"role": "user", "content": [{"type": "text", "text": "Take a photo."}]},
    {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "camera", "arguments": {}}}]},
    {"role": "tool", "content": [{"type": "image", "image": "file:///p.png"}, {"type": "text", "text": "photo taken"}]},
]
VL_THINKING_HISTORY = [
    {"role": "user", "content": [{"type": "image", "image": "a.png"}, {"type": "text", "text": "Describe."}]},
    {"role": "assistant", "content": "A cat.</think>\n\nIt is a cat."},
    {"role": "user", "content": "Colour?"},
    {"role": "assistant", "content": "<think>\nLook.\n</think>\n\nOrange."},
]

CHATS = [
    ("qwen3", "thinking_history", THINKING_HISTORY, None, {"add_generation_prompt": True}),
    ("qwen3", "thinking_history_last_assistant", THINKING_HISTORY[:5], None, {}),
    ("qwen3", "thinking_disabled", THINKING_HISTORY, None, {"add_generation_prompt": True, "enable_thinking": False}),
    ("qwen3", "thinking_enabled_explicitly", THINKING_HISTORY[:2], None, {"add_generation_prompt": True, "enable_thinking": True}),
    ("qwen3", "tool_loop", TOOL_LOOP, [WEATHER_TOOL, TIME_TOOL], {"add_generation_prompt": True}),
    ("qwen3", "tool_loop_no_system", TOOL_LOOP[1:], [WEATHER_TOOL], {"add_generation_prompt": False}),
    ("qwen3", "tool_response_as_user", TOOL_RESPONSE_AS_USER, [WEATHER_TOOL], {"add_generation_prompt": True}),
    ("qwen3", "spec_example_history", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nHello!"}, {"role": "user", "content": "More?"}], None, {"add_generation_prompt": True}),
    ("qwen3_vl", "tool_loop", TOOL_LOOP, [WEATHER_TOOL, TIME_TOOL], {"add_generation_prompt": True}),
    ("qwen3_vl", "parts", VL_PARTS, None, {"add_generation_prompt": True}),
    ("qwen3_vl", "parts_vision_ids", VL_PARTS, None, {"add_generation_prompt": True, "add_vision_id": True}),
    ("qwen3_vl", "parts_with_tools", VL_PARTS, [WEATHER_TOOL], {"add_generation_prompt": False}),
    ("qwen3_vl", "tool_image_response", VL_TOOL_IMAGE, [WEATHER_TOOL], {"add_generation_prompt": True, "add_vision_id": True}),
    ("qwen3_vl_thinking", "history", VL_THINKING_HISTORY, None, {"add_generation_prompt": True}),
    ("qwen3_vl_thinking", "last_assistant", VL_THINKING_HISTORY, None, {}),
    ("qwen3_vl_thinking", "parts_vision_ids", VL_PARTS, None, {"add_generation_prompt": True, "add_vision_id": True}),
    ("qwen3_vl_thinking", "tool_loop", TOOL_LOOP, [WEATHER_TOOL, TIME_TOOL], {"add_generation_prompt": True}),
    ("qwen3_vl_thinking", "single_user", [{"role": "user", "content": "Hi"}], None, {"add_generation_prompt": True}),
]


def render_chat(kind, name, messages, tools, kwargs):
    template = ENV.from_string(read_template(kind))
    variables = {"add_generation_prompt": False, "documents": None, **kwargs}
    rendered = template.render(messages=messages, tools=tools, **variables)
    return {"template": kind, "name": name, "messages": messages, "tools": tools, "kwargs": kwargs,
            "rendered": rendered}


def write(name, value):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    write("jinja_features.json", {"jinja2_version": jinja2.__version__,
                                  "cases": [render_feature(*case) for case in FEATURES]})
    write("chat_renders.json", {"jinja2_version": jinja2.__version__,
                                "cases": [render_chat(*chat) for chat in CHATS]})
    write("float_formats.json", {"cases": float_cases()})
    write("reasoning_splits.json", {"cases": [split_assistant_text(t) for t in ASSISTANT_TEXTS]})
    write("strftime.json", {"time": STRFTIME_TIME.isoformat(),
                            "cases": [{"format": f, "expected": STRFTIME_TIME.strftime(f)} for f in STRFTIME_FORMATS]})


if __name__ == "__main__":
    main()
