"""Syntax tree -> EBNF rules, with full-match and search (unanchored) semantics.

Entry point: `emit_rules(tree, anchors, rule_name_prefix, search) -> list[(name, body)]`; the
first rule, named `rule_name_prefix`, derives exactly the pattern's language, and the other
rules are its helpers, all named `rule_name_prefix + "_..."`.

How the language is kept exact:

* Anchors (already checked by anchors.py to sit only at the pattern's edges) are substituted
  away. Write X[s, e] for the pattern with every `^` replaced by s and every `$` by e, where s
  and e are either the empty string or "no string at all". A full match is X[empty, empty]. A
  search match (JSON Schema `pattern`) is the union of
  `any X[none, none] any`, `X[empty, none] any`, `any X[none, empty]` and `X[empty, empty]`,
  with `any` any text at all (newlines too): a path through `^` forces an empty prefix, a path
  without it allows any prefix, and likewise for `$`. Terms that cannot differ are not emitted.
* "No string at all" is propagated (a sequence with such an item is dropped, an alternation
  drops such branches, `x{0,n}` of it is empty); a pattern whose whole language is empty (such
  as `[]`) gets a rule that derives nothing.
* The printed nesting of parentheses is bounded by `MAX_INLINE_DEPTH`: a deeper fragment is
  moved into a helper rule, so the text stays far below the EBNF parser's own nesting limit.

The tree is walked with an explicit post-order stack; no recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

from . import ast
from .anchors import AnchorUse
from .ebnf_text import ANY_CODE_POINT_CLASS, char_class, string_literal

# Parenthesis depth at which a fragment moves into its own helper rule.
MAX_INLINE_DEPTH = 32

_ALTERNATION, _SEQUENCE, _ATOM = 0, 1, 2


@dataclass(frozen=True)
class _Fragment:
    """Printed EBNF for a sub-pattern whose language is not empty."""

    text: str
    precedence: int
    depth: int
    # The exact string when the fragment matches one fixed string (merged in sequences).
    literal: str | None = None


_EMPTY = _Fragment('""', _ATOM, 0, literal="")
_NO_STRING = None  # the empty language


class _RuleSink:
    """Collects helper rules under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.rules: List[Tuple[str, str]] = []
        self.counter = 0

    def add(self, stem: str, body: str) -> str:
        self.counter += 1
        name = f"{self.prefix}_{stem}_{self.counter}"
        self.rules.append((name, body))
        return name


def _as_operand(fragment: _Fragment, min_precedence: int, sink: _RuleSink) -> _Fragment:
    """The fragment in a form that can stand where `min_precedence` is needed."""
    if fragment.precedence >= min_precedence:
        return fragment
    wrapped = _Fragment(f"({fragment.text})", _ATOM, fragment.depth + 1, fragment.literal)
    if wrapped.depth > MAX_INLINE_DEPTH:
        name = sink.add("group", fragment.text)
        return _Fragment(name, _ATOM, 0, fragment.literal)
    return wrapped


def _literal_fragment(text: str) -> _Fragment:
    return _Fragment(string_literal(text), _ATOM, 0, literal=text)


def _emit_sequence(parts: List[_Fragment | None], sink: _RuleSink) -> _Fragment | None:
    if any(part is _NO_STRING for part in parts):
        return _NO_STRING
    pieces: List[_Fragment] = []
    pending_literal: List[str] = []  # a run of fixed strings, joined once (linear time)
    for part in parts:
        assert part is not None
        if part.literal is not None:
            pending_literal.append(part.literal)
            continue
        if pending_literal:
            pieces.append(_literal_fragment("".join(pending_literal)))
            pending_literal = []
        pieces.append(part)
    if pending_literal:
        pieces.append(_literal_fragment("".join(pending_literal)))
    pieces = [piece for piece in pieces if piece.literal != ""]
    if not pieces:
        return _EMPTY
    if len(pieces) == 1:
        return pieces[0]
    operands = [_as_operand(piece, _SEQUENCE, sink) for piece in pieces]
    return _Fragment(
        " ".join(op.text for op in operands), _SEQUENCE, max(op.depth for op in operands)
    )


