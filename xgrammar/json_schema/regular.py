"""Regular languages over Unicode code points: expressions, automata, and their EBNF emission.

Several schema keywords describe regular languages that must hold *together* (a string's
`pattern`, `format` and `minLength`/`maxLength`; property names that are not declared
properties; an integer range and a `multipleOf`). A context-free grammar cannot intersect two
grammars in general, but two regular languages can always be intersected exactly through their
automata, so the converter works with regular expressions (`Chars`, `Concat`, `Alt`, `Repeat`)
and turns them into epsilon-free NFAs when an intersection or a complement is needed.

Entry points:
- code point sets: `union_ranges`, `intersect_ranges`, `complement_ranges`, `ANY_CODE_POINT`;
- expressions: `Chars`, `Concat`, `Alt`, `Repeat`, `EPSILON`, `length_bounds`;
- automata: `Automaton.from_expression`, `.intersect`, `.complement`, `.accepts`, `.is_empty`;
- emission: `expression_to_ebnf` (structure kept, counted repetition stays `{m,n}`) and
  `automaton_to_ebnf` (a rule per state that needs one, tree-shaped parts written in place).

Budgets: automata are capped at `MAX_AUTOMATON_STATES` states; past it a `LimitExceededError`
is raised (the caller attaches the schema pointer). Expressions are built by the converter and
by the pattern parser, whose nesting limit bounds the recursion here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

from ..exceptions import LimitExceededError
from . import ebnf

Ranges = Tuple[Tuple[int, int], ...]

# Cap on the states of one automaton (NFA or DFA) built for a string, number or key language.
# A state becomes one EBNF rule, so this also bounds the size of the emitted grammar; 4,000
# states take well under a second to build in pure Python.
MAX_AUTOMATON_STATES = 4000

MAX_CODE_POINT = 0x10FFFF
SURROGATES = ((0xD800, 0xDFFF),)


def normalize_ranges(ranges) -> Ranges:
    """Sort and merge ranges; surrogates are removed (they are not characters)."""
    merged: list = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    result = tuple((low, high) for low, high in merged)
    return subtract_ranges(result, SURROGATES) if _overlaps(result, SURROGATES) else result


def _overlaps(a: Ranges, b: Ranges) -> bool:
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in a for lo2, hi2 in b)


def union_ranges(*sets: Ranges) -> Ranges:
    return normalize_ranges([r for s in sets for r in s])


def intersect_ranges(a: Ranges, b: Ranges) -> Ranges:
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low <= high:
            result.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


def subtract_ranges(a: Ranges, b: Ranges) -> Ranges:
    result = []
    for low, high in a:
        for cut_low, cut_high in b:
            if cut_high < low or cut_low > high:
                continue
            if cut_low > low:
                result.append((low, cut_low - 1))
            low = cut_high + 1
            if low > high:
                break
        if low <= high:
            result.append((low, high))
    return tuple(result)


ANY_CODE_POINT: Ranges = ((0, 0xD7FF), (0xE000, MAX_CODE_POINT))


def complement_ranges(a: Ranges) -> Ranges:
    return subtract_ranges(ANY_CODE_POINT, a)


# ---------------------------------------------------------------------------------------------
# Regular expressions


@dataclass(frozen=True)
class Chars:
    ranges: Ranges


@dataclass(frozen=True)
class Concat:
    items: tuple


@dataclass(frozen=True)
class Alt:
    options: tuple


@dataclass(frozen=True)
class Repeat:
    item: object
    min_count: int
    max_count: int | None


EPSILON = Concat(())
NO_STRING = Alt(())


def literal_expression(text: str) -> Concat:
    return Concat(tuple(Chars(((ord(c), ord(c)),)) for c in text))


def length_bounds(expression) -> Tuple[int, int | None]:
    """Shortest and longest string length of `expression` (None: unbounded)."""
    if isinstance(expression, Chars):
        return (1, 1) if expression.ranges else (0, 0)
    if isinstance(expression, Concat):
        low, high = 0, 0
        for item in expression.items:
            item_low, item_high = length_bounds(item)
            low += item_low
            high = None if high is None or item_high is None else high + item_high
        return low, high
    if isinstance(expression, Alt):
        bounds = [length_bounds(option) for option in expression.options]
        if not bounds:
            return 0, 0
        highs = [b[1] for b in bounds]
        return min(b[0] for b in bounds), None if None in highs else max(highs)
    item_low, item_high = length_bounds(expression.item)
    high = (
        None
        if expression.max_count is None and item_high != 0
        else (item_high * expression.max_count if item_high is not None else None)
    )
    if expression.max_count is None and item_high == 0:
        high = 0
    return item_low * expression.min_count, high


def expression_to_ebnf(expression, encode: Callable[[Ranges], ebnf.Expr]) -> ebnf.Expr:
    """The expression as EBNF, structure kept; `encode` renders one character set."""
    if isinstance(expression, Chars):
        return encode(expression.ranges) if expression.ranges else ebnf.NOTHING
    if isinstance(expression, Concat):
        return ebnf.sequence(*(expression_to_ebnf(i, encode) for i in expression.items))
    if isinstance(expression, Alt):
        return ebnf.choice(*(expression_to_ebnf(o, encode) for o in expression.options))
    return ebnf.repeat(
        expression_to_ebnf(expression.item, encode), expression.min_count, expression.max_count
    )


# ---------------------------------------------------------------------------------------------
# Automata


class _ThompsonBuilder:
    """Builds an NFA with epsilon moves from an expression."""

    def __init__(self) -> None:
        self.edges: List[List[Tuple[Ranges, int]]] = []
        self.epsilons: List[List[int]] = []

    def new_state(self) -> int:
        if len(self.edges) >= MAX_AUTOMATON_STATES * 4:
            raise LimitExceededError(
                f"a string or number constraint needs more than {MAX_AUTOMATON_STATES}"
                " automaton states (MAX_AUTOMATON_STATES)"
            )
        self.edges.append([])
        self.epsilons.append([])
        return len(self.edges) - 1

    def build(self, expression, start: int, end: int) -> None:
        if isinstance(expression, Chars):
            if expression.ranges:
                self.edges[start].append((expression.ranges, end))
        elif isinstance(expression, Concat):
            current = start
            for index, item in enumerate(expression.items):
                target = end if index == len(expression.items) - 1 else self.new_state()
                self.build(item, current, target)
                current = target
            if not expression.items:
                self.epsilons[start].append(end)
        elif isinstance(expression, Alt):
            for option in expression.options:
                self.build(option, start, end)
        elif expression.max_count is not None and expression.max_count < expression.min_count:
            return  # an impossible count: no path from start to end
        else:
            current = start
            for _ in range(expression.min_count):
                target = self.new_state()
                self.build(expression.item, current, target)
                current = target
            if expression.max_count is None:
                loop = self.new_state()
                self.epsilons[current].append(loop)
                after = self.new_state()
                self.build(expression.item, loop, after)
                self.epsilons[after].append(loop)
                self.epsilons[loop].append(end)
            else:
                self.epsilons[current].append(end)
                for _ in range(expression.max_count - expression.min_count):
                    target = self.new_state()
                    self.build(expression.item, current, target)
                    self.epsilons[target].append(end)
                    current = target


class Automaton:
    """An epsilon-free NFA over code points. State 0 is the start state."""

    def __init__(self, edges: List[List[Tuple[Ranges, int]]], accepting: set) -> None:
        self.edges = edges
        self.accepting = accepting

    @staticmethod
    def from_expression(expression) -> Automaton:
        builder = _ThompsonBuilder()
        start, end = builder.new_state(), builder.new_state()
        builder.build(expression, start, end)
        closures = []
        for state in range(len(builder.edges)):
            closure, stack = {state}, [state]
            while stack:
                for target in builder.epsilons[stack.pop()]:
                    if target not in closure:
                        closure.add(target)
                        stack.append(target)
            closures.append(closure)
        # Keep only states reachable through characters, renumbered from the start.
        numbering: Dict[int, int] = {start: 0}
        order, edges, accepting = [start], [], set()
        for state in order:
            state_edges = []
            for member in closures[state]:
                for ranges, target in builder.edges[member]:
                    if target not in numbering:
                        numbering[target] = len(order)
                        order.append(target)
                    state_edges.append((ranges, numbering[target]))
            edges.append(state_edges)
            if end in closures[state]:
                accepting.add(numbering[state])
        return Automaton(edges, accepting).trimmed()

    def trimmed(self) -> Automaton:
        """Drop states that are unreachable or cannot reach an accepting state."""
        reverse: Dict[int, set] = {}
        for state, state_edges in enumerate(self.edges):
            for _, target in state_edges:
                reverse.setdefault(target, set()).add(state)
        alive, stack = set(self.accepting), list(self.accepting)
        while stack:
            for source in reverse.get(stack.pop(), ()):
                if source not in alive:
                    alive.add(source)
                    stack.append(source)
        if 0 not in alive:
            return Automaton([[]], set())
        numbering, order = {0: 0}, [0]
        for state in order:
            for _, target in self.edges[state]:
                if target in alive and target not in numbering:
                    numbering[target] = len(order)
                    order.append(target)
        edges = [[(r, numbering[t]) for r, t in self.edges[state] if t in alive] for state in order]
        return Automaton(edges, {numbering[s] for s in order if s in self.accepting})

    def is_empty(self) -> bool:
        return not self.accepting

    def accepts(self, text: str) -> bool:
        current = {0}
        for char in text:
            code = ord(char)
            current = {
                target
                for state in current
                for ranges, target in self.edges[state]
                if any(low <= code <= high for low, high in ranges)
            }
            if not current:
                return False
        return bool(current & self.accepting)

    def intersect(self, other: Automaton) -> Automaton:
        numbering = {(0, 0): 0}
        order, edges, accepting = [(0, 0)], [], set()
        for left, right in order:
            state_edges = []
            for left_ranges, left_target in self.edges[left]:
                for right_ranges, right_target in other.edges[right]:
                    common = intersect_ranges(left_ranges, right_ranges)
                    if not common:
                        continue
                    pair = (left_target, right_target)
                    if pair not in numbering:
                        _check_size(len(order))
                        numbering[pair] = len(order)
                        order.append(pair)
                    state_edges.append((common, numbering[pair]))
            if left in self.accepting and right in other.accepting:
                accepting.add(len(edges))
            edges.append(state_edges)
        return Automaton(edges, accepting).trimmed()

    def determinized(self) -> Automaton:
        """An equivalent complete DFA (every code point has exactly one move from each state)."""
        numbering = {frozenset([0]): 0}
        order, edges, accepting = [frozenset([0])], [], set()
        for subset in order:
            boundaries = {0, MAX_CODE_POINT + 1}
            moves = [(r, t) for state in subset for r, t in self.edges[state]]
            for ranges, _ in moves:
                for low, high in ranges:
                    boundaries.update((low, high + 1))
            points = sorted(boundaries)
            by_target: Dict[frozenset, list] = {}
            for low, next_low in zip(points, points[1:]):
                high = next_low - 1
                target = frozenset(
                    t for ranges, t in moves if any(a <= low and high <= b for a, b in ranges)
                )
                by_target.setdefault(target, []).append((low, high))
            state_edges = []
            for target, pieces in by_target.items():
                ranges = normalize_ranges(pieces)
                if not ranges:
                    continue
                if target not in numbering:
                    _check_size(len(order))
                    numbering[target] = len(order)
                    order.append(target)
                state_edges.append((ranges, numbering[target]))
            if subset & self.accepting:
                accepting.add(len(edges))
            edges.append(state_edges)
        return Automaton(edges, accepting)

    def complement(self) -> Automaton:
        """Every string (of code points) that this automaton rejects."""
        deterministic = self.determinized()
        rejecting = set(range(len(deterministic.edges))) - deterministic.accepting
        return Automaton(deterministic.edges, rejecting).trimmed()


def _check_size(states: int) -> None:
    if states >= MAX_AUTOMATON_STATES:
        raise LimitExceededError(
            f"a string or number constraint needs more than {MAX_AUTOMATON_STATES} automaton"
            " states (MAX_AUTOMATON_STATES)"
        )


# Deepest nesting of inlined states in one emitted rule; a longer chain continues in a new rule,
# which keeps the emitted expressions far inside the grammar's nesting limit.
MAX_INLINE_DEPTH = 48


def _states_on_cycles(edges: List[List[Tuple[Ranges, int]]]) -> set:
    """States on a cycle of the automaton (Tarjan's algorithm, iterative)."""
    index: Dict[int, int] = {}
    low: Dict[int, int] = {}
    stack: List[int] = []
    on_stack: set = set()
    cyclic: set = set()
    counter = 0
    for root in range(len(edges)):
        if root in index:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            state, position = work[-1]
            if position < len(edges[state]):
                work[-1] = (state, position + 1)
                target = edges[state][position][1]
                if target == state:
                    cyclic.add(state)
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack:
                    low[state] = min(low[state], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[state])
            if low[state] == index[state]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == state:
                        break
                if len(component) > 1:
                    cyclic.update(component)
    return cyclic


def automaton_to_ebnf(
    automaton: Automaton,
    table: ebnf.RuleTable,
    hint: str,
    encode: Callable[[Ranges], ebnf.Expr],
    accept: ebnf.Expr,
) -> ebnf.Expr:
    """Emit `state ::= char next_state | ... | accept` (when accepting) for the states that need a
    rule, and write every other state in place in its only predecessor's rule.

    A state needs a rule when it is the start, lies on a cycle, has several predecessors, or
    would nest deeper than MAX_INLINE_DEPTH. Inlining the tree-shaped parts (the trie of the
    names a key must avoid, the digits of a bounded number) keeps them in one rule, so the
    engine sees one automaton where a rule per state would make it call from rule to rule.
    `encode` renders a character set; its rendering is written in place too (the engine merges
    the equivalent states of the copies), so that a multi-byte character or an escape sequence
    does not end in a call whose return depends on the state it was called from.
    """
    if automaton.is_empty():
        return ebnf.NOTHING
    edges = automaton.edges
    grouped: List[List[Tuple[int, Ranges]]] = []
    predecessors = [0] * len(edges)
    for state_edges in edges:
        by_target: Dict[int, Ranges] = {}
        for ranges, target in state_edges:
            by_target[target] = union_ranges(by_target.get(target, ()), ranges)
        grouped.append(list(by_target.items()))
        for target in by_target:
            predecessors[target] += 1
    cyclic = _states_on_cycles(edges)
    inlinable = [
        state != 0 and predecessors[state] == 1 and state not in cyclic
        for state in range(len(edges))
    ]
    # Depth of each inlined state below the rule it is written in; too deep starts a new rule.
    depth = [0] * len(edges)
    order = [0] + [state for state in range(1, len(edges)) if not inlinable[state]]
    rule_states = set(order)
    visit = list(order)
    while visit:
        state = visit.pop()
        for target, _ in grouped[state]:
            if inlinable[target] and target not in rule_states:
                depth[target] = depth[state] + 1
                if depth[target] > MAX_INLINE_DEPTH:
                    inlinable[target] = False
                    depth[target] = 0
                    rule_states.add(target)
                    order.append(target)
                visit.append(target)
    names = {state: table.reserve(f"{hint}_s{state}") for state in order}
    encoded_sets: Dict[Ranges, ebnf.Expr] = {}

    def encoded(ranges: Ranges) -> ebnf.Expr:
        if ranges not in encoded_sets:
            encoded_sets[ranges] = encode(ranges)
        return encoded_sets[ranges]

    # Expressions are built children first (an explicit post-order: inlined chains can be long).
    expressions: Dict[int, ebnf.Expr] = {}
    for root in order:
        pending = [(root, False)]
        while pending:
            state, children_done = pending.pop()
            if not children_done:
                pending.append((state, True))
                for target, _ in grouped[state]:
                    if inlinable[target] and target not in expressions:
                        pending.append((target, False))
                continue
            options = []
            for target, ranges in grouped[state]:
                follow = expressions[target] if inlinable[target] else ebnf.RuleRef(names[target])
                options.append(ebnf.sequence(encoded(ranges), follow))
            if state in automaton.accepting:
                options.append(accept)
            expressions[state] = ebnf.choice(*options)
        table.define(names[root], expressions[root])
    return ebnf.RuleRef(names[0])
