#!/usr/bin/env python3
"""Writes expected.json and features.json for tests/unit/jinja_test.cpp with real Python jinja2.

The environment is the one transformers' apply_chat_template builds
(src/transformers/utils/chat_template_utils.py, _compile_jinja_template):
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[..., loopcontrols]),
filters["tojson"] = json.dumps(x, ensure_ascii=False, indent, separators, sort_keys),
globals raise_exception and strftime_now (here fixed to 2024-09-03 12:00:00 so renders are
deterministic; the C++ test passes the same moment to JinjaTemplate::set_strftime_now).

Contexts are normalised to sorted-key JSON before rendering, because the C++ side reads them
with nlohmann::json (sorted object keys), so dict iteration and tojson agree.

Run:  /usr/bin/python3 -m venv /tmp/jinja-venv && /tmp/jinja-venv/bin/pip install jinja2
      /tmp/jinja-venv/bin/python tests/unit/chat_templates/make_expected.py
"""
import datetime
import json
import os

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_NOW = datetime.datetime(2024, 9, 3, 12, 0, 0)


def make_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_env()


def norm(ctx):
    return json.loads(json.dumps(ctx, sort_keys=True))


def render(source, ctx):
    try:
        return {"expected": ENV.from_string(source).render(**ctx)}
    except Exception as e:  # noqa: BLE001 - any jinja2 failure is an expected error
        return {"error": f"{type(e).__name__}: {e}"}


# ---------------------------------------------------------------- chat templates

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name, e.g. Paris"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
]
TOOL_CALL = {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}

SINGLE = [{"role": "user", "content": "What is 2+3?"}]
SYSTEM = [{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "Name a prime."}]
MULTI = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "  Hi there!  "},
    {"role": "assistant", "content": "Hello! How can I help?"},
    {"role": "user", "content": "Grüße, 你好 🙂 — \"quotes\" and 'apostrophes'\nsecond line\n"},
]
THINK = [
    {"role": "user", "content": "What is 7*6?"},
    {"role": "assistant", "content": "<think>\n7*6 is 42.\n</think>\n\nThe answer is 42."},
    {"role": "user", "content": "And 6*7?"},
]
TOOL_DEF = [{"role": "user", "content": "What's the weather in Paris?"}]
TOOL_USE = [
    {"role": "system", "content": "Use tools when needed."},
    {"role": "user", "content": "What's the weather in Paris?"},
    {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
    {"role": "tool", "content": "{\"temperature\": 21, \"sky\": \"clear\"}"},
    {"role": "user", "content": "Thanks!"},
]

TEMPLATES = {
    "LLaDA-8B-Instruct": {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "tools": False, "think": False},
    "Qwen2.5-7B-Instruct": {"eos_token": "<|im_end|>", "tools": True, "think": False},
    "Qwen3-8B": {"eos_token": "<|im_end|>", "tools": True, "think": True},
    "Llama-3.1-8B-Instruct": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "tools": True, "think": False},
}


def chat_cases():
    out = []
    for name, info in TEMPLATES.items():
        path = os.path.join(HERE, name + ".jinja")
        if not os.path.exists(path):
            continue
        source = open(path, encoding="utf-8").read()
        convs = [("single", SINGLE, {}), ("system", SYSTEM, {}), ("multi", MULTI, {})]
        if info["think"]:
            convs.append(("think", THINK, {}))
            convs.append(("no_thinking", SINGLE, {"enable_thinking": False}))
        if info["tools"]:
            convs.append(("tool_def", TOOL_DEF, {"tools": TOOLS}))
            convs.append(("tool_call", TOOL_USE, {"tools": TOOLS}))
        for cname, messages, extra in convs:
            for agp in (True, False):
                ctx = {"messages": messages, "add_generation_prompt": agp}
                for tok in ("bos_token", "eos_token"):
                    if tok in info:
                        ctx[tok] = info[tok]
                ctx.update(extra)
                ctx = norm(ctx)
                rec = {"template": name, "case": f"{cname}/agp={'true' if agp else 'false'}", "context": ctx}
                rec.update(render(source, ctx))
                out.append(rec)
    return out


