"""The reference recognizer (tests/reference) checked by hand, against lark, and against itself.

(a) hand-written cases for every construct of the dialect, the strict UTF-8 rules, productivity
    and lookahead semantics; parser errors with their locations;
(b) whole-string acceptance agrees with lark's Earley parser on 200 seeded random grammars, and
    with the span-fixpoint oracle (reference/span_oracle.py) on raw bytes and on lookaheads;
(c) viable-prefix properties: prefixes of sentences are viable, a viable prefix's shortest
    completion is a sentence, a non-viable prefix starts no sentence, token masks agree with
    per-token answers.
"""

from __future__ import annotations

import random

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from reference import earley, ebnf, span_oracle
from reference import random_grammars as rg

# ---------------------------------------------------------------------------------------------
# (a) Hand-written cases: (grammar, sentences, non-sentences that are viable prefixes,
#     non-viable strings). Text is str (UTF-8 encoded); raw bytes are bytes.

CASES = [
    # literals and escapes: every escape is a code point, written as UTF-8
    (
        r'root ::= "a\n\t\\\"\x41\u00e9\U0001F600"',
        ['a\n\t\\"Aé😀'],
        ["a\n", b'a\n\t\\"A\xc3\xa9\xf0'],
        ["b"],
    ),
    (r'root ::= "\xff"', ["\u00ff"], [b"\xc3"], [b"\xff"]),
    (r'root ::= ""', [""], [], ["a"]),
    (r"root ::= ()", [""], [], ["a"]),
    # classes over code points, ranges crossing UTF-8 lengths, negation
    (r"root ::= [a-c]", ["a", "b", "c"], [""], ["d", "ab", b"\xc3"]),
    (
        r"root ::= [é-€]",
        ["é", "ÿ", "߿", "ࠀ", "€"],
        [b"\xc3", b"\xe2\x82"],
        [b"\xc3\xa8", b"\xe2\x82\xad"],
    ),
    (
        r"root ::= [^a]",
        ["b", "\n", "é", "\U0010ffff", "\ud7ff", "\ue000"],
        [b"\xf4\x8f"],
        ["a", b"\xed\xa0\x80", b"\xed\xa0", b"\xc0\x80", b"\xf4\x90", b"\xff"],
    ),
    (r"root ::= [^]", ["a", "\U0010ffff"], [""], ["ab"]),
    (r"root ::= []", [], [], ["", "a"]),
    (r"root ::= [\x2d\x5d\x5e\\]", ["-", "]", "^", "\\"], [], ["a"]),
    (r"root ::= [-a] [a-]", ["-a", "a-", "--"], ["-"], ["b"]),
    # sequence, choice, grouping
    (r'root ::= "a" ("b" | "c") "d"', ["abd", "acd"], ["a", "ab"], ["ad", "abdd"]),
    (r'root ::= "a" | "ab" | ""', ["", "a", "ab"], [], ["b", "abb"]),
    # quantifiers
    (r'root ::= "a"? "b"', ["b", "ab"], ["", "a"], ["aab", "ba"]),
    (r'root ::= "a"* "b"', ["b", "ab", "aaaab"], ["aaa"], ["bb"]),
    (r'root ::= "a"+ "b"', ["ab", "aaab"], ["", "a"], ["b"]),
    (r'root ::= "ab"{2}', ["abab"], ["", "ab", "aba"], ["b", "ababa"]),
    (r'root ::= "a"{2,}', ["aa", "aaaaaa"], ["", "a"], ["b"]),
    (r'root ::= "a"{1,3}', ["a", "aa", "aaa"], [""], ["aaaa"]),
    (r'root ::= "a"{0,0} "b"', ["b"], [""], ["ab"]),
    (r'root ::= ("a" | "bc"){2,3}', ["aa", "abc", "bcbca", "aaa"], ["b", "a"], ["aaaa", "c"]),
    # recursion: left, right, middle, ambiguity, cycles, nullable rules
    (r'root ::= root "+" n | n' "\n" r"n ::= [0-9]+", ["1", "1+22+3"], ["1+"], ["+", "1++"]),
    (r'root ::= "(" root ")" | ""', ["", "()", "(())"], ["((", "(()"], [")", "())"]),
    (r'root ::= root root | "a" | ""', ["", "a", "aaaa"], [], ["b"]),
    (r"root ::= a" "\n" r"a ::= a | b" "\n" r'b ::= "x" | a', ["x"], [""], ["xx"]),
    (r"root ::= a b a" "\n" r'a ::= "" | "a"' "\n" r"b ::= a a", ["", "a", "aaaa"], [], ["aaaaa"]),
    # productivity: rules that derive no finite string never make a prefix viable
    (r'root ::= "x" a | "y"' "\n" r'a ::= "x" a', ["y"], [""], ["x", "xx"]),
    (r"root ::= a" "\n" r"a ::= a", [], [], ["", "a"]),
    (r'root ::= "x" [] | "y"', ["y"], [""], ["x"]),
    # comments, newlines inside bodies, another root name
    ('# c\nroot ::= "a" # c\n  | "b"\n\nother ::= "c"', ["a", "b"], [""], ["c"]),
    # lookahead assertions are part of the language
    (r'root ::= "a" (= "b")', [], [], ["", "a", "ab"]),
    (r'root ::= a "b"' "\n" r'a ::= "a" (= "b")', ["ab"], ["", "a"], ["ac"]),
    (r"root ::= a [bc]" "\n" r'a ::= "a" (= "b")', ["ab"], ["a"], ["ac"]),
    (r'root ::= a "c"' "\n" r'a ::= "a" (= "b")', [], [], ["a", "ac"]),
    (r"root ::= a b" "\n" r'a ::= "a" (= "")' "\n" r'b ::= "b"?', ["a", "ab"], [], ["c"]),
    (
        r'root ::= x "," x "!" | x "?"' "\n" r'x ::= [0-9]+ (= ("," [0-9]) | "!")',
        ["1,2!"],
        ["1", "1,", "1,2"],
        ["1!", "1?", "1,2,", ",", "1,2?"],
    ),
    (
        r"root ::= item+ [b-c]" "\n" r"item ::= [a-c] (= [b-c])",
        ["ab", "ac", "abc"],
        ["a", "b"],
        ["aa", "d", "aba"],
    ),
]


