"""JSON Schema `format`: the enforced formats never accept a string the format check rejects.

Formats are enforced as regular languages (xgrammar/json_schema/formats.py), each equal to or
narrower than the check that jsonschema's FormatChecker makes (the oracle where it has one;
hand-picked RFC examples for uri, uri-reference, iri, uri-template). The strings come from
MaskBench's invalid instances (a relative reference starting with `://`, a regex `*`, an
unclosed template brace, February 29 of a common year) and from the RFCs. URIs are checked in
a compact form (formats.py) that lets a few rare malformed ones through: the one documented
exception to "no wider than the check".
"""

import json
import random
import re

import jsonschema
import pytest
from reference import earley

from xgrammar.json_schema import json_schema_to_ebnf
from xgrammar.json_schema.formats import format_language
from xgrammar.json_schema.regular import Automaton


def accepted(format_name, text):
    grammar = json_schema_to_ebnf({"type": "string", "format": format_name})
    return earley.accepts(grammar, json.dumps(text).encode("utf-8"))


CHECKED_FORMATS = {
    "date": [
        "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2023-02-28", "2023-04-31",
        "2023-12-31", "0000-01-01", "0001-01-01", "2023-13-01", "2023-1-01",
    ],
    "date-time": [
        "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2023-06-01T23:59:60Z",
        "2023-06-01t23:59:59.5+01:00", "2023-06-01 23:59:59Z", "2023-06-01T24:00:00Z",
    ],
    "regex": [
        "^[a-z0-9]+$", "(a|b)*c{2,5}?", r"^\d{4}-\d{2}$", "*", "\\", "a{2}{3}", "^*",
        "a{3,1}", "(a", "a)", "[^A-Z_]", "(?:x)|y", "^[a-zA-Z0-9_]{3,16}$", "a{16,3}",
    ],
    "json-pointer": ["", "/a/b", "/a~1b/~0", "a", "/~2", "/~"],
    "relative-json-pointer": ["0", "1/a", "2#", "01", "-1", "#"],
}  # fmt: skip


@pytest.mark.parametrize("format_name", sorted(CHECKED_FORMATS))
def test_formats_never_wider_than_jsonschema_checks(format_name):
    checker = jsonschema.FormatChecker()
    verdicts = set()
    for text in CHECKED_FORMATS[format_name]:
        ours = accepted(format_name, text)
        assert not ours or checker.conforms(text, format_name), (format_name, text)
        verdicts.add(ours)
    assert verdicts == {True, False}


@pytest.mark.parametrize(
    "format_name, valid, invalid",
    [
        (
            "uri",
            ["http://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:a@b.c", "file:///x",
             "http://u:p@host:80/p%20q", "a:"],
            ["://", "/relative", "http://exa mple.com", "1http://x", "http://x/%zz", "a:b c"],
        ),
        (
            "uri-reference",
            ["http://example.com", "/a/b?c", "a/b", "../x", "#frag", "", "//host/p", "a@b"],
            ["://", ":a", "a:b:c d", "http://x/%g0", "a b"],
        ),
        (
            "iri",
            ["http://example.com/resource", "urn:a:b"],
            ["not-an-iri", "example.com/x", "://x"],
        ),
        (
            "uri-template",
            ["http://example.com/resource/{id}", "/users{/id*}{?q,lang:2}", "{+path}/here", "x"],
            ["http://example.com/resource/{", "{}", "{a b}", "}", "{id:0}", "{=x}"],
        ),
    ],
)  # fmt: skip
def test_uri_family_formats_follow_the_rfc_grammars(format_name, valid, invalid):
    for text in valid:
        assert accepted(format_name, text), (format_name, text)
    for text in invalid:
        assert not accepted(format_name, text), (format_name, text)


def test_every_string_of_the_regex_format_compiles():
    automaton = Automaton.from_expression(format_language("regex"))
    alphabet = "ab()[]{}*+?|^$\\.-,0123:d"
    rng = random.Random(7)
    accepted_count = 0
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))
        if automaton.accepts(text):
            accepted_count += 1
            re.compile(text)  # raises re.error if the subset were too wide
    assert accepted_count > 1000


def test_counted_repetition_in_the_regex_format_keeps_its_bounds_in_order():
    """`{m,n}` below 100 is in the subset only when m <= n (Python rejects `{16,3}`): single
    digits in order, more digits in n than in m, or two-digit bounds with the tens in order;
    nothing with a leading zero is in it."""
    automaton = Automaton.from_expression(format_language("regex"))
    for low in range(100):
        for high in range(100):
            expected = low <= high and (high < 10 or low < 10 or low // 10 < high // 10)
            assert automaton.accepts(f"a{{{low},{high}}}") == expected, (low, high)
            assert not automaton.accepts(f"a{{0{low},{high}}}")
