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

How it works. The AST is lowered (grammar_lowering.py) to plain productions whose terminals are
single bytes and code-point classes. The chart holds items (dotted production, origin, bytes of
a partly read code point, conditions). Only items whose remaining symbols can derive a finite
string are ever created (productivity), so for a grammar without lookaheads a prefix is viable
exactly when the last item set is non-empty. Left recursion, nullable rules and ambiguity need
nothing special in Earley; nullable completions inside one set are replayed to items that arrive
later. Counted repetition is expanded (`MAX_EXPANDED_REPETITION`).

Lookahead assertions (`rule ::= body (= la)`): when `rule` completes at position j, the text from
j on must start with a string of L(la). Each such obligation is a condition (la, j) carried by
the items of the derivations that made it, and decided by its own small Earley parse of la from
j: once that parse accepts, the condition is discharged; once it dies, every item carrying it
is dropped; one still pending at the end of input fails. This is exact for `is_complete`
(so `root ::= "a" (= "b")` accepts nothing), and `is_dead` stays exact.

`is_viable` with lookaheads. Deciding it exactly in general means intersecting context-free
languages, which is undecidable, so the answer comes from three sound sources, else none:
1. compile time: a rule whose assertion can never hold (no byte that can follow the rule, nor
   the end of text, starts a string of the lookahead) derives nothing (`never_ending_rules`);
2. a dead chart is False; a complete one is True;
3. a breadth-first search over continuations (`_search_witness`): True when an accepted
   continuation turns up, False when every continuation dies (a finite tree). After
   `MAX_WITNESS_SEARCH_STATES` states it raises NotImplementedError -- it never guesses.
