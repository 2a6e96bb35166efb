"""Test-only reference semantics of structural tags, written directly from the documented meaning.

`end_positions(fmt, text, start) -> set of positions` where the format (a plain JSON dict, as
users write it) can match `text[start:position]`. It shares no code with xgrammar: free text is
scanned position by position, checking which strings complete there, exactly as the protocol
is described in xgrammar/structural_tag/converter.py. `json_schema` is given by a regex stand-in
(the caller's `json_schema_regex`), `regex` uses Python's `re` on ECMAScript-compatible patterns.
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Set, Tuple


class StructuralTagOracle:
    def __init__(self, json_schema_regex: Callable[[object], str]) -> None:
        self.json_schema_regex = json_schema_regex

    def accepts(self, structural_tag: dict, text: str) -> bool:
        return len(text) in self.ends(structural_tag["format"], text, 0, None)

    # ends: the enclosing tag's end strings when this format must consume one of them itself.
    def ends(self, fmt: dict, text: str, start: int, stops: Optional[Tuple[str, ...]]) -> Set[int]:
        kind = fmt["type"]
        if kind == "any_text":
            return self.free_text(text, start, (), tuple(fmt.get("excludes", ())), stops, None)
        if kind == "triggered_tags":
            return self.triggered_tags(fmt, text, start, stops)
        if kind == "sequence":
            positions = {start}
            elements = fmt["elements"]
            for index, element in enumerate(elements):
                last = index == len(elements) - 1
                positions = {
                    end
                    for p in positions
                    for end in self.ends(element, text, p, stops if last else None)
                }
            return positions
        if kind == "or":
            return {end for e in fmt["elements"] for end in self.ends(e, text, start, stops)}
        positions = self.closed(fmt, text, start)
        if stops is None:
            return positions
        return {p + len(e) for p in positions for e in stops if text.startswith(e, p)}

    def closed(self, fmt: dict, text: str, start: int) -> Set[int]:
        kind = fmt["type"]
        if kind == "const_string":
            value = fmt["value"]
            return {start + len(value)} if text.startswith(value, start) else set()
        if kind in ("regex", "json_schema"):
            pattern = fmt["pattern"] if kind == "regex" else self.json_schema_regex(fmt)
            compiled = re.compile(pattern)
            return {
                end for end in range(start, len(text) + 1) if compiled.fullmatch(text, start, end)
            }
        if kind == "tag":
            return self.tag(fmt, text, start, 0)
        assert kind == "tags_with_separator"
        return self.tags_with_separator(fmt, text, start)

    def tag(self, tag: dict, text: str, start: int, skip: int) -> Set[int]:
        begin = tag["begin"][skip:]
        if not text.startswith(begin, start):
            return set()
        ends = tag["end"] if isinstance(tag["end"], list) else [tag["end"]]
        return self.ends(tag["content"], text, start + len(begin), tuple(ends))

    def free_text(self, text, start, triggers, excludes, stops, on_trigger) -> Set[int]:
        """Text until the first completed string; `on_trigger(i, position)` continues triggers."""
        stop_strings = tuple(s for s in stops or () if s)
        results: Set[int] = set()
        if not stop_strings:
            results.add(start)
        for position in range(start + 1, len(text) + 1):
            window = text[start:position]
            done = [
                (role, index)
                for role, strings in (("trigger", triggers), ("end", stop_strings), ("x", excludes))
                for index, string in enumerate(strings)
                if window.endswith(string)
            ]
            if any(role == "x" for role, _ in done):
                return results
            if done:
                for role, index in done:
                    if role == "end":
                        results.add(position)
                    else:
                        results |= on_trigger(index, position)
                return results
            if not stop_strings:
                results.add(position)
        return results

    def triggered_tags(self, fmt, text, start, stops) -> Set[int]:
        triggers = tuple(fmt["triggers"])
        stop_strings = tuple(s for s in stops or () if s)
        after_first = fmt.get("stop_after_first", False)
        memo = {}

        def after_tag(position: int) -> Set[int]:
            if after_first:
                if not stop_strings:
                    return {position}
                return {position + len(s) for s in stop_strings if text.startswith(s, position)}
            return loop(position)

        def on_trigger(index: int, position: int) -> Set[int]:
            results = set()
            for tag in fmt["tags"]:
                if tag["begin"].startswith(triggers[index]):
                    for end in self.tag(tag, text, position, len(triggers[index])):
                        results |= after_tag(end)
            return results

        def loop(position: int) -> Set[int]:
            if position not in memo:
                memo[position] = set()
                memo[position] = self.free_text(
                    text, position, triggers, tuple(fmt.get("excludes", ())), stops, on_trigger
                )
            return memo[position]

        if fmt.get("at_least_one", False):
            results = set()
            for tag in fmt["tags"]:
                for end in self.tag(tag, text, start, 0):
                    results |= after_tag(end)
            return results
        return loop(start)

    def tags_with_separator(self, fmt, text, start) -> Set[int]:
        def one(position):
            return {end for tag in fmt["tags"] for end in self.tag(tag, text, position, 0)}

        first = one(start)
        results = set(first) | (set() if fmt.get("at_least_one", False) else {start})
        if fmt.get("stop_after_first", False):
            return results
        frontier = set(first)
        separator = fmt["separator"]
        seen = set(first)
        while frontier:
            next_frontier = set()
            for position in frontier:
                if text.startswith(separator, position):
                    for end in one(position + len(separator)):
                        if end not in seen:
                            seen.add(end)
                            next_frontier.add(end)
            results |= next_frontier
            frontier = next_frontier
        return results
