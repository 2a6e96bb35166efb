"""Layout of the emitted JSON: where whitespace may or must go (upstream 0.2.8 semantics).

- `any_whitespace=True` (default): any run of JSON whitespace (space, `\\n`, `\\r`, `\\t`; at
  most `max_whitespace_cnt` characters when given) may stand after `{`/`[`, before `}`/`]` and
  around each separator; the separators are `,` and `:` unless `separators` is given. No
  whitespace before or after the top-level value.
- `any_whitespace=False`, `indent=None`: one line, separators `(", ", ": ")` by default.
- `any_whitespace=False`, `indent=n`: every element on its own line, indented by `n` spaces per
  nesting level, separators `(",", ": ")` by default (as `json.dumps(..., indent=n)`).

Indentation depends on nesting depth, so in indent mode the converter makes one rule per
(subschema, depth). Depths past `MAX_INDENTED_DEPTH` (a recursive schema's can grow without
end) and unconstrained values (`true`, `{}`) are laid out on one line with the separators.

Entry point: `Layout`.
"""

from __future__ import annotations

from typing import Tuple

from ..exceptions import InvalidArgumentError
from . import ebnf

# Nesting depth up to which indent mode lays out subschemas line by line.
MAX_INDENTED_DEPTH = 16

WHITESPACE_CHARS = ((0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x20))


class Layout:
    def __init__(
        self,
        table: ebnf.RuleTable,
        any_whitespace: bool,
        indent: int | None,
        separators: Tuple[str, str] | None,
        max_whitespace_cnt: int | None,
    ) -> None:
        if indent is not None and (not isinstance(indent, int) or indent < 0):
            raise InvalidArgumentError(f"indent must be a non-negative integer, got {indent!r}")
        if max_whitespace_cnt is not None and (
            not isinstance(max_whitespace_cnt, int) or max_whitespace_cnt <= 0
        ):
            raise InvalidArgumentError(
                f"max_whitespace_cnt must be a positive integer, got {max_whitespace_cnt!r}"
            )
        if separators is not None:
            if len(separators) != 2 or not all(isinstance(s, str) for s in separators):
                raise InvalidArgumentError("separators must be a pair of strings (comma, colon)")
        self.any_whitespace = any_whitespace
        self.indent = None if any_whitespace else indent
        if separators is not None:
            self.comma, self.colon_text = separators
        elif any_whitespace:
            self.comma, self.colon_text = ",", ":"
        elif indent is not None:
            self.comma, self.colon_text = ",", ": "
        else:
            self.comma, self.colon_text = ", ", ": "
        self.whitespace: ebnf.Expr = ebnf.EMPTY
        if any_whitespace:
            run = ebnf.repeat(ebnf.char_class(WHITESPACE_CHARS), 0, max_whitespace_cnt)
            self.whitespace = ebnf.RuleRef(table.add("ws", run))

    @property
    def depth_sensitive(self) -> bool:
        return self.indent is not None

    def effective_depth(self, depth: int) -> int:
        """The depth a rule is keyed by: 0 when layout ignores depth."""
        if self.indent is None:
            return 0
        return min(depth, MAX_INDENTED_DEPTH + 1)

    def _newline(self, depth: int) -> str | None:
        if self.indent is None or depth > MAX_INDENTED_DEPTH:
            return None
        return "\n" + " " * (self.indent * depth)

    def open(self, depth: int) -> ebnf.Expr:
        """Between `{`/`[` and the first element of a container at `depth`."""
        if self.any_whitespace:
            return self.whitespace
        newline = self._newline(depth + 1)
        return ebnf.literal(newline or "")

    def between(self, depth: int) -> ebnf.Expr:
        """Between two elements of a container at `depth`."""
        if self.any_whitespace:
            ws = self.whitespace
            return ebnf.sequence(ws, ebnf.literal(self.comma), ws)
        newline = self._newline(depth + 1)
        if newline is None:
            return ebnf.literal(self.comma)
        return ebnf.literal(self.comma.rstrip(" ") + newline)

    def close(self, depth: int) -> ebnf.Expr:
        """Between the last element and `}`/`]` of a container at `depth`."""
        if self.any_whitespace:
            return self.whitespace
        if self._newline(depth + 1) is None:  # the elements were laid out on one line
            return ebnf.EMPTY
        return ebnf.literal("\n" + " " * (self.indent * depth))

    def empty(self) -> ebnf.Expr:
        """Inside an empty container."""
        return self.whitespace if self.any_whitespace else ebnf.EMPTY

    def colon(self) -> ebnf.Expr:
        if self.any_whitespace:
            ws = self.whitespace
            return ebnf.sequence(ws, ebnf.literal(self.colon_text), ws)
        return ebnf.literal(self.colon_text)