def _bytes(text) -> bytes:
    """Cases write text as str (UTF-8 encoded here) and raw or broken UTF-8 as bytes."""
    return text if isinstance(text, bytes) else text.encode("utf-8")


@pytest.mark.parametrize(("grammar", "sentences", "viable", "rejected"), CASES)
def test_hand_written_case(grammar, sentences, viable, rejected):
    recognizer = earley.Recognizer(grammar)
    for text in sentences:
        data = _bytes(text)
        assert recognizer.accepts(data), data
        assert recognizer.is_viable_prefix(data), data
    for text in viable:
        data = _bytes(text)
        assert not recognizer.accepts(data), data
        assert recognizer.is_viable_prefix(data), data
    for text in rejected:
        data = _bytes(text)
        assert not recognizer.accepts(data), data
        assert not recognizer.is_viable_prefix(data), data


@pytest.mark.parametrize(("grammar", "sentences", "viable", "rejected"), CASES)
def test_span_oracle_agrees_on_hand_written_cases(grammar, sentences, viable, rejected):
    parsed = ebnf.parse_ebnf(grammar)
    for text in sentences:
        assert span_oracle.span_accepts(parsed, _bytes(text)), text
    for text in viable + rejected:
        assert not span_oracle.span_accepts(parsed, _bytes(text)), text


def test_root_rule_name_parameter_picks_the_start_rule():
    grammar = ebnf.parse_ebnf('main ::= "a" other\nother ::= "b"', root_rule_name="main")
    assert earley.accepts(grammar, b"ab")
    assert not earley.accepts(grammar, b"b")
    with pytest.raises(ebnf.EbnfSyntaxError, match="root rule"):
        ebnf.parse_ebnf('main ::= "a"')


