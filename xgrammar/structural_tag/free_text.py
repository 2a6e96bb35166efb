"""Free text that stops at, dispatches on, or must avoid given strings, as EBNF rules.

Entry point: `add_free_text_rules(...)`. It builds an Aho-Corasick automaton over the code
points of all the strings involved and prints it as a right-linear grammar, one rule per
automaton state, so the language is exactly:

* text in which no trigger, end or excluded string occurs, then
* either the end of the input (when `accept_at_end_of_input`), or the first occurrence of a
  trigger (continuing with that trigger's rule) or of an end string (continuing with
  `after_end`, usually nothing: the end string is consumed here, as upstream's tag dispatch
  does).

"First occurrence" means the first position at which any string is complete; when several
complete at once (one is a suffix of another) every one of their continuations is allowed,
except that an excluded string forbids the text outright. Characters that occur in none of
the strings share one transition back to the start state, so the rule count is at most the
total length of the strings plus one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from ..regex.charset import CodePointSet
from ..regex.ebnf_text import ANY_CODE_POINT_CLASS, char_class, string_literal

TRIGGER, END, EXCLUDE = "trigger", "end", "exclude"


@dataclass
class _Automaton:
    children: List[Dict[int, int]] = field(default_factory=lambda: [{}])
    fail: List[int] = field(default_factory=lambda: [0])
    # Per state: the (role, index) of every string that is complete on reaching it.
    outputs: List[Set[Tuple[str, int]]] = field(default_factory=lambda: [set()])

    def add(self, text: str, role: Tuple[str, int]) -> None:
        state = 0
        for char in text:
            code = ord(char)
            if code not in self.children[state]:
                self.children.append({})
                self.fail.append(0)
                self.outputs.append(set())
                self.children[state][code] = len(self.children) - 1
            state = self.children[state][code]
        self.outputs[state].add(role)

    def finish(self) -> None:
        queue = deque(self.children[0].values())
        while queue:
            state = queue.popleft()
            for code, child in self.children[state].items():
                fallback = self.fail[state]
                while fallback and code not in self.children[fallback]:
                    fallback = self.fail[fallback]
                target = self.children[fallback].get(code, 0)
                self.fail[child] = target if target != child else 0
                self.outputs[child] |= self.outputs[self.fail[child]]
                queue.append(child)

    def step(self, state: int, code: int) -> int:
        while state and code not in self.children[state]:
            state = self.fail[state]
        return self.children[state].get(code, 0)


def add_free_text_rules(
    rules: List[Tuple[str, str]],
    name_stem: str,
    *,
    triggers: List[str],
    trigger_continuations: List[str],
    ends: List[str],
    after_end: str,
    excludes: List[str],
    accept_at_end_of_input: bool,
) -> str:
    """Appends the automaton's rules to `rules`; returns the start state's rule name."""
    strings = [(text, (TRIGGER, i)) for i, text in enumerate(triggers)]
    strings += [(text, (END, 0)) for text in ends]
    strings += [(text, (EXCLUDE, 0)) for text in excludes]
    if not strings:
        name = f"{name_stem}_s0"
        body = f"{ANY_CODE_POINT_CLASS}*" if accept_at_end_of_input else f'"\\x00" {name}'
        rules.append((name, body))
        return name
    automaton = _Automaton()
    for text, role in strings:
        automaton.add(text, role)
    automaton.finish()
    alphabet = sorted({ord(char) for text, _ in strings for char in text})
    others = CodePointSet.of(*alphabet).complement()

    def state_name(state: int) -> str:
        return f"{name_stem}_s{state}"

    emitted: Set[int] = set()
    pending = deque([0])
    emitted.add(0)
    while pending:
        state = pending.popleft()
        alternatives: List[str] = ['""'] if accept_at_end_of_input else []
        by_target: Dict[int, List[int]] = {}
        for code in alphabet:
            target = automaton.step(state, code)
            done = automaton.outputs[target]
            literal = string_literal(chr(code))
            if any(role == EXCLUDE for role, _ in done):
                continue
            if done:
                for role, index in sorted(done):
                    follow = trigger_continuations[index] if role == TRIGGER else after_end
                    alternatives.append(f"{literal} {follow}".rstrip() if follow else literal)
                continue
            by_target.setdefault(target, []).append(code)
        for target, codes in sorted(by_target.items()):
            chars = CodePointSet.of(*codes)
            if target == 0:  # characters of no string lead back to the start state too
                chars = chars.union(others)
            single = chars.single_code_point()
            atom = string_literal(chr(single)) if single is not None else char_class(chars)
            alternatives.append(f"{atom} {state_name(target)}")
            if target not in emitted:
                emitted.add(target)
                pending.append(target)
        if 0 not in by_target and not others.is_empty():
            alternatives.append(f"{char_class(others)} {state_name(0)}")
        if not alternatives:
            alternatives.append(f'"\\x00" {state_name(state)}')  # derives nothing
        rules.append((state_name(state), " | ".join(alternatives)))
    return state_name(0)


def optional_choice(strings: List[str]) -> Optional[str]:
    """An EBNF choice among string literals, or None for no strings."""
    if not strings:
        return None
    literals = [string_literal(text) for text in strings]
    return literals[0] if len(literals) == 1 else "(" + " | ".join(literals) + ")"
