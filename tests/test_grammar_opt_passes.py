"""The grammar passes of grammar_opt/, one at a time, against expected printed text.

Each case is grammar text in, the canonical printing of the pass's result out. The printer is
the one `str(grammar)` uses, so a case reads like the grammar a user would see. Language
preservation on random grammars is in test_grammar_opt_differential.py.
"""

import pytest

import xgrammar as xgr
from xgrammar.testing import _nullable_rules, _optimize_grammar


def run_pass(text: str, pass_name: str) -> str:
    return str(_optimize_grammar(xgr.Grammar.from_ebnf(text), pass_name))


def lines(*rules: str) -> str:
    return "".join(rule + "\n" for rule in rules)


NORMALIZE_CASES = [
    pytest.param(
        lines('root ::= ("a" ("b" "c")) | "a" "b" "c" | (("p" | "q") | "r")'),
        lines('root ::= "a" "b" "c" | [p-r]'),
        id="flatten-and-dedupe",
    ),
    pytest.param(
        lines('root ::= [x] | "y" | [a-c] | "" | s', 's ::= "s"'),
        lines('root ::= [a-cx-y] | "" | s', 's ::= "s"'),
        id="merge-single-code-point-alternatives",
    ),
    pytest.param(
        lines('root ::= [^a] | "é" | [\\u4e00-\\u9fff] | "ab"'),
        lines('root ::= [^a] | [\\u00E9\\u4E00-\\u9FFF] | "ab"'),
        id="negated-classes-and-longer-literals-stay-apart",
    ),
    pytest.param(
        lines('root ::= [z] ("" "" "k") "x"{1} "x"{0} ()*'),
        lines('root ::= "z" "k" "x"'),
        id="unwrap-and-drop-empty",
    ),
    pytest.param(
        lines('root ::= (("x"?)?) (("x"+)?) ("x"*)+ ("x"?)+ ("x"+)+'),
        lines('root ::= "x"? "x"* "x"* "x"* "x"+'),
        id="nested-simple-repetitions",
    ),
    pytest.param(
        lines('root ::= ("x"{2,3})? ("x"{0,3})? ("x"{2})*'),
        lines('root ::= ("x"{2,3})? "x"{0,3} ("x"{2})*'),
        id="counted-repetitions-kept-where-merging-is-inexact",
    ),
    pytest.param(
        lines('root ::= "a" (= ("b" ("c")) | [d] | [e])'),
        lines('root ::= "a" (= "b" "c" | [d-e])'),
        id="lookahead-normalised-too",
    ),
    pytest.param(lines("root ::= [^]"), lines("root ::= [^]"), id="any-code-point"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_CASES)
def test_normalize_structure(text, expected):
    assert run_pass(text, "normalize_structure") == expected
    # Normalising twice changes nothing more.
    assert run_pass(expected, "normalize_structure") == expected


JSONISH = lines(
    "root ::= greeting ws name ws? list",
    'greeting ::= "hello" | "hi"',
    "ws ::= [ \\t]+",
    "name ::= letter+",
    "letter ::= [a-z] | [A-Z]",
    'list ::= "[" (item ("," item)*)? "]"',
    "item ::= name | list",
)

INLINE_CASES = [
    pytest.param(
        JSONISH,
        lines(
            'root ::= ("hello" | "hi") [\\t ]+ ([a-z] | [A-Z])+ ([\\t ]+)? list',
            'list ::= "[" (item ("," item)*)? "]"',
            "item ::= ([a-z] | [A-Z])+ | list",
        ),
        id="helpers-inlined-recursive-rules-kept",
    ),
    pytest.param(
        lines("root ::= a", 'a ::= "x" a | b', 'b ::= "y"'),
        lines("root ::= a", 'a ::= "x" a | "y"'),
        id="left-and-right-recursion-kept",
    ),
    pytest.param(
        lines("root ::= big big", "big ::= " + " ".join(f'"{c}"' for c in "abcdefghijklmnopq")),
        lines("root ::= big big", "big ::= " + " ".join(f'"{c}"' for c in "abcdefghijklmnopq")),
        id="over-the-size-threshold",
    ),
    pytest.param(
        lines('root ::= la "y" | "z"', 'la ::= "x" (= ws)', "ws ::= [ \\t]+"),
        lines('root ::= la "y" | "z"', 'la ::= "x" (= [\\t ]+)'),
        id="rule-with-lookahead-kept-references-inside-lookahead-inlined",
    ),
    pytest.param(
        lines("root ::= a b", "a ::= b b", 'b ::= "x" | "y"'),
        lines('root ::= (("x" | "y") ("x" | "y")) ("x" | "y")'),
        id="chains-inline-bottom-up",
    ),
    pytest.param(
        lines('root ::= "r" | inner', "inner ::= root"),
        lines('root ::= "r" | inner', "inner ::= root"),
        id="root-is-never-inlined",
    ),
]


@pytest.mark.parametrize(("text", "expected"), INLINE_CASES)
def test_inline_rules(text, expected):
    assert run_pass(text, "inline_rules") == expected


FUSE_CASES = [
    pytest.param(
        lines('root ::= "a" "b" [c] "d" "e" r "f" ("g" "h")* ("i" | "j" "k")', 'r ::= "x" "y"'),
        lines('root ::= "ab" [c] "de" r "f" "gh"* ("i" | "jk")', 'r ::= "xy"'),
        id="runs-of-literals",
    ),
    pytest.param(
        lines('root ::= "é" "€" "\\x00" "𝄞"'),
        lines('root ::= "\\u00E9\\u20AC\\x00\\U0001D11E"'),
        id="multi-byte-characters",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FUSE_CASES)
def test_fuse_byte_strings(text, expected):
    assert run_pass(text, "fuse_byte_strings") == expected


DEAD_CASES = [
    pytest.param(
        lines(
            'root ::= "a" good | "b" loop | "c" loop* "d" | "e" loop? | never | "f" blocked'
            ' | "g" used',
            'good ::= "ok"',
            'loop ::= "l" loop',
            "never ::= [^\\x00-\\U0010FFFF]",
            'blocked ::= "z" (= loop)',
            'used ::= "u"',
            'orphan ::= "o"',
        ),
        lines('root ::= "a" good | "c" "d" | "e" | "g" used', 'good ::= "ok"', 'used ::= "u"'),
        id="unproductive-alternatives-and-unreachable-rules",
    ),
    pytest.param(
        lines("root ::= [\\uD7FF-\\uE000] | x", 'x ::= x "a" | "b"', 'y ::= "q" (= [])'),
        lines("root ::= [\\uD7FF-\\uE000] | x", 'x ::= x "a" | "b"'),
        id="left-recursion-is-productive",
    ),
    pytest.param(lines('root ::= "a" root'), lines("root ::= []"), id="empty-language"),
    pytest.param(
        lines('root ::= "a" x (= "b")', 'x ::= "c" x'),
        lines("root ::= []"),
        id="empty-language-drops-the-root-lookahead",
    ),
    pytest.param(lines("root ::= []"), lines("root ::= []"), id="empty-language-is-a-fixed-point"),
]


@pytest.mark.parametrize(("text", "expected"), DEAD_CASES)
def test_eliminate_dead_rules(text, expected):
    assert run_pass(text, "eliminate_dead_rules") == expected


def test_pipeline_runs_every_pass():
    assert run_pass(JSONISH, "pipeline") == lines(
        'root ::= ("hello" | "hi") [\\t ]+ [A-Za-z]+ [\\t ]* list',
        'list ::= "[" (item ("," item)*)? "]"',
        "item ::= [A-Za-z]+ | list",
    )
    text = lines('root ::= "a" ("b" "c") | dead | x "!"', 'dead ::= "d" dead', 'x ::= "x" "y"')
    assert run_pass(text, "pipeline") == lines('root ::= "abc" | "xy!"')
    assert run_pass(lines('root ::= "a" loop', 'loop ::= "b" loop'), "pipeline") == "root ::= []\n"


def test_unknown_pass_is_an_invalid_argument():
    from xgrammar.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="unknown grammar pass"):
        _optimize_grammar('root ::= "a"', "no_such_pass")


def test_passes_are_linear_on_deep_and_long_inputs():
    """Deep nesting and long rule chains go through every pass without recursion limits."""
    depth = 900
    deep = "root ::= " + "(" * depth + '"a"' + ")" * depth + "\n"
    assert run_pass(deep, "pipeline") == 'root ::= "a"\n'
    count = 3000
    chain = "".join(f'r{i} ::= "x" r{i + 1} | "y"\n' for i in range(count))
    chain = "root ::= r0\n" + chain + f'r{count} ::= "z"\n'
    # Not recursive, so every rule is inlined into its user until a body reaches the size
    # threshold; here that keeps every fourth rule.
    result = run_pass(chain, "pipeline").splitlines()
    assert result[:2] == ["root ::= r0", 'r0 ::= "x" ("x" ("x" ("x" r4 | "y") | "y") | "y") | "y"']
    assert len(result) == 1 + count // 4
    assert not any(_nullable_rules(chain).values())
