"""JSON Schema `pattern` (ECMAScript regex) -> a regular expression over code points.

The pattern is parsed by the regex front end (`xgrammar.regex.parse_regex`, ECMAScript
flavour); this module only turns its tree into the converter's expressions (`regular.py`),
because the converter needs the pattern as an *automaton*: to intersect it with `format`,
`minLength`/`maxLength` and property-name constraints, and to render each character in every
JSON string spelling.

JSON Schema patterns are *unanchored*: a string is valid when the pattern matches somewhere in
it (search semantics). `pattern_language` therefore returns `.* R .*`, leaving out the leading
`.*` of a top-level branch that starts with `^` and the trailing one of a branch that ends with
`$`. An anchor anywhere else raises `UnsupportedFeatureError` (the regex front end's own
grammar emitter handles those, but its output cannot be intersected); so do lookaround,
backreferences and the other constructs the parser rejects. A malformed pattern raises
`InvalidJSONSchemaError` naming the offset.

Entry points: `pattern_language(pattern) -> expression`; `tree_expression(pattern, node)` for
an anchor-free regex tree (the Lark front end uses it for its terminals' automata).
Budgets: `MAX_PATTERN_NESTING` group levels (the automaton code recurses over the expression)
and `MAX_PATTERN_REPEAT` for counted repetition (each count is a copy in the automaton).
"""

from __future__ import annotations

from functools import lru_cache

from ..exceptions import GrammarSyntaxError, InvalidJSONSchemaError, UnsupportedFeatureError
from ..regex import RegexOptions, parse_regex
from ..regex import ast as regex_ast
from .regular import ANY_CODE_POINT, EPSILON, Alt, Chars, Concat, Repeat, normalize_ranges

MAX_PATTERN_NESTING = 100
MAX_PATTERN_REPEAT = 1000
_OPTIONS = RegexOptions(
    max_nesting_depth=MAX_PATTERN_NESTING, max_repetition_bound=MAX_PATTERN_REPEAT
)


def _is_anchor(node, kind) -> bool:
    return isinstance(node, regex_ast.Anchor) and node.kind is kind


def tree_expression(pattern: str, node):
    """The expression for an anchor-free regex tree (an explicit stack: trees can be deep)."""
    results: dict = {}
    stack = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        children = regex_ast.children(current)
        if not expanded and children:
            stack.append((current, True))
            stack.extend((child, False) for child in children)
            continue
        if isinstance(current, regex_ast.CharSet):
            value = Chars(normalize_ranges(current.chars.ranges))
        elif isinstance(current, regex_ast.Sequence):
            value = Concat(tuple(results[id(item)] for item in current.items))
        elif isinstance(current, regex_ast.Alternation):
            value = Alt(tuple(results[id(branch)] for branch in current.branches))
        elif isinstance(current, regex_ast.Repeat):
            value = Repeat(results[id(current.item)], current.min_count, current.max_count)
        else:
            raise UnsupportedFeatureError(
                f"pattern {pattern!r}: an anchor at offset {current.offset} that does not start"
                " or end a top-level alternative"
            )
        results[id(current)] = value
    return results[id(node)]


@lru_cache(maxsize=1024)
def pattern_language(pattern: str):
    """The strings in which `pattern` finds a match, as a regular expression."""
    try:
        tree = parse_regex(pattern, _OPTIONS)
    except GrammarSyntaxError as error:
        raise InvalidJSONSchemaError(f"pattern {pattern!r} does not parse: {error}") from None
    branches = tree.branches if isinstance(tree, regex_ast.Alternation) else (tree,)
    anything = Repeat(Chars(ANY_CODE_POINT), 0, None)
    options = []
    for branch in branches:
        items = list(branch.items) if isinstance(branch, regex_ast.Sequence) else [branch]
        anchored_start = bool(items) and _is_anchor(items[0], regex_ast.AnchorKind.START)
        if anchored_start:
            items = items[1:]
        anchored_end = bool(items) and _is_anchor(items[-1], regex_ast.AnchorKind.END)
        if anchored_end:
            items = items[:-1]
        body = tuple(tree_expression(pattern, item) for item in items)
        prefix = EPSILON if anchored_start else anything
        suffix = EPSILON if anchored_end else anything
        options.append(Concat((prefix,) + body + (suffix,)))
    return options[0] if len(options) == 1 else Alt(tuple(options))