def test_an_unresolvable_lookahead_is_refused_rather_than_guessed():
    # After "x", every continuation ends "y" "q" while the assertion after "y" wants "z": no
    # sentence starts with "x". Proving that needs more than a bounded search (and "z" can
    # follow `a` elsewhere, so the static check does not catch it): the oracle refuses.
    recognizer = earley.Recognizer(
        'root ::= "x" [a-z]* a "q" | c\nc ::= "w" a "z"\na ::= "y" (= "z")'
    )
    assert recognizer.accepts(b"wyz") and not recognizer.accepts(b"xyq")
    with pytest.raises(NotImplementedError):
        recognizer.is_viable_prefix(b"x")


def test_an_assertion_only_the_end_of_text_follows_is_known_to_fail():
    # FOLLOW(a) is the end of text, FIRST of the assertion is "z": `a` can never complete.
    recognizer = earley.Recognizer('root ::= "x" [a-z]* a\na ::= "y" (= "z")')
    assert not recognizer.is_viable_prefix(b"") and not recognizer.is_viable_prefix(b"xab")


def test_nested_lookaheads_are_refused():
    with pytest.raises(NotImplementedError, match="nest"):
        earley.Recognizer('root ::= a b\na ::= "a" (= b)\nb ::= "b" (= "c")')


def test_counted_repetition_past_the_budget_is_a_clear_error():
    with pytest.raises(earley.ReferenceLimitError):
        earley.Recognizer(f'root ::= "a"{{{earley.MAX_EXPANDED_REPETITION + 1}}}')


def test_states_are_persistent_and_branch():
    recognizer = earley.Recognizer('root ::= "ab" | "ac" | "b"')
    start = recognizer.initial_state()
    after_a = start.advance(b"a")
    assert after_a.advance(b"b").is_complete()
    assert after_a.advance(b"c").is_complete()
    assert not after_a.is_complete() and after_a.is_viable()
    assert start.advance(b"b").is_complete() and start.position == 0
    assert after_a.advance(b"a").is_dead()


def test_shortest_completion_finishes_a_viable_prefix():
    recognizer = earley.Recognizer('root ::= "(" root ")" | "[" [é-€]+ "]"')
    state = recognizer.initial_state().advance(b"(([\xc3")
    completion = state.shortest_completion()
    assert completion == b"\xa9]))" and recognizer.accepts(b"(([\xc3" + completion)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('root ::= "a" b', 1, 14),  # undefined rule
        ('root ::= "a"\nroot ::= "b"', 2, 1),  # defined twice
        ('root ::= "\\ud800"', 1, 11),  # surrogate escape
        ("root ::= [\\U00110000]", 1, 11),  # above U+10FFFF
        ('root ::= "\\x4"', 1, 11),  # \x takes exactly two hex digits
        ('root ::= "\\q"', 1, 11),  # unknown escape
        ('root ::= "a" |', 1, 15),  # empty alternative
        ('root ::= "a" b ::= "c"', 1, 14),  # a rule name must start its line
        ('root ::= "a"{3,2}', 1, 13),  # bad repetition bounds
        ("root ::= [z-a]", 1, 11),  # bad range
        ('root ::= "abc', 1, 10),  # unterminated string
        ('root ::= ("a"', 1, 10),  # unclosed group
        ('root ::= "a"**', 1, 14),  # one quantifier per element
        ('root ::= "a" (= "b") "c"', 1, 22),  # the lookahead ends the rule
    ],
)
def test_parse_errors_name_line_and_column(text, line, column):
    with pytest.raises(ebnf.EbnfSyntaxError) as caught:
        ebnf.parse_ebnf(text)
    assert (caught.value.line, caught.value.column) == (line, column), caught.value


def test_parser_builds_the_documented_ast():
    grammar = ebnf.parse_ebnf('root ::= ("a" | [^b-cx]){2,} item? (= "z")\nitem ::= "é"*')
    root = grammar.rule("root")
    assert root.body == ebnf.Sequence(
        (
            ebnf.Repeat(
                ebnf.Choice((ebnf.Literal(b"a"), ebnf.CharClass(((98, 99), (120, 120)), True))),
                2,
                None,
            ),
            ebnf.Repeat(ebnf.RuleRef("item"), 0, 1),
        )
    )
    assert root.lookahead == ebnf.Literal(b"z")
    assert grammar.rule("item").body == ebnf.Repeat(ebnf.Literal("é".encode()), 0, None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rg.grammars_with_lookahead())
