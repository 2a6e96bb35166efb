"""The reference recognizer: an Earley parser over bytes, the oracle for every token-mask test.

Written for clarity, not speed, and only for tests. Entry points:
- `Recognizer(grammar)` compiles an `ebnf.Grammar` (or EBNF text) once; it is immutable.
- `Recognizer.initial_state() -> ParserState`; `ParserState.advance(data)` returns a NEW state
  (states are persistent: advancing never changes the original, so one state can be branched
  into many continuations at the cost of one byte step each).
- `ParserState.is_complete()`: the bytes so far form a sentence.
  `ParserState.is_viable()`: the bytes so far extend to some sentence.
- `accepts(grammar, data)`, `is_viable_prefix(grammar, data)` and `viable_token_mask(state,
  tokens)` (all tokens from one state, walking the sorted vocabulary and reusing shared prefixes).

Semantics (DESIGN.md, "Mask semantics"): text is strict UTF-8. A character class matches one
whole well-formed UTF-8 sequence of a code point in the class (negated: any code point outside it)
-- never a surrogate, an overlong form or anything above U+10FFFF. A byte that stops inside a
code point keeps the prefix viable exactly when some code point of the class starts with those
bytes.

How it works. The AST is lowered to plain productions whose terminals are single bytes and
code-point classes (`_Lowering`). The chart holds items (dotted production, origin, bytes of a
partly read code point, conditions). Only items whose remaining symbols can derive a finite
string are ever created (productivity), so for a grammar without lookaheads a prefix is viable
exactly when the last item set is non-empty. Left recursion, nullable rules and ambiguity need
nothing special in Earley; nullable completions inside one set are replayed to items that arrive
later. Counted repetition is expanded (`MAX_EXPANDED_REPETITION`).

Lookahead assertions (`rule ::= body (= la)`): when `rule` completes at position j, the text from
j on must start with a string of L(la). Each such obligation is a condition (la, j) carried by
the items of the derivations that made it, and decided by its own small Earley parse of la from
j: once that parse accepts, the condition is discharged; once it dies, every item carrying it
is dropped; one still pending at the end of input fails. This is exact for `is_complete`
(so `root ::= "a" (= "b")` accepts nothing). For `is_viable` with pending or future conditions,
exactness in general means intersecting context-free languages, which is undecidable, so
`is_viable` looks for a witness instead: it answers True when a continuation it tries is
accepted, False when every continuation dies within the search (a finite tree), and otherwise
raises NotImplementedError -- it never guesses. Restriction: a lookahead expression must not
reach (through rule references) a rule that has a lookahead itself; such grammars raise
NotImplementedError when compiled.
"""

from __future__ import annotations

import functools
import heapq
from typing import Sequence, Union

from . import ebnf

MAX_EXPANDED_REPETITION = 4096  # {n,m} is expanded into n + (m - n) symbols; above this: error
MAX_WITNESS_SEARCH_STATES = 256  # states a viability search with lookaheads may visit
_EMPTY = frozenset()

# Outcomes of a lookahead condition.
_PENDING, _DISCHARGED, _DEAD = 0, 1, 2


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


class _Lowering:
    """Turns an ebnf.Grammar into productions over nonterminal ids and terminal objects."""

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


# ---------------------------------------------------------------------------------------------
# The compiled grammar.