Restriction: a lookahead expression must not reach (through rule references) a rule that has a
lookahead itself; such grammars raise NotImplementedError when compiled.
"""

from __future__ import annotations

import functools
import heapq
from typing import Sequence, Union

from . import ebnf
from .grammar_lowering import (  # noqa: F401  (re-exported: tests use earley.<name>)
    MAX_EXPANDED_REPETITION,
    ByteTerminal,
    ClassTerminal,
    ReferenceLimitError,
    lower_grammar,
    utf8_prefix_interval,
)

MAX_WITNESS_SEARCH_STATES = 64  # states one viability search with lookaheads may visit
_EMPTY = frozenset()

# Outcomes of a lookahead condition.
_PENDING, _DISCHARGED, _DEAD = 0, 1, 2


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
        lowered = lower_grammar(grammar)
        self.names = lowered.names
        self.lookahead_of = lowered.lookahead_of
        self.has_lookahead = bool(self.lookahead_of)
        count = len(self.names)
        self.productions_of: list[list[int]] = [[] for _ in range(count)]
        for index, (lhs, _) in enumerate(lowered.productions):
            self.productions_of[lhs].append(index)
        self._check_lookaheads_are_plain(lowered.productions)
        # Rules whose assertion provably never holds are treated as deriving nothing; repeat,
        # since removing one rule can make the text after another one more constrained.
        self.never_ending_rules: set[int] = set()
        self.min_yield = self._shortest_yields(lowered.productions, count)
        while True:
            doomed = self._rules_whose_assertion_fails(lowered.productions)
            if doomed <= self.never_ending_rules:
                break
            self.never_ending_rules |= doomed
            self.min_yield = self._shortest_yields(lowered.productions, count)
        self._number_dotted(lowered.productions)

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
                if lhs in self.never_ending_rules:
                    continue
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
        self.production_start: list[int] = []  # production index -> its dotted id with dot 0
        self.productions = productions
        for lhs, rhs in productions:
            start = len(self.dotted_next)
            self.production_start.append(start)
            for dot in range(len(rhs) + 1):
                self.dotted_next.append(rhs[dot] if dot < len(rhs) else None)
                self.dotted_lhs.append(lhs)
                self.dotted_rest_yield.append(self._sequence_yield(rhs[dot:], self.min_yield))
            if self.dotted_rest_yield[start] is not None:
                self.first_dotted[lhs].append(start)
        # Advancing the dot is +1 within a production; completed items are never advanced.

    def _rules_whose_assertion_fails(self, productions) -> set[int]:
        """Rules with a lookahead that no text able to follow them can satisfy.

        Sound, not complete: FIRST(la) (first bytes of non-empty strings of the lookahead) is
        compared with FOLLOW(rule) (bytes that can come right after the rule in a sentence of
        the grammar without assertions, or the end of text). Disjoint, and the lookahead not
        nullable, means the rule can never complete in a sentence -- e.g. a lookahead on the
        root rule, which only the end of text follows. Computed over productive productions.
        """
        end_of_text = 256

        def terminal_first(symbol) -> set[int]:
            if isinstance(symbol, ByteTerminal):
                return {symbol.value}
            return {byte for byte in range(256) if symbol.match(bytes([byte]))}

        usable = [
            (lhs, rhs)
            for lhs, rhs in productions
            if self.min_yield[lhs] is not None
            and lhs not in self.never_ending_rules
            and self._sequence_yield(rhs, self.min_yield) is not None
        ]
        first: list[set[int]] = [set() for _ in self.names]
        nullable = [False] * len(self.names)

        def sequence_first(symbols) -> tuple[set[int], bool]:
            result: set[int] = set()
            for symbol in symbols:
                if not isinstance(symbol, int):
                    return result | terminal_first(symbol), False
                result |= first[symbol]
                if not nullable[symbol]:
                    return result, False
            return result, True

        changed = True
        while changed:
            changed = False
            for lhs, rhs in usable:
                bytes_first, is_nullable = sequence_first(rhs)
                if not bytes_first <= first[lhs] or (is_nullable and not nullable[lhs]):
                    first[lhs] |= bytes_first
                    nullable[lhs] = nullable[lhs] or is_nullable
                    changed = True
        follow: list[set[int]] = [set() for _ in self.names]
        follow[0].add(end_of_text)
        changed = True
        while changed:
            changed = False
            for lhs, rhs in usable:
                for index, symbol in enumerate(rhs):
                    if not isinstance(symbol, int):
                        continue
                    after, after_nullable = sequence_first(rhs[index + 1 :])
                    if after_nullable:
                        after = after | follow[lhs]
                    if not after <= follow[symbol]:
                        follow[symbol] |= after
                        changed = True
        return {
            rule
            for rule, lookahead in self.lookahead_of.items()
            if self.min_yield[rule] is not None
            and not nullable[lookahead]
            and not (first[lookahead] & follow[rule])
        }

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
        """The state after `data`. Stops at the first byte that kills it (a dead state stays
        dead, and then `position` is where it died)."""
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
        completions_done: set = set()
        predictions_done: set = set()  # (nonterminal, conditions) already predicted here
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
                # Parents advance the same way for every item that completes `lhs` from the same
                # origin with the same conditions: do it once (ambiguous grammars have many).
                completion = (lhs, origin, inherited, held)
                if completion in completions_done:
                    continue
                completions_done.add(completion)
                if origin == position:
                    nullable_completions.setdefault(lhs, []).append((inherited, held))
                    parents = tuple(waiting.get(lhs, ()))
                else:
                    parents = self.sets[origin].waiting.get(lhs, ())
                for parent_dotted, parent_origin, _, parent_inherited, parent_held in parents:
                    if parent_held == inherited and rest_yield[parent_dotted + 1] is not None:
                        advanced = (parent_dotted + 1, parent_origin, b"", parent_inherited, held)
                        if advanced not in items:
                            agenda.append(advanced)
            elif type(symbol) is int:
                waiting.setdefault(symbol, []).append(item)
                if (symbol, held) not in predictions_done:
                    predictions_done.add((symbol, held))
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


def _scan_outcome(terminal, partial: bytes, byte: int) -> int:
    """0: the byte is rejected; 1: it starts or continues a code point; 2: it completes one."""
    if type(terminal) is ByteTerminal:
        return 2 if terminal.value == byte else 0
    return terminal.match(partial + bytes([byte]))


def _distinct_next_bytes(state: ParserState) -> list[int]:
    """One byte per class of bytes that lead to the same next state.

    Two bytes that every scanning item (of the state and of its pending lookahead parses)
    rejects or completes alike yield identical item sets, so one stands for both. A byte that
    leaves a code point unfinished is its own class (the partial bytes are part of the item).
    Bytes no item of the state itself scans lead to a dead state and are left out.
    """
    scanners = [
        (state.recognizer.dotted_next[item[0]], item[2]) for item in state.sets[-1].scanners
    ]
    for parse in state.conditions.values():
        scanners += [
            (parse.recognizer.dotted_next[item[0]], item[2]) for item in parse.sets[-1].scanners
        ]
    own = len(state.sets[-1].scanners)
    representatives = {}
    for byte in range(256):
        outcomes = tuple(_scan_outcome(terminal, partial, byte) for terminal, partial in scanners)
        if not any(outcomes[:own]):
            continue
        key = (byte,) if 1 in outcomes else outcomes
        representatives.setdefault(key, byte)
    return sorted(representatives.values())


def _search_witness(state: ParserState) -> bool:
    """Viability with lookaheads: look for an accepted continuation, breadth first.

    At each visited state, first its shortest completion (ignoring lookaheads) is tried as a
    candidate, then every byte that keeps the state alive is a child. True when an accepted
    continuation is found; False when every continuation dies (the search tree is finite);
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
            for byte in _distinct_next_bytes(node):
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

    Exactly the mask of DESIGN.md for ordinary tokens (stop and special tokens are the caller's
    business: a stop token is allowed iff `state.is_complete()`). With lookaheads each surviving
    token costs a viability search and may raise NotImplementedError.

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