def test_printer_round_trips(grammar):
    text = ebnf.format_grammar(grammar)
    assert ebnf.parse_ebnf(text) == grammar
    assert ebnf.format_grammar(ebnf.parse_ebnf(text)) == text


# ---------------------------------------------------------------------------------------------
# (b) Whole-string acceptance against lark's Earley parser (lark works on str, so the random
#     grammars and strings are valid UTF-8 here).


def _lark_escape(codepoint: int) -> str:
    """One code point inside a lark /regex/: lark first evaluates \\U escapes to characters,
    then compiles the regex, so punctuation is backslash-escaped for the regex instead."""
    char = chr(codepoint)
    if char.isascii() and char.isalnum():
        return char
    if char.isascii() and char.isprintable():
        return "\\" + char
    return f"\\U{codepoint:08x}"


class _LarkTranslation:
    """An ebnf.Grammar as lark grammar text. Repetition is spelled without lark's `~` (which
    expands every count and blows up when nested): `{n,}` as n copies then a right-recursive
    helper rule, `{n,m}` as n copies then m-n nested optionals -- on purpose not the
    recognizer's own lowering."""

    def __init__(self, grammar: ebnf.Grammar):
        self.names = {rule.name: f"rule_{index}" for index, rule in enumerate(grammar.rules)}
        self.lines = []
        for rule in grammar.rules:
            self.lines.append(f"{self.names[rule.name]}: {self.expression(rule.body)}")
        self.start = self.names[grammar.root]

    def expression(self, node: ebnf.Node) -> str:
        if isinstance(node, ebnf.Literal):
            text = node.data.decode("utf-8")
            return "()" if not text else "/" + "".join(_lark_escape(ord(c)) for c in text) + "/"
        if isinstance(node, ebnf.CharClass):
            body = "".join(
                _lark_escape(lo) + ("" if lo == hi else "-" + _lark_escape(hi))
                for lo, hi in node.ranges
            )
            return "/[" + ("^" if node.negated else "") + body + "]/"
        if isinstance(node, ebnf.RuleRef):
            return self.names[node.name]
        if isinstance(node, ebnf.Sequence):
            return "(" + " ".join(self.expression(item) for item in node.items) + ")"
        if isinstance(node, ebnf.Choice):
            return "(" + " | ".join(self.expression(alt) for alt in node.alternatives) + ")"
        item = "(" + self.expression(node.item) + ")"
        low, high = node.min_count, node.max_count
        required = " ".join([item] * low)
        if high is None:
            helper = f"helper_{len(self.lines)}"
            self.lines.append(f"{helper}: {item} {helper} | ()")
            return f"({required} {helper})"
        optional = ""
        for _ in range(high - low):
            optional = f"({item} {optional})?"
        return f"({required} {optional})" if required or optional else "()"

    def parser(self) -> lark.Lark:
        return lark.Lark("\n".join(self.lines), start=self.start, parser="earley")


def lark_accepts(parser: lark.Lark, data: bytes) -> bool:
    try:
        parser.parse(data.decode("utf-8"))
    except lark.exceptions.LarkError:
        return False
    return True


def test_acceptance_agrees_with_lark_on_random_grammars():
    options = rg.GrammarOptions(max_rules=4, max_depth=3)
    accepted = rejected = 0
    for seed in range(200):
        grammar = rg.random_grammar(random.Random(seed), options)
        recognizer = earley.Recognizer(grammar)
        parser = _LarkTranslation(grammar).parser()
        rng = random.Random(1000 + seed)
        # Short strings: lark's Earley builds a parse forest and is slow on ambiguous grammars.
        for data in rg.strings_near_language(recognizer, rng, 8, valid_utf8=True, max_length=24):
            expected = lark_accepts(parser, data)
            assert recognizer.accepts(data) == expected, (ebnf.format_grammar(grammar), data)
            accepted += expected
            rejected += not expected
    # The generator must exercise both answers, or the comparison means little.
    assert accepted > 300 and rejected > 300, (accepted, rejected)