# ---------------------------------------------------------------- language features

F = []


def feat(name, source, ctx=None):
    F.append((name, source, ctx or {}))


msgs = [{"role": "system", "content": "sys"}, {"role": "user", "content": " hi "}, {"role": "assistant", "content": "yo"}]
feat("text_only", "hello world\n")
feat("trailing_two_newlines", "a\n\n")
feat("crlf", "a\r\nb\rc")
feat("print_vars", "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{{ missing }}", {"a": 1, "b": 1.5, "c": "s", "d": True, "e": None})
feat("floats", "{{ 1.0 }} {{ 2.5e10 }} {{ 1e16 }} {{ 1.5e-5 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 10/2 }} {{ -0.0 }} {{ 123456789.123 }}")
feat("ints", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2**10 }} {{ 2**3**2 }} {{ -2**2 }} {{ 2**-1 }} {{ 7.5 // 2 }} {{ 7.5 % 2 }}")
feat("bool_arith", "{{ True + 1 }} {{ true == 1 }} {{ 1 == 1.0 }} {{ False * 3 }}")
feat("literals", "{{ [1, 'a', none, True, 1.5, [2]] }} {{ {'k': 'v', 'n': 1} }} {{ (1, 2) }} {{ (1,) }} {{ () }} {{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }}")
feat("string_escapes", "{{ 'a\\tb\\nc\\\\d\\x41\\u00e9\\101' }}|{{ 'unknown \\d escape' }}|{{ 'x' 'y' \"z\" }}")
feat("repr_strings", "{{ ['a\\'b', 'c\"d', 'e\\nf', 'ü', 'both\\'\"'] }}")
feat("concat_tilde", "{{ 'a' ~ 1 ~ none ~ missing ~ 1.0 }}")
feat("compare", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 1 != 2 }} {{ 'x' == 'x' }} {{ none == none }}")
feat("in_ops", "{{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'k' in {'k':1} }} {{ 'z' not in 'abc' }} {{ 3 not in [1] }} {{ 'x' in missing }}")
feat("logic", "{{ 1 and 2 }} {{ 0 and 2 }} {{ 0 or 'b' }} {{ '' or [] }} {{ not 0 }} {{ not [1] }} {{ none or 'dflt' }}")
feat("condexpr", "{{ 'y' if x else 'n' }}|{{ 'y' if not x else 'n' }}|{{ 'only' if false }}|{{ 1 if x else 2 if y else 3 }}", {"x": 0, "y": 1})
feat("truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, {'a':1}, none, 0.0, 0.1] %}{{ 'T' if v else 'F' }}{% endfor %}")
feat("if_elif_else", "{% for i in [1,2,3] %}{% if i == 1 %}one{% elif i == 2 %}two{% else %}many{% endif %},{% endfor %}")
feat("for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}")
feat("for_prev_next", "{% for x in [1,2,3] %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}")
feat("for_cycle", "{% for x in range(5) %}{{ loop.cycle('a','b') }}{% endfor %}")
feat("for_filter", "{% for m in msgs if m.role != 'system' %}{{ loop.index }}:{{ m.role }}/{{ loop.length }} {% endfor %}", {"msgs": msgs})
feat("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in [1] if x > 5 %}x{% else %}none-kept{% endfor %}")
feat("for_dict_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k in d %}{{ k }}{% endfor %}|{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %}", {"d": {"b": 2, "a": 1, "c": 3}})
feat("for_tuple_unpack", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }},{% endfor %}{% for (a, b) in [(5, 6)] %}{{ a * b }}{% endfor %}")
feat("for_nested_loop", "{% for a in [1,2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}")
feat("break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}")
feat("loop_scoping", "{% set x = 5 %}{% for i in [1,2,3] %}[{{ x }}]{% set x = i %}{{ x }}{% endfor %}|{{ x }}|{{ i }}")
feat("if_scoping", "{% if true %}{% set y = 'set-in-if' %}{% endif %}{{ y }}")
feat("namespace", "{% set ns = namespace(count=0, found=false) %}{% for m in msgs %}{% set ns.count = ns.count + 1 %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.nothing }}", {"msgs": msgs})
feat("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 1, 2 %}{{ c }}")
feat("set_block", "{% set body %}  inner {{ 1 + 1 }}  {% endset %}[{{ body }}]{% set t | trim | upper %}  shout  {% endset %}[{{ t }}]")
feat("macro", "{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', '?') }} {{ greet(punct='.', name='Cy') }} {{ greet() }}")
feat("macro_outer_vars", "{% set y = 7 %}{% macro m(a, b=a*2) %}{{ a }}{{ b }}{{ y }}{{ z }}{% endmacro %}{% set z = 9 %}{{ m(1) }}{{ m(1, b=3) }}")
feat("macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * (fact(n - 1) | int) }}{% endif %}{% endmacro %}{{ fact(6) }}")
feat("filter_block", "{% filter upper %}shout {{ 'me' }}{% endfilter %}")
feat("with_block", "{% set a = 1 %}{% with a = 2, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}")
feat("raw_block", "{% raw %}{{ not rendered }}{% endraw %}|\n  {% raw -%}  x  {%- endraw %}|")
feat("comments", "a{# a comment #}b{#- strip -#}  c {# with {{ braces }} #}d")
feat("ws_control", "a   {{- 'b' -}}   c  {%- if true -%}  d  {%- endif -%}  e\n  {{ 'f' }}  \n")
feat("ws_plus", "x\n    {%+ if true %}y{% endif +%}\nz")
feat("trim_lstrip", "<ul>\n    {% for i in [1,2] %}\n    <li>{{ i }}</li>\n    {% endfor %}\n</ul>\n    {# comment line #}\nend")
feat("lstrip_not_vars", "line\n    {{ 'var' }}\n    {% if true %}blk{% endif %}\n")
feat("lstrip_midline", "text {% if true %}x{% endif %}   {% if true %}y{% endif %}\n  \t{% if true %}z{% endif %}")
feat("first_line_lstrip", "   {% if true %}A{% endif %}")
feat("attr_and_item", "{{ m.role }} {{ m['content'] }} {{ m.missing }} {{ m['missing'] }} {{ l[0] }} {{ l[-1] }} {{ l[9] }} {{ l.0 }} {{ s[1] }}", {"m": msgs[0], "l": [1, 2, 3], "s": "xyz"})
feat("dict_method_vs_key", "{{ d.items is defined }} {{ d['items'] }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }}", {"d": {"a": 1, "items": "key-wins-in-subscript"}})
feat("slices", "{{ l[1:] }} {{ l[:2] }} {{ l[::-1] }} {{ l[::2] }} {{ l[-2:] }} {{ l[1:-1] }} {{ l[5:] }} {{ s[::-1] }} {{ s[1:3] }} {{ 'héllo'[1:3] }} {{ m[1:] | length }}", {"l": [1, 2, 3, 4], "s": "abcdef", "m": msgs})
feat("str_methods", "{{ ' x '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '  a'.lstrip() }}|{{ 'b  '.rstrip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.split(' ', 1) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}|{{ 'aBc'.upper() }}{{ 'aBc'.lower() }}|{{ 'hello wORLD'.title() }}|{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'hello'.find('l') }}{{ 'hello'.find('z') }}|{{ 'a-b'.count('-') }}|{{ '-'.join(['x','y']) }}|{{ 'l1\\nl2'.splitlines() }}")
feat("filters_text", "{{ '  pad  ' | trim }}|{{ 'xxaxx' | trim('x') }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 'hello world-foo' | title }}|{{ 'hELLO' | capitalize }}|{{ 'a.b.c' | replace('.', '/') }}|{{ 'ab' | replace('', '-') }}|{{ 'abc' | reverse }}|{{ 'héllo' | length }}")
feat("filters_list", "{{ l | length }} {{ l | count }} {{ l | first }} {{ l | last }} {{ l | join(', ') }} {{ l | join }} {{ l | reverse | list }} {{ l | sort }} {{ l | sort(reverse=true) }} {{ l | unique | list }} {{ l | sum }} {{ l | min }} {{ l | max }} {{ [] | first }}", {"l": [3, 1, 2, 3]})
feat("filters_sort_strings", "{{ ['b', 'A', 'c', 'a'] | sort }} {{ ['b', 'A', 'c', 'a'] | sort(case_sensitive=true) }} {{ ['a', 'A', 'b'] | unique | list }}")
feat("filters_convert", "{{ '42' | int }} {{ '3.7' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ 3.9 | int }} {{ '2.5' | float }} {{ 1 | float }} {{ 'n' | float }} {{ 12 | string }} {{ [1] | string }} {{ 'ab' | list }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.1 | round(method='ceil') }}")
feat("filters_default", "{{ missing | default('d') }} {{ missing | d('d2') }} {{ '' | default('e') }} {{ '' | default('e', true) }} {{ none | default('n') }} {{ 0 | default('z', boolean=true) }}")
feat("filters_attr", "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ msgs | rejectattr('role', 'eq', 'system') | map(attribute='role') | join(',') }} {{ msgs | map(attribute='role') | list }} {{ msgs | selectattr('missing') | list }} {{ [1, 0, 2] | select | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ ['a', 'B'] | map('upper') | list }}", {"msgs": msgs})
feat("filters_items_dictsort", "{{ d | items | list }} {{ d | dictsort }} {{ d | dictsort(by='value', reverse=true) }}", {"d": {"b": 1, "a": 2}})
feat("filter_indent", "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent(2, blank=true) }}|{{ 'x\\ny' | indent('> ') }}")
feat("filter_escape_safe", "{{ '<a href=\"x\">&\\'</a>' | e }} {{ '<b>' | escape }} {{ '<i>' | safe }}")
feat("tojson", "{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ l | tojson }}|{{ 'ü\"\\n\\t\\\\' | tojson }}|{{ 'ü' | tojson(ensure_ascii=true) }}|{{ d | tojson(separators=(',', ':')) }}|{{ d | tojson(sort_keys=true) }}|{{ [] | tojson(indent=2) }}|{{ {} | tojson }}|{{ none | tojson }}|{{ 1.0 | tojson }}|{{ true | tojson }}", {"d": {"z": [1, 2.5, None, True], "a": {"nested": "v"}}, "l": ["x", 1]})
feat("tojson_literal_order", "{{ {'z': 1, 'a': 2, 'm': {'y': 1, 'b': 2}} | tojson }}")
feat("tests", "{{ x is defined }} {{ missing is defined }} {{ missing is undefined }} {{ n is none }} {{ s is string }} {{ d is mapping }} {{ l is iterable }} {{ s is iterable }} {{ d is iterable }} {{ 1 is iterable }} {{ l is sequence }} {{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 1 is integer }} {{ 1.0 is float }} {{ 2 is in [1, 2] }} {{ x is not none }} {{ n is not none }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 1 is eq 1 }} {{ 'a' is equalto 'a' }} {{ 2 is gt 1 }} {{ s is lower }} {{ range is callable }}", {"x": 1, "n": None, "s": "str", "d": {}, "l": []})
feat("test_precedence", "{{ not x is defined }} {{ x is defined and x > 0 }} {{ s is string and s.startswith('s') }}", {"x": 1, "s": "str"})
feat("filter_precedence", "{{ 'a' + ' b ' | trim + 'c' }} {{ -1 | abs }} {{ not '' | length }} {{ [1,2] | length * 3 }} {{ 'x' ~ [1,2] | length }}")
feat("range_fn", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(5, 0, -2) | list }} {{ range(0) | list }}")
feat("dict_fn", "{{ dict(a=1, b=2) }} {{ dict({'x': 1}, y=2) }}")
feat("none_attr", "[{{ none.x }}] [{{ n.attr }}]", {"n": None})
feat("nested_data", "{% for m in conv %}{{ m.role }}:{% for c in m.content %}{{ c.type }}={{ c.text | default(c.url) }};{% endfor %}\n{% endfor %}", {"conv": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image", "url": "u"}]}]})
feat("unicode_passthrough", "{{ s }}|{{ s | length }}|{{ s[0] }}|{{ s | reverse }}|{{ s.upper() }}", {"s": "é你🙂x"})
feat("strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d') }}")
feat("raise_exception_unused", "{% if false %}{{ raise_exception('nope') }}{% endif %}ok")
feat("big_output_loop", "{% for i in range(2000) %}{{ i % 10 }}{% endfor %}")
feat("string_mult", "{{ 'ab' * 3 }} {{ 2 * 'c' }} {{ [1] * 3 }} {{ 'x' * 0 }}")
feat("list_concat", "{{ [1] + [2, 3] }} {{ 'a' + 'b' }} {{ (1,) + (2,) }}")
feat("keyword_literals", "{{ True }} {{ true }} {{ False }} {{ None }} {{ none }}")
feat("getattr_int_keys", "{{ m[0].content }} {{ m.1.role }}", {"m": msgs})
feat("messages_slice_set", "{% set messages = msgs[1:] %}{{ messages | length }}{% for m in messages %}{{ m.role }}{% endfor %}", {"msgs": msgs})

# errors (Python raises; the C++ engine must throw UserError)
feat("err_undefined_attr", "{{ foo.bar }}")
feat("err_missing_key_chain", "{{ x.y.z }}", {"x": {}})
feat("err_raise_exception", "{{ raise_exception('Conversation roles must alternate user/assistant') }}")
feat("err_unclosed_tag", "{% if x %}open")
feat("err_unknown_tag", "{% frobnicate %}")
feat("err_bad_syntax", "{{ 1 + }}")
feat("err_str_plus_int", "{{ 'a' + 1 }}")
feat("err_undefined_plus", "{{ missing + 1 }}")
feat("err_div_zero", "{{ 1 / 0 }}")
feat("err_call_undefined", "{{ nothere() }}")
feat("err_unknown_filter", "{{ 1 | nosuchfilter }}")
feat("err_tojson_undefined", "{{ missing | tojson }}")
feat("err_unsafe_method", "{{ [1].append(2) }}")
feat("err_unclosed_string", "{{ 'abc }}")
feat("err_macro_too_many_args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}")
feat("err_iterate_int", "{% for x in 5 %}{% endfor %}")
feat("err_set_non_namespace", "{% set d = {} %}{% set d.x = 1 %}")
feat("err_unpack", "{% for a, b in [[1, 2, 3]] %}{% endfor %}")


def feature_cases():
    out = []
    for name, source, ctx in F:
        ctx = norm(ctx)
        rec = {"name": name, "template": source, "context": ctx}
        rec.update(render(source, ctx))
        out.append(rec)
    return out


def main():
    chats = chat_cases()
    feats = feature_cases()
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(chats, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(HERE, "features.json"), "w", encoding="utf-8") as f:
        json.dump(feats, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"jinja2 {jinja2.__version__}: {len(chats)} chat cases, {len(feats)} feature cases "
          f"({sum('error' in c for c in chats + feats)} expected errors)")


if __name__ == "__main__":
    main()