def _emit_alternation(parts: List[_Fragment | None]) -> _Fragment | None:
    kept: List[_Fragment] = []
    seen = set()
    for part in parts:
        if part is _NO_STRING or part.text in seen:
            continue
        seen.add(part.text)
        kept.append(part)
    if not kept:
        return _NO_STRING
    if len(kept) == 1:
        return kept[0]
    return _Fragment(
        " | ".join(part.text for part in kept), _ALTERNATION, max(p.depth for p in kept)
    )


def _quantifier_suffix(min_count: int, max_count: int | None) -> str:
    if (min_count, max_count) == (0, None):
        return "*"
    if (min_count, max_count) == (1, None):
        return "+"
    if (min_count, max_count) == (0, 1):
        return "?"
    if max_count is None:
        return f"{{{min_count},}}"
    if min_count == max_count:
        return f"{{{min_count}}}"
    return f"{{{min_count},{max_count}}}"


def _emit_repeat(node: ast.Repeat, item: _Fragment | None, sink: _RuleSink) -> _Fragment | None:
    if node.max_count == 0:
        return _EMPTY
    if item is _NO_STRING:
        return _EMPTY if node.min_count == 0 else _NO_STRING
    if item.literal == "" or (node.min_count, node.max_count) == (1, 1):
        return item
    operand = _as_operand(item, _ATOM, sink)
    suffix = _quantifier_suffix(node.min_count, node.max_count)
    return _Fragment(operand.text + suffix, _SEQUENCE, operand.depth)


def _emit_tree(
    tree: ast.Node,
    start_anchor: _Fragment | None,
    end_anchor: _Fragment | None,
    sink: _RuleSink,
) -> _Fragment | None:
    """The fragment for `tree` with `^` and `$` standing for the given fragments."""
    done: Dict[int, _Fragment | None] = {}
    stack: List[Tuple[ast.Node, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in ast.children(node))
            continue
        if isinstance(node, ast.CharSet):
            single = node.chars.single_code_point()
            if node.chars.is_empty():
                result: _Fragment | None = _NO_STRING
            elif single is not None:
                result = _literal_fragment(chr(single))
            else:
                result = _Fragment(char_class(node.chars), _ATOM, 0)
        elif isinstance(node, ast.Anchor):
            result = start_anchor if node.kind is ast.AnchorKind.START else end_anchor
        elif isinstance(node, ast.Sequence):
            result = _emit_sequence([done.pop(id(item)) for item in node.items], sink)
        elif isinstance(node, ast.Alternation):
            result = _emit_alternation([done.pop(id(branch)) for branch in node.branches])
        else:
            assert isinstance(node, ast.Repeat)
            result = _emit_repeat(node, done.pop(id(node.item)), sink)
        done[id(node)] = result
    return done[id(tree)]


def emit_rules(
    tree: ast.Node, anchors: AnchorUse, rule_name_prefix: str, search: bool
) -> List[Tuple[str, str]]:
    sink = _RuleSink(rule_name_prefix)
    if not search:
        body = _emit_tree(tree, _EMPTY, _EMPTY, sink)
        return _finish(rule_name_prefix, body, sink)

    any_text_name = f"{rule_name_prefix}_any_text"
    any_text = _Fragment(any_text_name, _ATOM, 0)
    terms: List[_Fragment | None] = []
    start_choices = [_NO_STRING, _EMPTY] if anchors.has_start else [_NO_STRING]
    end_choices = [_NO_STRING, _EMPTY] if anchors.has_end else [_NO_STRING]
    for start in start_choices:
        for end in end_choices:
            body = _emit_tree(tree, start, end, sink)
            if body is _NO_STRING:
                continue
            parts = [any_text if start is _NO_STRING else _EMPTY, body]
            parts.append(any_text if end is _NO_STRING else _EMPTY)
            terms.append(_emit_sequence(parts, sink))
    rules = _finish(rule_name_prefix, _emit_alternation(terms), sink)
    if any(any_text_name in body for _, body in rules):
        rules.append((any_text_name, ANY_CODE_POINT_CLASS + "*"))
    return rules


def _finish(root_name: str, body: _Fragment | None, sink: _RuleSink) -> List[Tuple[str, str]]:
    if body is _NO_STRING:
        # A rule whose every derivation needs itself again derives no string at all.
        never_name = f"{root_name}_no_string"
        return [(root_name, never_name), (never_name, f'"\\x00" {never_name}')] + sink.rules
    return [(root_name, body.text)] + sink.rules
