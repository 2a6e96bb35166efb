"""Process-wide configuration: the resource limits of the core.

Every limit is named, has a default, and running out of it raises ``LimitExceededError`` (a
mask is never wrong because of a limit). The values live in C++ (``cpp/resource_limits.h``
documents each with the reason for its default) and apply to every parse and compile that
starts after the change.

============================  =========  ===================================================
limit                         default    what it bounds
============================  =========  ===================================================
``max_nesting_depth``         1,000      nesting of parentheses in EBNF/regex, of subschemas
``max_recursion_depth``       10,000     upstream's recursion depth setting (kept for API
                                         compatibility; the Earley matcher needs no stack)
``max_grammar_size``          2,000,000  rules plus expressions of one grammar
``max_repetition_bound``      100,000    the largest finite bound of ``{m,n}``
``max_automaton_states``      2,000,000  automaton states of one compiled grammar
``max_vocab_size``            16,777,216 tokens of one vocabulary
============================  =========  ===================================================
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from . import _core
from .exceptions import InvalidArgumentError

__all__ = [
    "get_limits",
    "set_limits",
    "get_max_recursion_depth",
    "set_max_recursion_depth",
    "max_recursion_depth",
]

_LIMIT_NAMES = (
    "max_nesting_depth",
    "max_recursion_depth",
    "max_grammar_size",
    "max_repetition_bound",
    "max_automaton_states",
    "max_vocab_size",
)


def get_limits() -> dict[str, int]:
    """The current limits, by name."""
    limits = _core.get_limits()
    return {name: getattr(limits, name) for name in _LIMIT_NAMES}


def set_limits(**values: int) -> None:
    """Changes some limits, e.g. ``set_limits(max_repetition_bound=10_000)``."""
    limits = _core.get_limits()
    for name, value in values.items():
        if name not in _LIMIT_NAMES:
            raise InvalidArgumentError(f"unknown limit {name!r}; limits are {_LIMIT_NAMES}")
        if not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"limit {name} must be a positive int, got {value!r}")
        setattr(limits, name, value)
    _core.set_limits(limits)


def get_max_recursion_depth() -> int:
    return get_limits()["max_recursion_depth"]


def set_max_recursion_depth(max_recursion_depth: int) -> None:
    set_limits(max_recursion_depth=max_recursion_depth)


@contextlib.contextmanager
def max_recursion_depth(depth: int) -> Iterator[None]:
    """Temporarily sets the max recursion depth."""
    previous = get_max_recursion_depth()
    set_max_recursion_depth(depth)
    try:
        yield
    finally:
        set_max_recursion_depth(previous)
