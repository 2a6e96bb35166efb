"""The typed syntax tree a regex parses into, stripped to what decides the language.

Groups, capture names and laziness do not change which strings match, so they are gone by the
time a tree is built: a tree is made of character sets, sequences, alternations, counted
repetitions and the two anchors. Every node keeps the offset of its first character in the
pattern so later stages can report errors at the right place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Tuple, Union

from .charset import CodePointSet


@dataclass(frozen=True)
class CharSet:
    """One code point out of `chars` (a literal, a class, an escape such as `\\d`, the dot)."""

    chars: CodePointSet
    offset: int


@dataclass(frozen=True)
class Sequence:
    """The items one after another; no items matches the empty string."""

    items: Tuple[Node, ...]
    offset: int


@dataclass(frozen=True)
class Alternation:
    """Any one of the branches (at least two)."""

    branches: Tuple[Node, ...]
    offset: int


@dataclass(frozen=True)
class Repeat:
    """`item` repeated between `min_count` and `max_count` times (None: unbounded). `lazy`
    (`*?`, `{m,n}?`) does not change the language, only which match a backtracking matcher
    takes first (the Lark front end needs that)."""

    item: Node
    min_count: int
    max_count: int | None
    offset: int
    lazy: bool = False


class AnchorKind(enum.Enum):
    START = "^"
    END = "$"


@dataclass(frozen=True)
class Anchor:
    """`^` / `$` (and Python's `\\A` / `\\Z`): the start or the end of the input."""

    kind: AnchorKind
    offset: int


Node = Union[CharSet, Sequence, Alternation, Repeat, Anchor]


def children(node: Node) -> Tuple[Node, ...]:
    """The direct sub-nodes of a node, in pattern order."""
    if isinstance(node, Sequence):
        return node.items
    if isinstance(node, Alternation):
        return node.branches
    if isinstance(node, Repeat):
        return (node.item,)
    return ()
