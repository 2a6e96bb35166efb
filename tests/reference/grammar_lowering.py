"""Lowering an ebnf.Grammar to plain productions over byte and code-point-class terminals.

Used by the reference Earley recognizer (earley.py), only in tests. Entry point:
`lower_grammar(grammar) -> LoweredGrammar`: nonterminal names (0 is the start symbol, whose one
production is `root`), productions `(lhs, symbols)`, and which rule has which lookahead.

Terminals: `ByteTerminal` (one byte; literals become sequences of these) and `ClassTerminal`
(one code point of a character class, matched byte by byte as strict UTF-8 -- never a
surrogate, an overlong form or above U+10FFFF). Groups, choices and repetitions become helper
nonterminals; `{n,m}` is expanded, within `MAX_EXPANDED_REPETITION` symbols.
"""

from __future__ import annotations

from . import ebnf

MAX_EXPANDED_REPETITION = 4096  # {n,m} is expanded into n + (m - n) symbols; above this: error


class ReferenceLimitError(Exception):
    """The grammar is too big for the reference recognizer (see the MAX_* constants)."""


# ---------------------------------------------------------------------------------------------
# Terminals.


def utf8_prefix_interval(prefix: bytes) -> tuple[int, int, bool] | None:
    """The code points whose UTF-8 encoding starts with `prefix`, as (lo, hi, is_whole).

    UTF-8 preserves order, so those code points form one interval. None when no valid encoding
    starts with `prefix` (bad lead or continuation byte, overlong, above U+10FFFF). Surrogates
    are NOT excluded here; the class membership test does that.
    """
    lead = prefix[0]
    if lead < 0x80:
        length, bits, lowest, highest = 1, lead, 0, 0x7F
    elif 0xC0 <= lead < 0xE0:
        length, bits, lowest, highest = 2, lead & 0x1F, 0x80, 0x7FF
    elif 0xE0 <= lead < 0xF0:
        length, bits, lowest, highest = 3, lead & 0x0F, 0x800, 0xFFFF
    elif 0xF0 <= lead < 0xF8:
        length, bits, lowest, highest = 4, lead & 0x07, 0x10000, 0x10FFFF
    else:
        return None
    if len(prefix) > length:
        return None
    for byte in prefix[1:]:
        if byte & 0xC0 != 0x80:
            return None
        bits = (bits << 6) | (byte & 0x3F)
    missing_bits = 6 * (length - len(prefix))
    lo = max(bits << missing_bits, lowest)
    hi = min((bits << missing_bits) | ((1 << missing_bits) - 1), highest)
    if lo > hi:
        return None
    return lo, hi, len(prefix) == length


class ByteTerminal:
    """Exactly one byte (literals are sequences of these)."""

    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value

    def __repr__(self):
        return f"ByteTerminal({self.value:#04x})"


class ClassTerminal:
    """One code point of a class, read byte by byte as UTF-8."""

    __slots__ = ("allowed", "description")

    def __init__(self, char_class: ebnf.CharClass):
        ranges = list(char_class.ranges)
        if char_class.negated:
            ranges = _complement(ranges)
        self.allowed = _subtract(ranges, ebnf.SURROGATES)  # never a surrogate
        self.description = ebnf.format_node(char_class)

    def __repr__(self):
        return f"ClassTerminal({self.description})"

    def smallest_in(self, lo: int, hi: int) -> int | None:
        """The smallest allowed code point in [lo, hi], or None."""
        for first, last in self.allowed:
            if last >= lo and first <= hi:
                return max(first, lo)
        return None

    def match(self, prefix: bytes) -> int:
        """0: no allowed code point starts with `prefix`; 1: some does; 2: `prefix` is one."""
        interval = utf8_prefix_interval(prefix)
        if interval is None:
            return 0
        lo, hi, whole = interval
        if self.smallest_in(lo, hi) is None:
            return 0
        return 2 if whole else 1

    def shortest_completion(self, prefix: bytes) -> bytes | None:
        """The fewest bytes that turn `prefix` into a whole allowed code point."""
        if not prefix:
            codepoint = self.smallest_in(0, ebnf.MAX_CODEPOINT)
            return None if codepoint is None else chr(codepoint).encode("utf-8")
        lo, hi, _ = utf8_prefix_interval(prefix)
        return chr(self.smallest_in(lo, hi)).encode("utf-8")[len(prefix) :]