class Recognizer:
    """A grammar compiled for Earley recognition. Immutable; share it freely.

    Dotted productions ("dotted ids") are numbered so that an item is a small tuple; per dotted
    id we keep the symbol after the dot, the id with the dot advanced, and whether (and with
    which shortest bytes) the rest of the production can derive a finite string.
    """

    def __init__(self, grammar: Union[ebnf.Grammar, str], root_rule_name: str = "root"):
        if isinstance(grammar, str):
            grammar = ebnf.parse_ebnf(grammar, root_rule_name)
        self.grammar = grammar
        lowered = _Lowering(grammar)
        self.names = lowered.names
        self.lookahead_of = lowered.lookahead_of
        self.has_lookahead = bool(self.lookahead_of)
        count = len(self.names)
        self.productions_of: list[list[int]] = [[] for _ in range(count)]
        for index, (lhs, _) in enumerate(lowered.productions):
            self.productions_of[lhs].append(index)
        self.min_yield = self._shortest_yields(lowered.productions, count)
        self._number_dotted(lowered.productions)
        self._check_lookaheads_are_plain(lowered.productions)

    @staticmethod
    def _terminal_yield(symbol) -> bytes | None:
        if isinstance(symbol, ByteTerminal):
            return bytes([symbol.value])
        return symbol.shortest_completion(b"")

    def _shortest_yields(self, productions, count) -> list[bytes | None]:
        """Per nonterminal, a shortest string it derives (None: it derives no finite string).

        A fixpoint: lengths only shrink, so it terminates; a nonterminal is productive iff it
        ends with a string.
        """
        best: list[bytes | None] = [None] * count
        changed = True
        while changed:
            changed = False
            for lhs, rhs in productions:
                candidate = self._sequence_yield(rhs, best)
                if candidate is not None and (best[lhs] is None or len(candidate) < len(best[lhs])):
                    best[lhs] = candidate
                    changed = True
        return best

    def _sequence_yield(self, symbols, best) -> bytes | None:
        parts = []
        for symbol in symbols:
            part = best[symbol] if isinstance(symbol, int) else self._terminal_yield(symbol)
            if part is None:
                return None
            parts.append(part)
        return b"".join(parts)

    def _number_dotted(self, productions) -> None:
        self.dotted_next: list = []  # symbol after the dot, None at the end
        self.dotted_lhs: list[int] = []
        self.dotted_rest_yield: list[bytes | None] = []  # shortest bytes for the rest
        self.first_dotted: list[list[int]] = [[] for _ in self.names]  # productive ones only
        for lhs, rhs in productions:
            start = len(self.dotted_next)
            for dot in range(len(rhs) + 1):
                self.dotted_next.append(rhs[dot] if dot < len(rhs) else None)
                self.dotted_lhs.append(lhs)
                self.dotted_rest_yield.append(self._sequence_yield(rhs[dot:], self.min_yield))
            if self.dotted_rest_yield[start] is not None:
                self.first_dotted[lhs].append(start)
        # advancing the dot is +1 within a production; completed items are never advanced

    def _check_lookaheads_are_plain(self, productions) -> None:
        for rule, lookahead in self.lookahead_of.items():
            reached, stack = {lookahead}, [lookahead]
            while stack:
                for index in self.productions_of[stack.pop()]:
                    for symbol in productions[index][1]:
                        if isinstance(symbol, int) and symbol not in reached:
                            reached.add(symbol)
                            stack.append(symbol)
            nested = sorted(self.names[n] for n in reached if n in self.lookahead_of)
            if nested:
                raise NotImplementedError(
                    f"the lookahead of rule {self.names[rule]!r} reaches rules with lookaheads "
                    f"({', '.join(nested)}); the reference recognizer does not nest assertions"
                )

    def initial_state(self) -> ParserState:
        return ParserState._initial(self, 0)

    def accepts(self, data: bytes) -> bool:
        return self.initial_state().advance(data).is_complete()

    def is_viable_prefix(self, data: bytes) -> bool:
        return self.initial_state().advance(data).is_viable()


# ---------------------------------------------------------------------------------------------
# The chart. An item is (dotted, origin, partial, inherited, conditions):
#   partial     bytes of a code point read so far (only when the next symbol is a class)
#   inherited   the conditions of the parent that predicted it (a snapshot; completion only
#               advances parents whose conditions equal it, so conditions never leak between
#               derivations)
#   conditions  the pending lookahead conditions (lookahead nonterminal, position) of this
#               derivation so far, ancestors included


class _ItemSet:
    __slots__ = ("items", "scanners", "waiting", "complete")

    def __init__(self):
        self.items: set = set()
        self.scanners: list = []  # items whose next symbol is a terminal
        self.waiting: dict[int, list] = {}  # nonterminal -> items whose next symbol it is
        self.complete = False  # the start symbol is complete from 0 with no pending condition


