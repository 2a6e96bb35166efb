"""The canonical printer: expected text for each construct, and a round trip over random
grammars (hypothesis) checked three ways -- the C++ parser reads the printed text back to the
same tree, printing is idempotent, and the independent reference parser (tests/reference/ebnf.py)
reads the original and the printed text as the same grammar."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import ebnf as reference_ebnf

from xgrammar import Grammar

PRINT_CASES = [
    ('root ::= "a"', 'root ::= "a"'),
    ('root ::= ""', 'root ::= ""'),
    ("root ::= ()", 'root ::= ""'),
    ('root ::= ("a")', 'root ::= "a"'),
    ('root ::= "a" "b" | "c"', 'root ::= "a" "b" | "c"'),
    ('root ::= "a" ("b" | "c")', 'root ::= "a" ("b" | "c")'),
    ('root ::= "a" ("b" "c")', 'root ::= "a" ("b" "c")'),
    ('root ::= ("a" | "b") | "c"', 'root ::= ("a" | "b") | "c"'),
    ('root ::= ("a" "b")*', 'root ::= ("a" "b")*'),
    ('root ::= ("a"*)+', 'root ::= ("a"*)+'),
    ('root ::= "a"? "b"+ "c"*', 'root ::= "a"? "b"+ "c"*'),
    ('root ::= "a"{0,1} "b"{1,} "c"{0,}', 'root ::= "a"? "b"+ "c"*'),
    ('root ::= "a"{3} "b"{2,} "c"{2,5}', 'root ::= "a"{3} "b"{2,} "c"{2,5}'),
    ('root ::= "a"{3,3}', 'root ::= "a"{3}'),
    ('root ::= "a"{,2} "b"{ 1 , 3 }', 'root ::= "a"{0,2} "b"{1,3}'),
    (r'root ::= "\'\/\?\[\]\-\^\.\f\v\a\b\0"', 'root ::= "\'/?[]-^.\\x0C\\x0B\\x07\\x08\\x00"'),
    (r'root ::= "\n\r\t\"\\"', r'root ::= "\n\r\t\"\\"'),
    (r'root ::= "\x00\x1f\x7f"', r'root ::= "\x00\x1F\x7F"'),
    ('root ::= "é中😀"', r'root ::= "\u00E9\u4E2D\U0001F600"'),
    (r'root ::= "\x41\u0042\U00000043"', 'root ::= "ABC"'),
    ("root ::= [a-zA-Z_]", "root ::= [A-Z_a-z]"),
    ("root ::= [cba]", "root ::= [a-c]"),
    ("root ::= [^\\]\\\\\\-\\^[]", "root ::= [^\\-\\[-\\^]"),
    (r"root ::= [\u00e9-\U0010FFFF]", r"root ::= [\u00E9-\U0010FFFF]"),
    ("root ::= []", "root ::= []"),
    ("root ::= [^]", "root ::= [^]"),
    ('root ::= a\na ::= "x" (= "y" | [0-9])', 'root ::= a\na ::= "x" (= "y" | [0-9])'),
    ('root ::= "x"\n  | "y" # comment\n\nnext ::= root', 'root ::= "x" | "y"\nnext ::= root'),
]


@pytest.mark.parametrize("text,expected", PRINT_CASES)
def test_printed_text(text, expected):
    printed = str(Grammar.from_ebnf(text))
    assert printed == expected + "\n"
    assert Grammar.from_ebnf(printed).to_string() == printed


def test_printed_text_is_ascii_for_any_code_point():
    grammar = Grammar.from_ebnf('root ::= "\U0010ffff\u2028\x85" [\u0080-\uffff]')
    assert str(grammar).isascii()


# ---- random grammars ------------------------------------------------------------------------
# The generator draws from a `random.Random` seeded by hypothesis: one hypothesis draw per
# grammar keeps 1,000 examples within a few seconds (a draw per choice took ~50 ms a grammar).
# A failure reports its seed, which reproduces it; shrinking a seed is meaningless, so failing
# grammars are not minimised.

RULE_NAMES = ["root", "a", "b_1", "c-d", "e.f", "_g"]
INTERESTING_CODEPOINTS = [
    *b'\x00\t\n\r "-[\\]^az09#|()*+?{}',
    0x7F,
    0x80,
    0xE9,
    0x7FF,
    0x800,
    0xD7FF,
    0xE000,
    0xFFFD,
    0xFFFF,
    0x10000,
    0x1F600,
    0x10FFFF,
]
SEPARATORS = [" ", " ", " ", "  ", "\n  ", "\t", " # note\n "]


def random_codepoint(rng: random.Random) -> int:
    if rng.random() < 0.6:
        return rng.choice(INTERESTING_CODEPOINTS)
    while True:
        codepoint = rng.randrange(0x110000)
        if not 0xD800 <= codepoint <= 0xDFFF:
            return codepoint


def escape(codepoint: int, rng: random.Random) -> str:
    if codepoint < 0x100 and rng.random() < 0.5:
        return f"\\x{codepoint:02x}"
    if codepoint < 0x10000 and rng.random() < 0.5:
        return f"\\u{codepoint:04X}"
    return f"\\U{codepoint:08x}"


def string_character(codepoint: int, rng: random.Random) -> str:
    must_escape = codepoint < 0x20 or codepoint in (ord('"'), ord("\\"))
    if must_escape or rng.random() < 0.25:
        return escape(codepoint, rng)
    return chr(codepoint)


def class_character(codepoint: int, rng: random.Random) -> str:
    if chr(codepoint) in "]\\-^":
        return "\\" + chr(codepoint)
    return string_character(codepoint, rng) if codepoint != ord('"') else '"'


def random_atom(rng: random.Random, rule_names) -> str:
    kind = rng.choice(["string", "string", "class", "ref", "empty"])
    if kind == "string":
        chars = [random_codepoint(rng) for _ in range(rng.randint(1, 4))]
        return '"' + "".join(string_character(c, rng) for c in chars) + '"'
    if kind == "class":
        items = []
        for _ in range(rng.randint(0, 3)):
            lo = random_codepoint(rng)
            hi = lo if rng.random() < 0.5 else max(lo, random_codepoint(rng))
            item = class_character(lo, rng)
            if hi != lo:
                item += "-" + class_character(hi, rng)
            items.append(item)
        return "[" + ("^" if rng.random() < 0.5 else "") + "".join(items) + "]"
    if kind == "ref":
        return rng.choice(rule_names)
    return rng.choice(['""', "()"])


def random_expr(rng: random.Random, rule_names, depth: int) -> tuple[str, str]:
    """EBNF text of a random expression and its kind. Parentheses are added where the tree
    needs them and sometimes where it does not (they never create nodes); leaving them out
    elsewhere is fine too: any valid text must round-trip, whatever tree it denotes."""
    kind = "atom" if depth == 0 else rng.choice(["atom", "seq", "choice", "repeat"])
    if kind == "atom":
        text = random_atom(rng, rule_names)
        return (f"({text})" if rng.random() < 0.15 else text), kind
    if kind == "repeat":
        child, child_kind = random_expr(rng, rule_names, depth - 1)
        # One quantifier per element: a repeated repeat, sequence or choice needs parentheses.
        if child_kind != "atom" or rng.random() < 0.15:
            child = f"({child})"
        low = rng.randint(0, 3)
        quantifier = rng.choice(
            ["*", "+", "?", f"{{{low}}}", f"{{{low},}}", f"{{{low},{low + 2}}}"]
        )
        return child + quantifier, kind
    parts = []
    for _ in range(rng.randint(2, 3)):
        child, child_kind = random_expr(rng, rule_names, depth - 1)
        if child_kind in ("seq", "choice") and rng.random() < 0.75:
            child = f"({child})"
        parts.append(child)
    separator = rng.choice(SEPARATORS)
    joiner = separator if kind == "seq" else separator + "|" + rng.choice(SEPARATORS)
    return joiner.join(parts), kind


def random_grammar_text(seed: int) -> str:
    rng = random.Random(seed)
    names = ["root"] + rng.sample(RULE_NAMES[1:], rng.randint(0, 3))
    lines = []
    for name in names:
        body, _ = random_expr(rng, names, rng.randint(0, 4))
        if rng.random() < 0.2:
            body += " (= " + random_expr(rng, names, rng.randint(0, 2))[0] + ")"
        lines.append(f"{name} ::={rng.choice(SEPARATORS)}{body}")
    rng.shuffle(lines)
    return "\n".join(lines) + rng.choice(["", "\n", "\n# end\n"])


grammar_texts = st.integers(0, 2**64 - 1).map(random_grammar_text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grammar_texts)
def test_random_grammar_round_trip(text):
    grammar = Grammar.from_ebnf(text)
    printed = str(grammar)
    assert printed.isascii()
    reparsed = Grammar.from_ebnf(printed)
    assert reparsed._handle.structurally_equal(grammar._handle)
    assert str(reparsed) == printed
    # The independent reference parser reads both texts as the same grammar.
    assert reference_ebnf.parse_ebnf(printed) == reference_ebnf.parse_ebnf(text)
    # Serialization round trip of the same random grammar: the exact same IR.
    restored = Grammar.deserialize_json(grammar.serialize_json())
    assert restored._handle == grammar._handle
    assert restored.serialize_json() == grammar.serialize_json()
