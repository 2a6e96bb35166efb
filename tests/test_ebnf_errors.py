"""EBNF front-end errors: each bad input raises its typed error at the exact line:column, and
hostile inputs (deep nesting, huge files, huge bounds, bad bytes) end in a typed error or a
correct grammar, never a crash."""

import pytest

import xgrammar
from xgrammar import (
    Grammar,
    GrammarSyntaxError,
    InvalidGrammarError,
    LimitExceededError,
)

# (grammar text, exception class, line, column, message fragment)
ERROR_CASES = [
    ('root ::= "abc', GrammarSyntaxError, 1, 10, "not closed"),
    ('root ::= "a\nb"', GrammarSyntaxError, 1, 10, "not closed"),
    ("root ::= [a-z", GrammarSyntaxError, 1, 10, "not closed"),
    ("root ::= [z-a]", GrammarSyntaxError, 1, 11, "out of order"),
    ('root ::= "\\q"', GrammarSyntaxError, 1, 11, "unknown escape"),
    ('root ::= "\\x4"', GrammarSyntaxError, 1, 11, "exactly 2 hexadecimal"),
    ('root ::= "\\u12G4"', GrammarSyntaxError, 1, 11, "exactly 4 hexadecimal"),
    ('root ::= "\\ud800"', GrammarSyntaxError, 1, 11, "surrogate"),
    ("root ::= [\\uDFFF]", GrammarSyntaxError, 1, 11, "surrogate"),
    ("root ::= [a-\\uD800]", GrammarSyntaxError, 1, 13, "surrogate"),
    ('root ::= "\\U00110000"', GrammarSyntaxError, 1, 11, "U+10FFFF"),
    ('root ::= ("a"', GrammarSyntaxError, 1, 10, "never closed"),
    ('root ::= "a")', GrammarSyntaxError, 1, 13, "no matching"),
    ('root ::= "a" |', GrammarSyntaxError, 1, 15, 'after "|"'),
    ('root ::= | "a"', GrammarSyntaxError, 1, 10, 'before "|"'),
    ("root ::=", GrammarSyntaxError, 1, 9, "expected an expression"),
    ('root ::= "a"**', GrammarSyntaxError, 1, 14, "quantifier"),
    ('root ::= "a"{3,2}', GrammarSyntaxError, 1, 13, "minimum above"),
    ('root ::= "a"{2', GrammarSyntaxError, 1, 15, '"}"'),
    ('root ::= "a"{x}', GrammarSyntaxError, 1, 14, "a number"),
    ('root ::= "a" (= "b"', GrammarSyntaxError, 1, 14, "never closed"),
    ('root ::= "a" (= "b") "c"', GrammarSyntaxError, 1, 22, "must end its rule"),
    ('root ::= ("a" (= "b"))', GrammarSyntaxError, 1, 15, "may only end"),
    ('root ::= "a" other ::= "b"', GrammarSyntaxError, 1, 14, "own line"),
    ('root ::= "a"\n::= "b"', GrammarSyntaxError, 2, 1, "must follow a rule name"),
    ('"a" ::= "b"', GrammarSyntaxError, 1, 5, "must follow a rule name"),
    ('root ::= "a" @', GrammarSyntaxError, 1, 14, "unexpected character '@'"),
    ('root : "a"', GrammarSyntaxError, 1, 6, "::="),
    ('# only a comment\n"a"', GrammarSyntaxError, 2, 1, "expected a rule definition"),
    ('root ::= "a"\n\nroot ::= "b"', InvalidGrammarError, 3, 1, "more than once"),
    ('root ::= "a" missing\n', InvalidGrammarError, 1, 14, '"missing" is not defined'),
    ('root ::= "x"\n  | (y "z")', InvalidGrammarError, 2, 6, '"y" is not defined'),
    ('other ::= "a"', InvalidGrammarError, 1, 1, '"root" is not defined'),
    ("", InvalidGrammarError, 1, 1, '"root" is not defined'),
    ("  \n# nothing\n", InvalidGrammarError, 1, 1, '"root" is not defined'),
    ('root ::= "a"{0,1000000}', LimitExceededError, 1, 16, "max_repetition_bound"),
    ('root ::= "a"{100001}', LimitExceededError, 1, 14, "max_repetition_bound"),
    ('root ::= "a"{99999999999999999999999}', LimitExceededError, 1, 14, "max_repetition_bound"),
]


