"""Random grammars and random strings in and near their languages, for differential tests.

Two front doors over the same generator:
- seeded, plain Python: `random_grammar(rng, options) -> ebnf.Grammar`,
  `random_grammar_text(seed, options) -> str`, `sentences(recognizer, rng, count)`,
  `strings_near_language(recognizer, rng, count)`;
- hypothesis strategies: `grammars(options)`, `grammars_with_lookahead()`,
  `grammar_texts(options)`, `grammars_with_strings(options, count, valid_utf8)` (draws a grammar
  and a list of byte strings).

`GrammarOptions` says what may appear. By default grammars have 1..`max_rules` rules (`root`
plus `r1`, `r2`, ...), recursion including left recursion, nullable rules, literals with
escapes and multi-byte characters, classes (ranges crossing UTF-8 length boundaries, negation),
and every repetition form; no lookahead unless `lookahead_probability` > 0 (lookahead bodies
never reference rules, so the reference recognizer always supports them). Grammars may have an
empty language or unproductive rules -- that is deliberate.

Strings: `sentences` derives random sentences (explicit stack, a depth budget after which every
nonterminal takes its shortest derivation); `strings_near_language` mixes sentences, their
prefixes, and mutations (insert, delete, replace, duplicate), at the byte level or, with
`valid_utf8=True`, at the code-point level so the result is always valid UTF-8.
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import strategies as st

from . import earley, ebnf

# Characters the generator draws from: few, so random strings collide with the grammar often,
# and of every UTF-8 length (1: a b c, 2: é, 3: €, 4: 𝄞), plus characters that need escapes.
CORE_ALPHABET = "abc"
WIDE_ALPHABET = "é€𝄞"
ESCAPED_ALPHABET = '"\\\n\t-]^'


@dataclasses.dataclass(frozen=True)
class GrammarOptions:
    max_rules: int = 4
    max_depth: int = 3  # expression nesting below a rule body
    max_repeat: int = 3  # bounds in {n}, {n,}, {n,m}
    wide_characters: bool = True  # multi-byte characters in literals and classes
    escaped_characters: bool = True  # quote, backslash, newline, ... in literals and classes
    negated_classes: bool = True
    lookahead_probability: float = 0.0  # chance that a rule gets a `(= ...)` assertion


def _alphabet(options: GrammarOptions) -> str:
    alphabet = CORE_ALPHABET
    if options.wide_characters:
        alphabet += WIDE_ALPHABET
    if options.escaped_characters:
        alphabet += ESCAPED_ALPHABET
    return alphabet


class _GrammarGenerator:
    def __init__(self, rng: random.Random, options: GrammarOptions):
        self.rng = rng
        self.options = options
        self.alphabet = _alphabet(options)
        count = rng.randint(1, options.max_rules)
        self.names = ["root"] + [f"r{index}" for index in range(1, count)]

    def character(self) -> str:
        # Mostly the core letters, so that literals and classes overlap.
        if self.rng.random() < 0.7:
            return self.rng.choice(CORE_ALPHABET)
        return self.rng.choice(self.alphabet)

    def literal(self) -> ebnf.Literal:
        length = self.rng.choice([0, 1, 1, 1, 2, 3])
        return ebnf.Literal("".join(self.character() for _ in range(length)).encode("utf-8"))

    def char_class(self) -> ebnf.CharClass:
        ranges = []
        for _ in range(self.rng.randint(1, 3)):
            lo = ord(self.character())
            if self.rng.random() < 0.4:
                hi = ord(self.character())
                lo, hi = min(lo, hi), max(lo, hi)
            else:
                hi = lo
            ranges.append((lo, hi))
        if self.options.wide_characters and self.rng.random() < 0.15:
            # A wide range crossing the 2-, 3- and 4-byte boundaries and the surrogate gap.
            ranges.append(
                (self.rng.choice([0x7A, 0x7F0, 0xD7F0]), self.rng.choice([0xE000, 0x1D11E]))
            )
        negated = self.options.negated_classes and self.rng.random() < 0.3
        return ebnf.CharClass(ebnf.normalize_ranges(ranges), negated)

    def leaf(self, allow_references: bool) -> ebnf.Node:
        roll = self.rng.random()
        if allow_references and roll < 0.35:
            return ebnf.RuleRef(self.rng.choice(self.names))
        if roll < 0.7:
            return self.literal()
        return self.char_class()

    def expression(self, depth: int, allow_references: bool) -> ebnf.Node:
        """A random expression; recursion is bounded by options.max_depth."""
        if depth >= self.options.max_depth or self.rng.random() < 0.3:
            return self.leaf(allow_references)
        kind = self.rng.choice(["sequence", "sequence", "choice", "repeat"])
        if kind == "repeat":
            item = self.expression(depth + 1, allow_references)
            low = self.rng.randint(0, self.options.max_repeat)
            form = self.rng.choice(["?", "*", "+", "exact", "at_least", "between"])
            bounds = {
                "?": (0, 1),
                "*": (0, None),
                "+": (1, None),
                "exact": (low, low),
                "at_least": (low, None),
                "between": (low, low + self.rng.randint(0, self.options.max_repeat)),
            }[form]
            return ebnf.Repeat(item, *bounds)
        parts = [
            self.expression(depth + 1, allow_references) for _ in range(self.rng.randint(2, 3))
        ]
        if kind == "sequence":
            return ebnf.Sequence(tuple(parts))
        return ebnf.Choice(tuple(parts))

    def rule_body(self, name: str) -> ebnf.Node:
        body = self.expression(0, allow_references=True)
        if self.rng.random() < 0.4:  # a way out of recursion, so most languages are non-empty
            body = ebnf.Choice((body, self.expression(1, allow_references=False)))
        if self.rng.random() < 0.15:  # make left recursion likely: name ::= name ... | ...
            body = ebnf.Choice((ebnf.Sequence((ebnf.RuleRef(name), self.leaf(False))), body))
        return body

    def grammar(self) -> ebnf.Grammar:
        rules = []
        for name in self.names:
            lookahead = None
            if self.rng.random() < self.options.lookahead_probability:
                lookahead = self.expression(1, allow_references=False)
            rules.append(ebnf.Rule(name, self.rule_body(name), lookahead))
        return _normalized(ebnf.Grammar(tuple(rules), "root"))


def _normalized(grammar: ebnf.Grammar) -> ebnf.Grammar:
    """The AST the parser would build from the printed text (so round trips compare equal)."""
    return ebnf.parse_ebnf(ebnf.format_grammar(grammar), grammar.root)


def random_grammar(rng: random.Random, options: GrammarOptions = GrammarOptions()) -> ebnf.Grammar:
    """A random grammar drawn with `rng`."""
    return _GrammarGenerator(rng, options).grammar()


def random_grammar_text(seed: int, options: GrammarOptions = GrammarOptions()) -> str:
    """EBNF text of the random grammar for `seed` (deterministic across runs and platforms)."""
    return ebnf.format_grammar(random_grammar(random.Random(seed), options))


# ---------------------------------------------------------------------------------------------
# Strings.


def _random_codepoint(rng: random.Random, terminal: earley.ClassTerminal) -> int:
    first, last = rng.choice(terminal.allowed)
    if rng.random() < 0.5:
        return rng.choice([first, last])
    return rng.randint(first, min(last, first + 200))


def sentence(
    recognizer: earley.Recognizer,
    rng: random.Random,
    depth_budget: int = 12,
    expansion_budget: int = 60,
) -> bytes | None:
    """A random sentence, or None when the language is empty.

    Expands nonterminals left to right from an explicit stack. Past `depth_budget` nested
    expansions, or after `expansion_budget` random expansions in all, a nonterminal emits its
    shortest string instead, so the walk ends and sentences stay short even for grammars whose
    derivations grow exponentially.
    """
    if recognizer.min_yield[0] is None:
        return None
    output = bytearray()
    stack = [(0, 0)]  # (symbol, depth)
    expansions = 0
    while stack:
        symbol, depth = stack.pop()
        if isinstance(symbol, earley.ByteTerminal):
            output.append(symbol.value)
        elif isinstance(symbol, earley.ClassTerminal):
            output += chr(_random_codepoint(rng, symbol)).encode("utf-8")
        elif depth >= depth_budget or expansions >= expansion_budget:
            output += recognizer.min_yield[symbol]
        else:
            expansions += 1
            productive = [
                index
                for index in recognizer.productions_of[symbol]
                if recognizer.dotted_rest_yield[recognizer.production_start[index]] is not None
            ]
            _, rhs = recognizer.productions[rng.choice(productive)]
            stack.extend((child, depth + 1) for child in reversed(rhs))
    return bytes(output)


def sentences(
    recognizer: earley.Recognizer, rng: random.Random, count: int, max_length: int = 48
) -> list[bytes]:
    """Up to `count` random sentences of at most `max_length` bytes.

    Fewer when the language is empty or its sentences are long (a few tries per sentence), so
    that tests stay fast: the reference recognizer is cubic in the worst case.
    """
    result = []
    for _ in range(3 * count):
        found = sentence(recognizer, rng, depth_budget=rng.randint(2, 12))
        if found is None:
            break
        if len(found) <= max_length:
            result.append(found)
            if len(result) == count:
                break
    return result


def mutate(data: bytes, rng: random.Random, alphabet: str, valid_utf8: bool) -> bytes:
    """One random edit of `data`; with valid_utf8 the edit works on code points."""
    units: list = list(data.decode("utf-8")) if valid_utf8 else list(data)
    if valid_utf8:
        fresh = rng.choice(alphabet)
    else:
        fresh = rng.choice([rng.randrange(256), *rng.choice(alphabet).encode("utf-8")])
    edit = rng.choice(["insert", "delete", "replace", "duplicate", "truncate"])
    where = rng.randint(0, len(units))
    if edit == "insert" or not units:
        units.insert(where, fresh)
    elif edit == "delete":
        del units[min(where, len(units) - 1)]
    elif edit == "replace":
        units[min(where, len(units) - 1)] = fresh
    elif edit == "duplicate":
        units[where:where] = units[where : where + rng.randint(1, 3)]
    else:
        del units[where:]
    return "".join(units).encode("utf-8") if valid_utf8 else bytes(units)


def strings_near_language(
    recognizer: earley.Recognizer,
    rng: random.Random,
    count: int,
    *,
    valid_utf8: bool = False,
    alphabet: str = CORE_ALPHABET + WIDE_ALPHABET + ESCAPED_ALPHABET,
    max_length: int = 48,
) -> list[bytes]:
    """`count` strings: sentences, their prefixes and mutations, and plain random strings.

    With valid_utf8, every string decodes as UTF-8 (prefixes are cut at character boundaries).
    Sentences are at most `max_length` bytes (mutations may add a few).
    """
    found = sentences(recognizer, rng, max(1, count // 2), max_length)
    result = list(found)
    while len(result) < count:
        roll = rng.random()
        if found and roll < 0.5:
            base = rng.choice(found)
            for _ in range(rng.randint(1, 2)):
                base = mutate(base, rng, alphabet, valid_utf8)
            result.append(base)
        elif found and roll < 0.7:
            base = rng.choice(found)
            cut = rng.randint(0, len(base))
            if valid_utf8:
                base = base.decode("utf-8")[: rng.randint(0, len(base.decode("utf-8")))]
                result.append(base.encode("utf-8"))
            else:
                result.append(base[:cut])
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            result.append(text.encode("utf-8"))
    return result[:count]


# ---------------------------------------------------------------------------------------------
# Hypothesis strategies (hypothesis drives the Random, so failures shrink and replay).


def grammars(options: GrammarOptions = GrammarOptions()) -> st.SearchStrategy[ebnf.Grammar]:
    return st.randoms(use_true_random=False).map(lambda rng: random_grammar(rng, options))


def grammars_with_lookahead(
    options: GrammarOptions = GrammarOptions(lookahead_probability=0.5),
) -> st.SearchStrategy[ebnf.Grammar]:
    """Grammars where rules often carry a `(= ...)` assertion (bodies without rule references)."""
    return grammars(options)


def grammar_texts(options: GrammarOptions = GrammarOptions()) -> st.SearchStrategy[str]:
    return grammars(options).map(ebnf.format_grammar)


@st.composite
def grammars_with_strings(
    draw, options: GrammarOptions = GrammarOptions(), count: int = 8, valid_utf8: bool = False
) -> tuple[ebnf.Grammar, list[bytes]]:
    """A random grammar and `count` strings in or near its language."""
    grammar = draw(grammars(options))
    rng = draw(st.randoms(use_true_random=False))
    recognizer = earley.Recognizer(grammar)
    return grammar, strings_near_language(recognizer, rng, count, valid_utf8=valid_utf8)
