"""Regex -> EBNF: the emitted grammars accept exactly what the regex matches.

Oracles: Python's `re` (patterns rendered in both syntaxes from one generated tree, so the
ECMAScript/Python differences in `.`, `\\s`, `$` are spelled out instead of ignored) for what
should match, and the reference Earley recognizer (tests/reference) for what the emitted EBNF
accepts; a few cases also run through the engine itself.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.earley import Recognizer

from xgrammar import Grammar
from xgrammar.exceptions import GrammarSyntaxError, LimitExceededError, UnsupportedFeatureError
from xgrammar.regex import RegexFlavor, RegexOptions, regex_to_ebnf, regex_to_rules
from xgrammar.testing import _is_grammar_accept_string


class _Acceptor:
    """The reference Earley recognizer (tests/reference) over the UTF-8 of str inputs."""

    def __init__(self, ebnf_text: str, root: str = "root") -> None:
        self.recognizer = Recognizer(ebnf_text, root)

    def accepts(self, text: str) -> bool:
        return self.recognizer.accepts(text.encode("utf-8", "surrogatepass"))


# ---- one generated tree, two spellings ------------------------------------------------------

_ECMA_SPACE_CLASS = (
    "[\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
)
_LEAVES = [
    # (ECMAScript spelling, Python spelling)
    ("a", "a"),
    ("b", "b"),
    ("-", "-"),
    ("\\.", "\\."),
    ("\\n", "\\n"),
    ("é", "é"),
    (".", "[^\\n\\r\\u2028\\u2029]"),
    ("\\d", "[0-9]"),
    ("\\w", "[0-9A-Za-z_]"),
    ("\\s", _ECMA_SPACE_CLASS),
    ("\\S", _ECMA_SPACE_CLASS.replace("[", "[^", 1)),
    ("[a-c]", "[a-c]"),
    ("[^a\\n]", "[^a\\n]"),
    ("[\\d-]", "[0-9-]"),
    ("\\u00e9", "\\u00e9"),
    ("\\x41", "\\x41"),
    ("[]", "(?!)"),
]
_QUANTIFIERS = ["*", "+", "?", "{2}", "{1,}", "{0,2}", "{1,3}", "*?", "{2,}?"]


def _trees():
    leaf = st.sampled_from(_LEAVES)

    def extend(children):
        sequence = st.lists(children, min_size=2, max_size=3).map(
            lambda items: ("".join(e for e, _ in items), "".join(p for _, p in items))
        )
        alternation = st.lists(children, min_size=2, max_size=3).map(
            lambda items: (
                "(?:" + "|".join(e for e, _ in items) + ")",
                "(?:" + "|".join(p for _, p in items) + ")",
            )
        )
        group = st.tuples(children, st.sampled_from(["(", "(?:", "(?<g>"])).map(
            lambda pair: (pair[1] + pair[0][0] + ")", "(?:" + pair[0][1] + ")")
        )
        repeat = st.tuples(children, st.sampled_from(_QUANTIFIERS)).map(
            lambda pair: (
                "(?:" + pair[0][0] + ")" + pair[1],
                "(?:" + pair[0][1] + ")" + pair[1],
            )
        )
        return st.one_of(sequence, alternation, group, repeat)

    return st.recursive(leaf, extend, max_leaves=6)


@st.composite
def _patterns(draw):
    branches = draw(st.lists(_trees(), min_size=1, max_size=2))
    ecma_branches, python_branches = [], []
    for ecma, python in branches:
        if draw(st.booleans()):
            ecma, python = "^" + ecma, "^" + python
        if draw(st.booleans()):
            ecma, python = ecma + "$", python + "\\Z"
        ecma_branches.append(ecma)
        python_branches.append(python)
    return "|".join(ecma_branches), "|".join(python_branches)


_ALPHABET = "ab-.\n1_ é\u2028A"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_patterns(), st.lists(st.text(_ALPHABET, max_size=6), min_size=12, max_size=12))
def test_generated_regexes_match_python_re_in_full_and_search_mode(pattern, texts):
    ecma, python = pattern
    compiled = re.compile(python)
    full = _Acceptor(regex_to_ebnf(ecma))
    search = _Acceptor(regex_to_ebnf(ecma, search=True))
    for text in texts:
        assert full.accepts(text) == bool(compiled.fullmatch(text)), (ecma, text)
        assert search.accepts(text) == bool(compiled.search(text)), (ecma, text)


# ---- hand-picked cases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, accepted, rejected",
    [
        ("a{2,3}", ["aa", "aaa"], ["a", "aaaa"]),
        ("\\u{1F600}|\\uD83D\\uDE01", ["\U0001f600", "\U0001f601"], ["\ud83d", ""]),
        ("[^]", ["\n", "\U0010ffff"], ["", "ab"]),
        ("\\cJ\\0\\t\\v\\f", ["\n\x00\t\x0b\x0c"], ["cJ"]),
        ("a{,2}", ["a{,2}"], ["aa"]),  # Annex B: not a quantifier, literal text
        ("[\\b]\\]}", ["\x08]}"], ["b]}"]),
        ("(?<year>\\d{4})-(?:\\d\\d)", ["2024-05"], ["24-05"]),
        ("x*?y+?", ["y", "xxyy"], ["x"]),
        ("^$", [""], ["a"]),
        ("[]|a", ["a"], [""]),
    ],
)
def test_full_match_cases(pattern, accepted, rejected):
    oracle = _Acceptor(regex_to_ebnf(pattern))
    for text in accepted:
        assert oracle.accepts(text), (pattern, text)
    for text in rejected:
        assert not oracle.accepts(text), (pattern, text)


@pytest.mark.parametrize(
    "pattern, accepted, rejected",
    [
        ("^ab", ["ab", "abzz", "ab\nq"], ["zab", "\nab"]),
        ("ab$", ["ab", "zzab"], ["abz", "ab\n"]),
        ("^a|b$", ["a", "axx", "xxb", "b"], ["xa", "bx"]),
        ("(^a|b)c", ["ac", "xbc", "bcx"], ["xac", "ab"]),
        ("b", ["b", "\n\nb\u2028"], ["", "a"]),
        ("[]", [], ["", "a"]),
        ("", ["", "anything"], []),
    ],
)
def test_search_mode_cases(pattern, accepted, rejected):
    oracle = _Acceptor(regex_to_ebnf(pattern, search=True))
    for text in accepted:
        assert oracle.accepts(text), (pattern, text)
    for text in rejected:
        assert not oracle.accepts(text), (pattern, text)


def test_root_rule_name_and_embedding_prefix():
    text = regex_to_ebnf("a|b", root_rule_name="start")
    assert text.startswith("start ::= ")
    rules = regex_to_rules("^x(?:y|z)+", "pattern_3", search=True)
    assert rules.root_rule_name == "pattern_3"
    assert all(name == "pattern_3" or name.startswith("pattern_3_") for name, _ in rules.rules)
    oracle = _Acceptor(rules.to_ebnf_text(), root="pattern_3")
    assert oracle.accepts("xyzzy tail") and not oracle.accepts(" xy")


# ---- errors carry their position ----------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, error, column",
    [
        ("ab(?=c)", UnsupportedFeatureError, 3),
        ("a(?<!b)", UnsupportedFeatureError, 2),
        ("(a)\\1", UnsupportedFeatureError, 4),
        ("(?<n>a)\\k<n>", UnsupportedFeatureError, 8),
        ("a\\bc", UnsupportedFeatureError, 2),
        ("\\p{L}", UnsupportedFeatureError, 1),
        ("a^b", UnsupportedFeatureError, 2),
        ("(a$)b", UnsupportedFeatureError, 3),
        ("(^a)*", UnsupportedFeatureError, 2),
        ("x\\uD800", UnsupportedFeatureError, 2),
        ("ab)", GrammarSyntaxError, 3),
        ("(ab", GrammarSyntaxError, 1),
        ("a**", GrammarSyntaxError, 3),
        ("*a", GrammarSyntaxError, 1),
        ("[b-a]", GrammarSyntaxError, 2),
        ("a{3,2}", GrammarSyntaxError, 2),
        ("[abc", GrammarSyntaxError, 1),
        ("abc\\", GrammarSyntaxError, 4),
        ("\\xZ1", GrammarSyntaxError, 1),
        ("\\q", GrammarSyntaxError, 1),
        ("a{100001}", LimitExceededError, 2),
    ],
)
def test_errors_name_their_column(pattern, error, column):
    with pytest.raises(error) as info:
        regex_to_ebnf(pattern)
    assert (info.value.line, info.value.column) == (1, column)
    assert str(info.value).startswith(f"1:{column}: ")


def test_nesting_depth_is_limited_without_recursion():
    deep_ok = "(" * 1000 + "a" + ")" * 1000
    oracle = _Acceptor(regex_to_ebnf(deep_ok))
    assert oracle.accepts("a") and not oracle.accepts("aa")
    with pytest.raises(LimitExceededError) as info:
        regex_to_ebnf("(" * 1001 + "a" + ")" * 1001)
    assert info.value.column == 1001


def test_deep_quantifier_nesting_stays_shallow_in_the_text():
    pattern = "(?:" * 200 + "a" + ")?" * 200
    text = regex_to_ebnf(pattern)
    depth = max_depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        max_depth = max(max_depth, depth)
    assert max_depth <= 40
    oracle = _Acceptor(text)
    assert oracle.accepts("") and oracle.accepts("a") and not oracle.accepts("aa")


def test_long_literal_pattern():
    pattern = "ab" * 20000
    assert regex_to_ebnf(pattern) == f'root ::= "{pattern}"\n'


# ---- the Python flavour (Lark terminals) -------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, options, accepted, rejected",
    [
        ("\\d+", RegexOptions(RegexFlavor.PYTHON), ["12", "\u0663"], ["", "x"]),
        ("a.b", RegexOptions(RegexFlavor.PYTHON), ["a\rb", "a\u2028b"], ["a\nb"]),
        ("a.b", RegexOptions(RegexFlavor.PYTHON, dot_all=True), ["a\nb"], ["ab"]),
        ("[]a]+", RegexOptions(RegexFlavor.PYTHON), ["]a]"], ["b"]),
        ("(?P<x>ab)\\Z", RegexOptions(RegexFlavor.PYTHON), ["ab"], ["abab"]),
        ("k[a-c]", RegexOptions(RegexFlavor.PYTHON, ignore_case=True), ["KB", "\u212ab"], ["kd"]),
        ("[^k]", RegexOptions(RegexFlavor.PYTHON, ignore_case=True), ["x"], ["K", "k", "\u212a"]),
        ("\\N{BULLET}\\x41\\012", RegexOptions(RegexFlavor.PYTHON), ["\u2022A\n"], ["x"]),
    ],
)
def test_python_flavour(pattern, options, accepted, rejected):
    text = regex_to_rules(pattern, "root", options=options).to_ebnf_text()
    oracle = _Acceptor(text)
    flags = (re.IGNORECASE if options.ignore_case else 0) | (re.DOTALL if options.dot_all else 0)
    for value in accepted:
        assert oracle.accepts(value) and re.fullmatch(pattern, value, flags), value
    for value in rejected:
        assert not oracle.accepts(value) and not re.fullmatch(pattern, value, flags), value


def test_lookbehind_after_a_star_is_rewritten_exactly():
    pattern = r'".*?(?<!\\)(\\\\)*?"'
    options = RegexOptions(RegexFlavor.PYTHON)
    oracle = _Acceptor(regex_to_rules(pattern, "root", options=options).to_ebnf_text())
    compiled = re.compile(pattern)
    for text in ['""', '"a"', '"a\\"', '"a\\\\"', '"\\\\\\"', '"a"b"', '"\n"', '"\\"']:
        assert oracle.accepts(text) == bool(compiled.fullmatch(text)), text
    with pytest.raises(UnsupportedFeatureError):
        regex_to_ebnf("a(?<!b)c*")


@pytest.mark.parametrize(
    "pattern, texts",
    [
        ("^(?:ab|c)*\\d{2,3}$", ["", "ab12", "cab123", "ab1", "abc1234", "x12"]),
        ("[^\\n]+é?", ["a", "é", "\n", "aé", "\U0001f600"]),
        ("(?<n>\\w)\\s*\\.\\*", ["a .*", "a\u3000.*", "a*"]),
    ],
)
def test_grammar_from_regex_in_the_engine_agrees_with_re(pattern, texts):
    grammar = Grammar.from_regex(pattern)
    python = re.compile(pattern.replace("(?<n>", "(?P<n>").replace("\\w", "[0-9A-Za-z_]"))
    for text in texts:
        expected = bool(python.fullmatch(text))
        if "\\s" in pattern:
            expected = bool(re.fullmatch(r"[0-9A-Za-z_][\s\u3000\ufeff]*\.\*", text))
        assert _is_grammar_accept_string(grammar, text) == expected, text
