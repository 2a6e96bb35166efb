"""Where `^` and `$` may stand, and which kinds a pattern uses.

Entry point: `check_anchors(tree) -> AnchorUse`. An anchor is modelled exactly when it can only
ever be reached with nothing consumed before it (`^`) or after it (`$`) within the whole
pattern: it sits at the edge of every enclosing sequence (only other zero-width items beside it)
and inside no repetition that may run more than once. Such a `^` holds exactly when the match
begins at the start of the input, and such a `$` exactly when it ends at the input's end, which
is what lets the emitter turn them into plain grammar (see emitter.py). Any other anchor raises
`UnsupportedFeatureError` at its position. The walk uses an explicit stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple

from . import ast
from .parser import unsupported


@dataclass(frozen=True)
class AnchorUse:
    has_start: bool
    has_end: bool


def _zero_width_map(tree: ast.Node) -> Dict[int, bool]:
    """id(node) -> whether the node can only ever match the empty string."""
    result: Dict[int, bool] = {}
    stack: List[Tuple[ast.Node, bool]] = [(tree, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in ast.children(node))
            continue
        if isinstance(node, ast.Anchor):
            result[id(node)] = True
        elif isinstance(node, ast.CharSet):
            result[id(node)] = node.chars.is_empty()
        elif isinstance(node, ast.Repeat):
            result[id(node)] = node.max_count == 0 or result[id(node.item)]
        else:
            result[id(node)] = all(result[id(child)] for child in ast.children(node))
    return result


def check_anchors(tree: ast.Node) -> AnchorUse:
    zero_width = _zero_width_map(tree)
    has_start = has_end = False
    stack: List[Tuple[ast.Node, bool, bool]] = [(tree, True, True)]
    while stack:
        node, at_start, at_end = stack.pop()
        if isinstance(node, ast.Anchor):
            if node.kind is ast.AnchorKind.START:
                if not at_start:
                    raise unsupported(
                        "'^' is only supported where nothing can come before it", node.offset
                    )
                has_start = True
            else:
                if not at_end:
                    raise unsupported(
                        "'$' is only supported where nothing can come after it", node.offset
                    )
                has_end = True
        elif isinstance(node, ast.Sequence):
            items = node.items
            # zero_prefix[i]: items[:i] are all zero-width; zero_suffix[i]: items[i:] are.
            zero_prefix = [True]
            for item in items:
                zero_prefix.append(zero_prefix[-1] and zero_width[id(item)])
            zero_suffix = [True]
            for item in reversed(items):
                zero_suffix.append(zero_suffix[-1] and zero_width[id(item)])
            zero_suffix.reverse()
            for index, item in enumerate(items):
                stack.append(
                    (item, at_start and zero_prefix[index], at_end and zero_suffix[index + 1])
                )
        elif isinstance(node, ast.Alternation):
            stack.extend((branch, at_start, at_end) for branch in node.branches)
        elif isinstance(node, ast.Repeat):
            at_most_once = node.max_count is not None and node.max_count <= 1
            stack.append((node.item, at_start and at_most_once, at_end and at_most_once))
    return AnchorUse(has_start, has_end)