def _complement(ranges):
    result, next_free = [], 0
    for lo, hi in ranges:
        if lo > next_free:
            result.append((next_free, lo - 1))
        next_free = max(next_free, hi + 1)
    if next_free <= ebnf.MAX_CODEPOINT:
        result.append((next_free, ebnf.MAX_CODEPOINT))
    return result


def _subtract(ranges, removed):
    gap_lo, gap_hi = removed
    result = []
    for lo, hi in ranges:
        if hi < gap_lo or lo > gap_hi:
            result.append((lo, hi))
            continue
        if lo < gap_lo:
            result.append((lo, gap_lo - 1))
        if hi > gap_hi:
            result.append((gap_hi + 1, hi))
    return tuple(result)


# ---------------------------------------------------------------------------------------------
# Lowering the AST to productions.


class LoweredGrammar:
    """An ebnf.Grammar as productions over nonterminal ids and terminal objects."""

    def __init__(self, grammar: ebnf.Grammar):
        self.names: list[str] = ["<start>"]
        self.productions: list[tuple[int, tuple]] = []
        self.rule_ids = {}
        self.byte_terminals = [ByteTerminal(value) for value in range(256)]
        self.class_terminals: dict = {}
        self.lookahead_of: dict[int, int] = {}  # rule nonterminal -> lookahead nonterminal
        for rule in grammar.rules:
            self.rule_ids[rule.name] = self.new_nonterminal(rule.name)
        self.productions.append((0, (self.rule_ids[grammar.root],)))
        for rule in grammar.rules:
            self.add_alternatives(self.rule_ids[rule.name], rule.body)
            if rule.lookahead is not None:
                lookahead = self.new_nonterminal(f"<lookahead of {rule.name}>")
                self.add_alternatives(lookahead, rule.lookahead)
                self.lookahead_of[self.rule_ids[rule.name]] = lookahead

    def new_nonterminal(self, name: str) -> int:
        self.names.append(name)
        return len(self.names) - 1

    def add_alternatives(self, lhs: int, node: ebnf.Node) -> None:
        alternatives = node.alternatives if isinstance(node, ebnf.Choice) else (node,)
        for alternative in alternatives:
            self.productions.append((lhs, tuple(self.symbols(alternative))))

    def single_symbol(self, node: ebnf.Node):
        symbols = self.symbols(node)
        if len(symbols) == 1:
            return symbols[0]
        helper = self.new_nonterminal(f"<group {len(self.names)}>")
        self.productions.append((helper, tuple(symbols)))
        return helper

    def symbols(self, node: ebnf.Node) -> list:
        """The symbols of `node` inside a sequence (recursion bounded by the AST's depth)."""
        if isinstance(node, ebnf.Literal):
            return [self.byte_terminals[byte] for byte in node.data]
        if isinstance(node, ebnf.CharClass):
            if node not in self.class_terminals:
                self.class_terminals[node] = ClassTerminal(node)
            return [self.class_terminals[node]]
        if isinstance(node, ebnf.RuleRef):
            return [self.rule_ids[node.name]]
        if isinstance(node, ebnf.Sequence):
            return [symbol for item in node.items for symbol in self.symbols(item)]
        if isinstance(node, ebnf.Choice):
            helper = self.new_nonterminal(f"<choice {len(self.names)}>")
            self.add_alternatives(helper, node)
            return [helper]
        if isinstance(node, ebnf.Repeat):
            return self.repeat_symbols(node)
        raise TypeError(f"not an AST node: {node!r}")

    def repeat_symbols(self, node: ebnf.Repeat) -> list:
        low, high = node.min_count, node.max_count
        if low + (0 if high is None else high - low) > MAX_EXPANDED_REPETITION:
            raise ReferenceLimitError(
                f"repetition {{{low},{high}}} expands past {MAX_EXPANDED_REPETITION} symbols"
            )
        item = self.single_symbol(node.item)
        result = [item] * low
        if high is None:  # tail ::= "" | tail item   (left recursive, which Earley likes)
            tail = self.new_nonterminal(f"<star {len(self.names)}>")
            self.productions.append((tail, ()))
            self.productions.append((tail, (tail, item)))
            result.append(tail)
        elif high > low:  # optional_k ::= "" | item optional_{k-1}
            optional = None
            for _ in range(high - low):
                next_optional = self.new_nonterminal(f"<optional {len(self.names)}>")
                self.productions.append((next_optional, ()))
                tail = (item,) if optional is None else (item, optional)
                self.productions.append((next_optional, tail))
                optional = next_optional
            result.append(optional)
        return result


def lower_grammar(grammar: ebnf.Grammar) -> LoweredGrammar:
    return LoweredGrammar(grammar)
