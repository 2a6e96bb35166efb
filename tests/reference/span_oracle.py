"""A second, even more naive whole-string recognizer, used only to test the Earley one.

Entry point: `span_accepts(grammar, data) -> bool` (`grammar` is an ebnf.Grammar).

It shares nothing with earley.py: it works on the AST directly and computes, for every rule, the
set of spans (i, j) of `data` that the rule derives, as a least fixpoint (start from empty sets,
re-evaluate every rule body until nothing changes; every step only adds spans, so it ends).
Classes are tested with Python's strict UTF-8 decoder (which already rejects surrogates,
overlong forms and code points above U+10FFFF). A rule `r ::= body (= la)` keeps a span (i, j)
only if some span (j, k) of `la` exists -- the text after j starts with a string of L(la) --
which is exactly the lookahead rule of DESIGN.md; at the end of input no such span exists unless
L(la) holds the empty string.

Cost is about O(n^3) per relation composition and the fixpoint may repeat that many times:
keep `data` short (tens of bytes). Recursion follows the AST, whose depth the parser bounds.
"""

from __future__ import annotations

from . import ebnf

Spans = frozenset  # of (start, end) pairs with 0 <= start <= end <= len(data)


class _SpanEvaluator:
    def __init__(self, grammar: ebnf.Grammar, data: bytes):
        self.grammar = grammar
        self.data = data
        self.size = len(data)
        self.rule_spans: dict[str, Spans] = {rule.name: frozenset() for rule in grammar.rules}

    def literal(self, node: ebnf.Literal) -> Spans:
        width = len(node.data)
        return frozenset(
            (start, start + width)
            for start in range(self.size - width + 1)
            if self.data[start : start + width] == node.data
        )

    def char_class(self, node: ebnf.CharClass) -> Spans:
        spans = set()
        for start in range(self.size):
            for width in range(1, 5):
                try:
                    text = self.data[start : start + width].decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if len(text) != 1 or start + width > self.size:
                    continue
                inside = any(lo <= ord(text) <= hi for lo, hi in node.ranges)
                if inside != node.negated:
                    spans.add((start, start + width))
        return frozenset(spans)

    def identity(self) -> Spans:
        return frozenset((position, position) for position in range(self.size + 1))

    @staticmethod
    def compose(left: Spans, right: Spans) -> Spans:
        by_start: dict[int, list[int]] = {}
        for start, end in right:
            by_start.setdefault(start, []).append(end)
        return frozenset((start, end) for start, middle in left for end in by_start.get(middle, ()))

    def repeat(self, node: ebnf.Repeat) -> Spans:
        item = self.spans(node.item)
        power = self.identity()
        for _ in range(node.min_count):
            power = self.compose(power, item)
        result = power
        count = node.min_count
        while node.max_count is None or count < node.max_count:
            power = self.compose(power, item)
            count += 1
            if power <= result:  # nothing new can appear any more
                break
            result = result | power
        return result

    def spans(self, node: ebnf.Node) -> Spans:
        if isinstance(node, ebnf.Literal):
            return self.literal(node)
        if isinstance(node, ebnf.CharClass):
            return self.char_class(node)
        if isinstance(node, ebnf.RuleRef):
            return self.rule_spans[node.name]
        if isinstance(node, ebnf.Sequence):
            result = self.identity()
            for item in node.items:
                result = self.compose(result, self.spans(item))
            return result
        if isinstance(node, ebnf.Choice):
            return frozenset().union(*(self.spans(alt) for alt in node.alternatives))
        if isinstance(node, ebnf.Repeat):
            return self.repeat(node)
        raise TypeError(f"not an AST node: {node!r}")

    def rule(self, rule: ebnf.Rule) -> Spans:
        spans = self.spans(rule.body)
        if rule.lookahead is None:
            return spans
        followers = {start for start, _ in self.spans(rule.lookahead)}
        return frozenset((start, end) for start, end in spans if end in followers)

    def solve(self) -> None:
        changed = True
        while changed:
            changed = False
            for rule in self.grammar.rules:
                spans = self.rule(rule) | self.rule_spans[rule.name]
                if spans != self.rule_spans[rule.name]:
                    self.rule_spans[rule.name] = spans
                    changed = True


def span_accepts(grammar: ebnf.Grammar, data: bytes) -> bool:
    """`data` is a sentence of `grammar`, decided by the span fixpoint."""
    evaluator = _SpanEvaluator(grammar, bytes(data))
    evaluator.solve()
    return (0, len(data)) in evaluator.rule_spans[grammar.root]