class ParserState:
    """The chart after some bytes. Persistent: `advance` returns a new state sharing the past."""

    __slots__ = ("recognizer", "start", "sets", "conditions")

    def __init__(self, recognizer, start, sets, conditions):
        self.recognizer: Recognizer = recognizer
        self.start: int = start  # the start nonterminal (0, or a lookahead's)
        self.sets: tuple[_ItemSet, ...] = sets
        self.conditions: dict = conditions  # pending (lookahead, position) -> its ParserState

    @classmethod
    def _initial(cls, recognizer: Recognizer, start: int) -> ParserState:
        state = cls(recognizer, start, (), {})
        kernel = [(first, 0, b"", _EMPTY, _EMPTY) for first in recognizer.first_dotted[start]]
        state.sets = (state._close(kernel, state.conditions),)
        return state

    @property
    def position(self) -> int:
        return len(self.sets) - 1

    def is_dead(self) -> bool:
        """No item survives: nothing extends these bytes (exact for every grammar)."""
        return not self.sets[-1].items

    def is_complete(self) -> bool:
        """The bytes so far are a sentence of the language (exact, lookaheads included)."""
        return self.sets[-1].complete

    def is_viable(self) -> bool:
        """Some continuation (possibly empty) makes a sentence. Exact, or NotImplementedError."""
        if self.is_dead():
            return False
        if self.is_complete() or not self.recognizer.has_lookahead:
            return True
        return _search_witness(self)

    def advance(self, data: bytes) -> ParserState:
        state = self
        for byte in bytes(data):
            if state.is_dead():
                return state
            state = state.advance_byte(byte)
        return state

    def advance_byte(self, byte: int) -> ParserState:
        conditions, discharged, dead = self._step_conditions(byte)
        kernel = []
        for dotted, origin, partial, inherited, held in self.sets[-1].scanners:
            terminal = self.recognizer.dotted_next[dotted]
            if type(terminal) is ByteTerminal:
                if terminal.value != byte:
                    continue
                next_dotted, next_partial = dotted + 1, b""
            else:
                next_partial = partial + bytes([byte])
                outcome = terminal.match(next_partial)
                if outcome == 0:
                    continue
                if outcome == 2:
                    next_dotted, next_partial = dotted + 1, b""
                else:
                    next_dotted = dotted
            if held:
                if held & dead:
                    continue
                held = held - discharged
            kernel.append((next_dotted, origin, next_partial, inherited, held))
        state = ParserState(self.recognizer, self.start, self.sets, conditions)
        state.sets = self.sets + (state._close(kernel, conditions),)
        return state

    def _step_conditions(self, byte: int):
        """Advances every pending lookahead parse by one byte."""
        if not self.conditions:
            return {}, _EMPTY, _EMPTY
        conditions, discharged, dead = {}, set(), set()
        for key, parse in self.conditions.items():
            parse = parse.advance_byte(byte)
            if parse.is_complete():
                discharged.add(key)
            elif parse.is_dead():
                dead.add(key)
            else:
                conditions[key] = parse
        return conditions, frozenset(discharged), frozenset(dead)

    def _open_condition(self, conditions: dict, lookahead: int, position: int) -> int:
        key = (lookahead, position)
        if key in conditions:
            return _PENDING
        parse = ParserState._initial(self.recognizer, lookahead)
        if parse.is_complete():  # the empty string is in L(lookahead)
            return _DISCHARGED
        if parse.is_dead():
            return _DEAD
        conditions[key] = parse
        return _PENDING

    def _close(self, kernel: list, conditions: dict) -> _ItemSet:
        """Prediction and completion to a fixpoint; the new set is at position len(self.sets)."""
        recognizer = self.recognizer
        dotted_next, dotted_lhs = recognizer.dotted_next, recognizer.dotted_lhs
        rest_yield, first_dotted = recognizer.dotted_rest_yield, recognizer.first_dotted
        position = len(self.sets)
        item_set = _ItemSet()
        items, waiting = item_set.items, item_set.waiting
        nullable_completions: dict[int, list] = {}  # nonterminal -> [(inherited, conditions)]
        agenda = list(kernel)
        while agenda:
            item = agenda.pop()
            if item in items:
                continue
            items.add(item)
            dotted, origin, _, inherited, held = item
            symbol = dotted_next[dotted]
            if symbol is None:
                lhs = dotted_lhs[dotted]
                if lhs == self.start and origin == 0 and not held:
                    item_set.complete = True
                lookahead = recognizer.lookahead_of.get(lhs)
                if lookahead is not None:
                    outcome = self._open_condition(conditions, lookahead, position)
                    if outcome == _DEAD:
                        continue
                    if outcome == _PENDING:
                        held = held | {(lookahead, position)}
                if origin == position:
                    nullable_completions.setdefault(lhs, []).append((inherited, held))
                    parents = tuple(waiting.get(lhs, ()))
                else:
                    parents = self.sets[origin].waiting.get(lhs, ())
                for parent_dotted, parent_origin, _, parent_inherited, parent_held in parents:
                    if parent_held == inherited and rest_yield[parent_dotted + 1] is not None:
                        advanced = (parent_dotted + 1, parent_origin, b"", parent_inherited, held)
                        agenda.append(advanced)
            elif type(symbol) is int:
                waiting.setdefault(symbol, []).append(item)
                for first in first_dotted[symbol]:
                    agenda.append((first, position, b"", held, held))
                if rest_yield[dotted + 1] is not None:
                    for child_inherited, child_held in nullable_completions.get(symbol, ()):
                        if child_inherited == held:
                            agenda.append((dotted + 1, origin, b"", inherited, child_held))
            else:
                item_set.scanners.append(item)
        return item_set

    def signature(self):
        """Everything the future of this state depends on, given the bytes before the last one."""
        last = frozenset(self.sets[-1].items)
        pending = frozenset(
            (key, frozenset(parse.sets[-1].items)) for key, parse in self.conditions.items()
        )
        return last, pending

    def shortest_completion(self) -> bytes | None:
        """A shortest continuation that completes some derivation, ignoring lookaheads.

        Dijkstra over the chart: finishing an item costs the shortest yield of its rest, then
        its parents (items waiting for its left-hand side at its origin) continue. With no
        lookaheads the result is a shortest continuation to a sentence; with lookaheads it is
        only a candidate (check it with is_complete).
        """
        recognizer = self.recognizer
        queue, counter, settled = [], 0, set()
        for dotted, origin, partial, inherited, _ in self.sets[-1].items:
            rest = recognizer.dotted_rest_yield[dotted]
            if partial:
                terminal = recognizer.dotted_next[dotted]
                rest = terminal.shortest_completion(partial)
                rest += recognizer.dotted_rest_yield[dotted + 1]
            heapq.heappush(queue, (len(rest), counter, rest, dotted, origin, inherited))
            counter += 1
        while queue:
            _, _, text, dotted, origin, inherited = heapq.heappop(queue)
            key = (dotted, origin, inherited)
            if key in settled:
                continue
            settled.add(key)
            # `text` already finishes this item; hand over to its parents.
            lhs = recognizer.dotted_lhs[dotted]
            if lhs == self.start and origin == 0:
                return text
            for parent in self.sets[origin].waiting.get(lhs, ()):
                parent_dotted, parent_origin, _, parent_inherited, parent_held = parent
                rest = recognizer.dotted_rest_yield[parent_dotted + 1]
                if parent_held != inherited or rest is None:
                    continue
                longer = text + rest
                # the parent's completed form stands for "dot at the end" of its production
                end = parent_dotted + 1
                while recognizer.dotted_next[end] is not None:
                    end += 1
                heapq.heappush(
                    queue, (len(longer), counter, longer, end, parent_origin, parent_inherited)
                )
                counter += 1
        return None


