"""EBNF expressions, the rule table, and the printer for the JSON Schema converter.

The converter builds grammars as small immutable expression trees (`Literal`, `CharClass`,
`Sequence`, `Choice`, `Repeat`, `RuleRef`) held in a `RuleTable`, and prints them as EBNF text in
the dialect of DESIGN.md only at the end. Keeping a tree (rather than concatenating text) lets
`RuleTable.to_ebnf` drop unproductive alternatives (a subschema that accepts no value, a `$ref`
cycle with no base case) and unreachable rules before printing.

Entry points: the constructors `literal`, `char_class`, `sequence`, `choice`, `repeat`,
`optional`, the constant `NOTHING` (the empty language) and `EMPTY` (the empty string), and
`RuleTable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence as Seq
from typing import Tuple, Union

from ..exceptions import InvalidJSONSchemaError

CodePointRanges = Tuple[Tuple[int, int], ...]

# A rule name is printed as-is; longer JSON pointers are truncated (and made unique).
MAX_RULE_NAME_LENGTH = 64


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class CharClass:
    ranges: CodePointRanges  # sorted, disjoint, inclusive code point ranges
    negated: bool = False


@dataclass(frozen=True)
class Sequence:
    items: Tuple[Expr, ...]


@dataclass(frozen=True)
class Choice:
    options: Tuple[Expr, ...]


@dataclass(frozen=True)
class Repeat:
    item: Expr
    min_count: int
    max_count: int | None  # None: unbounded


@dataclass(frozen=True)
class RuleRef:
    name: str


Expr = Union[Literal, CharClass, Sequence, Choice, Repeat, RuleRef]

EMPTY: Expr = Sequence(())
NOTHING: Expr = Choice(())


def literal(text: str) -> Expr:
    return Literal(text) if text else EMPTY


def char_class(ranges: Seq[Tuple[int, int]], negated: bool = False) -> Expr:
    ranges = tuple(ranges)
    if not ranges and not negated:
        return NOTHING
    if not negated and len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return Literal(chr(ranges[0][0]))
    return CharClass(ranges, negated)


def sequence(*items: Expr) -> Expr:
    flat: list = []
    for item in items:
        if item == NOTHING:
            return NOTHING
        if isinstance(item, Sequence):
            flat.extend(item.items)
        else:
            flat.append(item)
    merged: list = []
    for item in flat:  # adjacent literals print better as one string
        if merged and isinstance(item, Literal) and isinstance(merged[-1], Literal):
            merged[-1] = Literal(merged[-1].text + item.text)
        else:
            merged.append(item)
    return merged[0] if len(merged) == 1 else Sequence(tuple(merged))


def choice(*options: Expr) -> Expr:
    # Duplicates are found by hashing, not by scanning `flat`: an `enum` of 100,000 values is
    # one choice, and a scan per option made it quadratic (1,000 values: 1.3 s; 4,000: 16 s).
    flat: dict = {}
    for option in options:
        items = option.options if isinstance(option, Choice) else (option,)
        for item in items:
            flat.setdefault(item)
    return next(iter(flat)) if len(flat) == 1 else Choice(tuple(flat))


def repeat(item: Expr, min_count: int, max_count: int | None) -> Expr:
    if max_count is not None and max_count < min_count:
        return NOTHING
    if max_count == 0 or item == EMPTY:
        return EMPTY
    if min_count == 1 and max_count == 1:
        return item
    if item == NOTHING:
        return EMPTY if min_count == 0 else NOTHING
    return Repeat(item, min_count, max_count)


def optional(item: Expr) -> Expr:
    return repeat(item, 0, 1)


def _escape_code_point(code_point: int, specials: str) -> str:
    char = chr(code_point)
    if char in specials:
        return "\\" + char
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\t":
        return "\\t"
    if 0x20 <= code_point < 0x7F:
        return char
    if code_point < 0x80:
        return f"\\x{code_point:02x}"
    if code_point <= 0xFFFF:
        return f"\\u{code_point:04x}"
    return f"\\U{code_point:08x}"


def _print_literal(text: str) -> str:
    return '"' + "".join(_escape_code_point(ord(c), '"\\') for c in text) + '"'


def _print_class(expr: CharClass) -> str:
    parts = []
    for low, high in expr.ranges:
        parts.append(_escape_code_point(low, "]\\^-["))
        if high != low:
            parts.append("-" + _escape_code_point(high, "]\\^-["))
    return "[" + ("^" if expr.negated else "") + "".join(parts) + "]"


def _print(expr: Expr) -> str:
    """Print one expression; an explicit stack keeps deep trees off the Python stack."""
    # Work items: ("expr", node, needs_parentheses) or ("text", string).
    output: list = []
    stack: list = [("expr", expr, False)]
    while stack:
        kind, *payload = stack.pop()
        if kind == "text":
            output.append(payload[0])
            continue
        node, parenthesize = payload
        if isinstance(node, Literal):
            output.append(_print_literal(node.text))
        elif isinstance(node, CharClass):
            output.append(_print_class(node))
        elif isinstance(node, RuleRef):
            output.append(node.name)
        elif isinstance(node, Sequence):
            if not node.items:
                output.append('""')
                continue
            todo: list = [("text", "(")] if parenthesize else []
            for index, item in enumerate(node.items):
                if index:
                    todo.append(("text", " "))
                todo.append(("expr", item, isinstance(item, Choice)))
            if parenthesize:
                todo.append(("text", ")"))
            stack.extend(reversed(todo))
        elif isinstance(node, Choice):
            if not node.options:
                raise AssertionError("the empty language must be pruned before printing")
            todo = [("text", "(")] if parenthesize else []
            for index, option in enumerate(node.options):
                if index:
                    todo.append(("text", " | "))
                todo.append(("expr", option, False))
            if parenthesize:
                todo.append(("text", ")"))
            stack.extend(reversed(todo))
        else:
            low, high = node.min_count, node.max_count
            if (low, high) == (0, 1):
                suffix = "?"
            elif (low, high) == (0, None):
                suffix = "*"
            elif (low, high) == (1, None):
                suffix = "+"
            elif high is None:
                suffix = f"{{{low},}}"
            elif low == high:
                suffix = f"{{{low}}}"
            else:
                suffix = f"{{{low},{high}}}"
            atomic = isinstance(node.item, (Literal, CharClass, RuleRef)) or (
                isinstance(node.item, Sequence) and not node.item.items
            )
            # Pushed in reverse: "(" item ")" suffix.
            stack.append(("text", suffix))
            if atomic:
                stack.append(("expr", node.item, False))
            else:
                stack.extend([("text", ")"), ("expr", node.item, False), ("text", "(")])
    return "".join(output)


def _children(expr: Expr) -> Tuple[Expr, ...]:
    if isinstance(expr, Sequence):
        return expr.items
    if isinstance(expr, Choice):
        return expr.options
    if isinstance(expr, Repeat):
        return (expr.item,)
    return ()


def _referenced_rules(expr: Expr) -> list:
    names, stack = [], [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, RuleRef):
            names.append(node.name)
        stack.extend(_children(node))
    return names


class RuleTable:
    """Named rules in creation order; names derive from hints (JSON pointers) and are unique."""

    def __init__(self) -> None:
        self._bodies: dict = {}
        self._used_names: set = set()
        self._next_suffix: dict = {}

    def reserve(self, hint: str) -> str:
        """Allocate a unique rule name from a hint; the body is set later with `define`."""
        base = re.sub(r"[^A-Za-z0-9]+", "_", hint).strip("_") or "rule"
        if not base[0].isalpha():
            base = "r_" + base
        base = base[:MAX_RULE_NAME_LENGTH].rstrip("_")
        # Continue numbering where the last rule with this base stopped (linear, not quadratic,
        # when many long pointers truncate to the same base).
        name, counter = base, self._next_suffix.get(base, 1)
        while name in self._used_names:
            counter += 1
            name = f"{base}_{counter}"
        self._next_suffix[base] = counter
        self._used_names.add(name)
        self._bodies[name] = None
        return name

    def define(self, name: str, body: Expr) -> None:
        self._bodies[name] = body

    def add(self, hint: str, body: Expr) -> str:
        name = self.reserve(hint)
        self.define(name, body)
        return name

    def body(self, name: str) -> Expr | None:
        return self._bodies[name]

    def _productive_rules(self) -> set:
        """Rules that derive at least one finite string (least fixpoint, by worklist: a rule is
        re-examined only when a rule it refers to has just become productive)."""
        dependents: dict = {}
        for name, body in self._bodies.items():
            for child in set(_referenced_rules(body)) if body is not None else ():
                dependents.setdefault(child, []).append(name)
        productive: set = set()
        pending = list(self._bodies)
        while pending:
            name = pending.pop()
            body = self._bodies[name]
            if name in productive or body is None or not _is_productive(body, productive):
                continue
            productive.add(name)
            pending.extend(d for d in dependents.get(name, ()) if d not in productive)
        return productive

    def to_ebnf(self, root: str) -> str:
        """Print the rules reachable from `root`, after dropping unproductive alternatives."""
        productive = self._productive_rules()
        if root not in productive:
            raise InvalidJSONSchemaError(
                "the schema accepts no JSON value (it is unsatisfiable, or a $ref cycle has no"
                " base case)",
                pointer="",
            )
        pruned = {name: _prune(body, productive) for name, body in self._bodies.items()}
        order, seen, stack = [], {root}, [root]
        while stack:
            name = stack.pop()
            order.append(name)
            for child in reversed(_referenced_rules(pruned[name])):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        position = {name: index for index, name in enumerate(self._bodies)}
        order = [root] + sorted((n for n in order if n != root), key=position.__getitem__)
        return "".join(f"{name} ::= {_print(pruned[name])}\n" for name in order)


def _is_productive(expr: Expr, productive: set) -> bool:
    """Whether `expr` derives some string, given the set of productive rules (explicit stack)."""
    # Evaluate bottom-up with a post-order walk.
    results: dict = {}
    stack: list = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in results:
            continue
        children = _children(node)
        if not expanded and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        if isinstance(node, RuleRef):
            value = node.name in productive
        elif isinstance(node, CharClass):
            value = bool(node.ranges) or node.negated
        elif isinstance(node, Literal):
            value = True
        elif isinstance(node, Sequence):
            value = all(results[id(child)] for child in node.items)
        elif isinstance(node, Choice):
            value = any(results[id(child)] for child in node.options)
        else:
            value = node.min_count == 0 or results[id(node.item)]
        results[id(node)] = value
    return results[id(expr)]


def _prune(expr: Expr | None, productive: set) -> Expr:
    """Rebuild `expr` without unproductive parts (rules outside `productive` become NOTHING)."""
    if expr is None:
        return NOTHING
    results: dict = {}
    stack: list = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        children = _children(node)
        if not expanded and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        if isinstance(node, RuleRef):
            value = node if node.name in productive else NOTHING
        elif isinstance(node, Sequence):
            value = sequence(*(results[id(child)] for child in node.items))
        elif isinstance(node, Choice):
            value = choice(*(results[id(child)] for child in node.options))
        elif isinstance(node, Repeat):
            value = repeat(results[id(node.item)], node.min_count, node.max_count)
        else:
            value = node
        results[id(node)] = value
    return results[id(expr)]