@pytest.mark.parametrize("text,error_class,line,column,fragment", ERROR_CASES)
def test_error_has_class_and_location(text, error_class, line, column, fragment):
    with pytest.raises(error_class) as info:
        Grammar.from_ebnf(text)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert fragment in info.value.message
    assert str(info.value).startswith(f"{line}:{column}: ")
    assert isinstance(info.value, xgrammar.XGrammarError)


def test_column_counts_bytes_of_multibyte_text():
    # "é" is two bytes: the error column after it counts both.
    with pytest.raises(GrammarSyntaxError) as info:
        Grammar.from_ebnf('root ::= "é" @')
    assert (info.value.line, info.value.column) == (1, 15)


def test_named_root_rule():
    grammar = Grammar.from_ebnf('start ::= "a" b\nb ::= "b"', root_rule_name="start")
    assert grammar._handle.root_rule_name == "start"
    with pytest.raises(InvalidGrammarError):
        Grammar.from_ebnf('start ::= "a"', root_rule_name="root")


def test_invalid_utf8_bytes_in_text():
    with pytest.raises(GrammarSyntaxError) as info:
        Grammar.from_ebnf(b'root ::= "a"\nx ::= "\xff\xfe"')
    assert (info.value.line, info.value.column) == (2, 8)
    # A lone surrogate in a Python str is invalid UTF-8 too, not a UnicodeEncodeError.
    with pytest.raises(GrammarSyntaxError) as info:
        Grammar.from_ebnf('root ::= "\ud800"')
    assert (info.value.line, info.value.column) == (1, 11)
    # Overlong and truncated sequences.
    for bad in (b'root ::= "\xc0\xaf"', b'root ::= "\xe4\xb8"', b'root ::= "\xed\xa0\x80"'):
        with pytest.raises(GrammarSyntaxError) as info:
            Grammar.from_ebnf(bad)
        assert (info.value.line, info.value.column) == (1, 11)


def test_hostile_deep_parentheses_is_a_limit_error_not_a_crash():
    text = "root ::= " + "(" * 100_000 + '"a"' + ")" * 100_000
    with pytest.raises(LimitExceededError) as info:
        Grammar.from_ebnf(text)
    # The 1001st "(" is the first one too deep.
    assert (info.value.line, info.value.column) == (1, 10 + 1000)
    assert "max_nesting_depth" in info.value.message


def test_nesting_at_the_limit_parses():
    text = "root ::= " + "(" * 1000 + '"a"' + ")" * 1000
    grammar = Grammar.from_ebnf(text)
    assert str(grammar) == 'root ::= "a"\n'
    lookahead = 'root ::= "a" (= ' + "(" * 999 + '"b"' + ")" * 999 + ")"
    assert str(Grammar.from_ebnf(lookahead)) == 'root ::= "a" (= "b")\n'
    with pytest.raises(LimitExceededError):
        Grammar.from_ebnf('root ::= "a" (= ' + "(" * 1000 + '"b"' + ")" * 1000 + ")")


def test_hostile_deep_unclosed_parentheses():
    with pytest.raises(LimitExceededError):
        Grammar.from_ebnf("root ::= " + "(" * 100_000)
    with pytest.raises(GrammarSyntaxError) as info:
        Grammar.from_ebnf("root ::= " + "(" * 10)
    assert info.value.column == 19  # the innermost unclosed "("


def test_one_megabyte_grammar_parses_correctly():
    # 20,000 rules, each a choice of strings, classes and references to the next rule.
    lines = ["root ::= r0"]
    count = 20_000
    for i in range(count):
        target = f"r{i + 1}" if i + 1 < count else '""'
        lines.append(
            f'r{i} ::= "item{i}" [a-z0-9]{{1,3}} {target} | "alt{i}" ("x" | "y")* {target}'
        )
    text = "\n".join(lines) + "\n"
    assert len(text) > 1_000_000
    grammar = Grammar.from_ebnf(text)
    assert grammar._handle.num_rules == count + 1
    assert grammar._handle.rule_names[-1] == f"r{count - 1}"
    assert Grammar.from_ebnf(str(grammar))._handle.structurally_equal(grammar._handle)


def test_one_megabyte_of_one_rule_body():
    text = "root ::= " + " | ".join(f'"w{i}"' for i in range(120_000))
    assert len(text) > 1_000_000
    grammar = Grammar.from_ebnf(text)
    assert str(grammar).startswith('root ::= "w0" | "w1" | ')


def test_type_errors():
    with pytest.raises(TypeError):
        Grammar.from_ebnf(123)
    with pytest.raises(TypeError):
        Grammar()