def _search_witness(state: ParserState) -> bool:
    """Viability with lookaheads: look for an accepted continuation, breadth first.

    True when one is found; False when every continuation dies (the search tree is finite);
    NotImplementedError when MAX_WITNESS_SEARCH_STATES states did not decide it. Only children
    of one node with equal signatures are merged (they share the whole past), so False is exact.
    """
    frontier, visited = [state], 0
    while frontier:
        next_frontier = []
        for node in frontier:
            visited += 1
            if visited > MAX_WITNESS_SEARCH_STATES:
                raise NotImplementedError(
                    "viability with lookahead assertions is undecided after "
                    f"{MAX_WITNESS_SEARCH_STATES} search states"
                )
            candidate = node.shortest_completion()
            if candidate is not None and node.advance(candidate).is_complete():
                return True
            signatures = set()
            for byte in range(256):
                child = node.advance_byte(byte)
                if child.is_dead():
                    continue
                if child.is_complete():
                    return True
                signature = child.signature()
                if signature not in signatures:
                    signatures.add(signature)
                    next_frontier.append(child)
        frontier = next_frontier
    return False


# ---------------------------------------------------------------------------------------------
# Convenience entry points.


@functools.lru_cache(maxsize=64)
def _compile_text(text: str, root_rule_name: str) -> Recognizer:
    return Recognizer(text, root_rule_name)


def as_recognizer(grammar, root_rule_name: str = "root") -> Recognizer:
    """A Recognizer from a Recognizer, an ebnf.Grammar or EBNF text (text is cached)."""
    if isinstance(grammar, Recognizer):
        return grammar
    if isinstance(grammar, str):
        return _compile_text(grammar, root_rule_name)
    return Recognizer(grammar)


def accepts(grammar, data: bytes) -> bool:
    """`data` is a complete sentence of `grammar` (Recognizer, ebnf.Grammar or EBNF text)."""
    return as_recognizer(grammar).accepts(data)


def is_viable_prefix(grammar, data: bytes) -> bool:
    """Some extension of `data` (possibly none) is a sentence of `grammar`."""
    return as_recognizer(grammar).is_viable_prefix(data)


def viable_token_mask(state: ParserState, tokens: Sequence[bytes]) -> list[bool]:
    """For each token, whether `state` advanced by its bytes is still viable.

    Walks the tokens in sorted byte order, keeping the states along the current token's bytes,
    so a byte shared with the previous token is never re-parsed and every token under a dead
    prefix costs one comparison.
    """
    mask = [False] * len(tokens)
    path = [state]  # path[d] is `state` advanced by the first d bytes of `previous`
    previous = b""
    for index in sorted(range(len(tokens)), key=tokens.__getitem__):
        token = tokens[index]
        shared = 0
        limit = min(len(previous), len(token), len(path) - 1)
        while shared < limit and previous[shared] == token[shared]:
            shared += 1
        del path[shared + 1 :]
        current = path[-1]
        for byte in token[shared:]:
            if current.is_dead():
                break
            current = current.advance_byte(byte)
            path.append(current)
        mask[index] = len(path) - 1 == len(token) and current.is_viable()
        previous = token
    return mask