@pytest.mark.parametrize("lookahead_probability", [0.0, 0.5])
def test_acceptance_agrees_with_span_oracle_on_raw_bytes(lookahead_probability):
    # Byte-level mutations reach invalid UTF-8 (cut characters, stray continuation bytes).
    options = rg.GrammarOptions(lookahead_probability=lookahead_probability)
    accepted = rejected = 0
    for seed in range(120):
        grammar = rg.random_grammar(random.Random(seed), options)
        recognizer = earley.Recognizer(grammar)
        for data in rg.strings_near_language(recognizer, random.Random(seed), 8, max_length=16):
            expected = span_oracle.span_accepts(grammar, data)
            assert recognizer.accepts(data) == expected, (ebnf.format_grammar(grammar), data)
            accepted += expected
            rejected += not expected
    assert accepted > 150 and rejected > 150, (accepted, rejected)


# ---------------------------------------------------------------------------------------------
# (c) Viable-prefix properties.


def _check_prefix_properties(recognizer: earley.Recognizer, strings: list) -> None:
    sentences = [data for data in strings if recognizer.accepts(data)]
    for data in sentences:
        state = recognizer.initial_state()
        for cut in range(len(data) + 1):
            # every prefix of a sentence, cut anywhere (also inside a character), is viable
            assert state.is_viable(), (data, cut)
            if cut < len(data):
                state = state.advance_byte(data[cut])
    for data in strings:
        state = recognizer.initial_state().advance(data)
        if state.is_viable():
            completion = state.shortest_completion()
            assert completion is not None and recognizer.accepts(data + completion), data
        else:
            assert not any(sentence.startswith(data) for sentence in sentences), data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rg.grammars_with_strings(count=10))
def test_viable_prefix_properties_hold_on_random_grammars(grammar_and_strings):
    grammar, strings = grammar_and_strings
    _check_prefix_properties(earley.Recognizer(grammar), strings)


def test_token_mask_agrees_with_per_token_viability():
    vocabulary = [b"", b"a", b"ab", b"abc", b"b", b"ba", b"\xc3", b"\xc3\xa9", b"\xa9", b"c", b"ca"]
    vocabulary += [bytes([byte]) for byte in range(256)] + [b"aaa", b"abab", b"\xe2\x82"]
    for seed in range(30):
        grammar = rg.random_grammar(random.Random(seed))
        recognizer = earley.Recognizer(grammar)
        for prefix in rg.strings_near_language(recognizer, random.Random(seed), 3):
            state = recognizer.initial_state().advance(prefix)
            mask = earley.viable_token_mask(state, vocabulary)
            expected = [recognizer.is_viable_prefix(prefix + token) for token in vocabulary]
            assert mask == expected, (ebnf.format_grammar(grammar), prefix)


def test_lookahead_only_restricts_the_language_and_decided_viability_is_consistent():
    # Dropping every assertion can only add sentences. Viability with lookaheads may be
    # undecided (NotImplementedError), but a decided answer must never contradict a sentence.
    options = rg.GrammarOptions(lookahead_probability=0.5)
    decided = undecided = 0
    for seed in range(30):
        grammar = rg.random_grammar(random.Random(seed), options)
        plain = ebnf.Grammar(tuple(ebnf.Rule(r.name, r.body) for r in grammar.rules), grammar.root)
        with_lookahead, without = earley.Recognizer(grammar), earley.Recognizer(plain)
        strings = rg.strings_near_language(without, random.Random(seed), 10)
        sentences = [data for data in strings if with_lookahead.accepts(data)]
        assert all(without.accepts(data) for data in sentences)
        for data in strings:
            for cut in sorted({0, len(data) // 2, len(data)}):
                try:
                    viable = with_lookahead.is_viable_prefix(data[:cut])
                except NotImplementedError:
                    undecided += 1
                    continue
                decided += 1
                if viable:
                    assert without.is_viable_prefix(data[:cut]), (seed, data[:cut])
                else:
                    assert not any(s.startswith(data[:cut]) for s in sentences), (seed, data)
    assert decided > 3 * undecided, (decided, undecided)
