"""Fuzz targets: one function per attack surface, each taking arbitrary bytes.

A target may raise an `XGrammarError` (bad input is expected to be reported, typed); anything
else that escapes -- a bare RuntimeError, SystemError, TypeError from the bindings, a violated
invariant (AssertionError) -- is a finding, and so is a crash or sanitizer report of the process.
The targets are shared by the atheris drivers (fuzz_main.py, run by run_fuzz.sh) and by
test_fuzz_regressions.py, which replays every saved input in regressions/ under pytest.

Targets:
  ebnf         Grammar.from_ebnf on the bytes decoded as UTF-8 (lossy), then str() and reparse
  deserialize  Grammar.deserialize_json on the bytes, and round trip of what parses
  matcher      a random sequence of matcher calls on one of a few compiled grammars, checking
               that the mask and accept_token agree and that rollback restores the mask
  regex        Grammar.from_regex (when xgrammar.regex exists)
  json_schema  Grammar.from_json_schema on the bytes as JSON (when xgrammar.json_schema exists)
  lark         Grammar.from_lark on the bytes as grammar text (when the lark package exists)
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
from typing import Callable

import numpy as np

import xgrammar as xgr
from xgrammar.exceptions import XGrammarError
from xgrammar.testing import _get_matcher_from_grammar, bitmask_to_bool_mask

#: Limits for fuzzing: small enough that a random input cannot make one call take seconds.
FUZZ_LIMITS = {
    "max_nesting_depth": 200,
    "max_repetition_bound": 200,
    "max_automaton_states": 20_000,
    "max_grammar_size": 20_000,
}
MAX_INPUT_BYTES = 4096


def _text(data: bytes) -> str:
    return data[:MAX_INPUT_BYTES].decode("utf-8", errors="replace")


def fuzz_ebnf(data: bytes) -> None:
    try:
        grammar = xgr.Grammar.from_ebnf(_text(data))
    except XGrammarError:
        return
    printed = str(grammar)
    # The canonical printer's output must parse back to the same printed grammar.
    assert str(xgr.Grammar.from_ebnf(printed)) == printed, printed
    _match_some_strings(grammar, data)


def _match_some_strings(grammar: xgr.Grammar, data: bytes) -> None:
    try:
        matcher = _get_matcher_from_grammar(grammar)
    except XGrammarError:
        return
    for start in range(0, min(len(data), 64), 8):
        matcher.accept_string(data[start : start + 8])
    matcher.is_completed()


def fuzz_deserialize(data: bytes) -> None:
    try:
        grammar = xgr.Grammar.deserialize_json(_text(data))
    except XGrammarError:
        return
    again = xgr.Grammar.deserialize_json(grammar.serialize_json())
    assert str(again) == str(grammar)


def _front_end_target(build: Callable[[str], xgr.Grammar]) -> Callable[[bytes], None]:
    """A target that builds a grammar from the bytes as text, then matches some strings."""

    def target(data: bytes) -> None:
        try:
            grammar = build(_text(data))
        except XGrammarError:
            return
        _match_some_strings(grammar, data)

    return target


fuzz_regex = _front_end_target(xgr.Grammar.from_regex)
fuzz_json_schema = _front_end_target(xgr.Grammar.from_json_schema)
fuzz_lark = _front_end_target(xgr.Grammar.from_lark)


_MATCHER_GRAMMARS = (
    'root ::= "{" pair ("," pair)* "}"\npair ::= [a-z]+ ":" ("[" root? "]" | [0-9]{1,3})',
    'root ::= root root | "ab" | "a" | ""',
    'root ::= ([^"\\\\] | "\\\\" ["nt])* "\\""',
    'root ::= "x"{2,5} ("y" | "yy")* (= "z")\nz ::= "z"',
)


@functools.lru_cache(maxsize=1)
def _matcher_fixture() -> tuple[list[str], list[xgr.CompiledGrammar]]:
    vocab = ["</s>", *(chr(c) for c in range(32, 127)), "ab", "aa", "{a", "}}", '\\"', "é", "\n"]
    vocab += ["yy", "xx", "xy", "zz", "123", ":[", "]}", "\xff"]
    info = xgr.TokenizerInfo(vocab, stop_token_ids=[0])
    compiler = xgr.GrammarCompiler(info, max_threads=1)
    return vocab, [compiler.compile_grammar(g) for g in _MATCHER_GRAMMARS]


# Emptied before nanobind's leak check at exit (see xgrammar/testing.py).
atexit.register(_matcher_fixture.cache_clear)


def _allowed(matcher: xgr.GrammarMatcher, vocab_size: int) -> np.ndarray:
    bitmask = xgr.allocate_token_bitmask(1, vocab_size)
    matcher.fill_next_token_bitmask(bitmask)
    return np.asarray(bitmask_to_bool_mask(bitmask, vocab_size)).reshape(-1)[:vocab_size].copy()


def fuzz_matcher(data: bytes) -> None:
    vocab, compiled = _matcher_fixture()
    if not data:
        return
    matcher = xgr.GrammarMatcher(compiled[data[0] % len(compiled)], max_rollback_tokens=8)
    accepted = 0
    for position in range(1, min(len(data), 400) - 1, 2):
        op, arg = data[position] % 8, data[position + 1]
        if op <= 2:
            token = arg % (len(vocab) + 2) - 1  # includes -1 and vocab_size: misuse
            if not 0 <= token < len(vocab):
                try:
                    matcher.accept_token(token)
                except xgr.InvalidArgumentError:
                    continue
                raise AssertionError(f"out-of-range token {token} was not rejected")
            before = _allowed(matcher, len(vocab))
            terminated = matcher.is_terminated()
            ok = matcher.accept_token(token)
            # The mask is exact: a token is accepted iff its bit was set. (A terminated
            # matcher keeps allowing its stop token in the mask, as upstream, for batches.)
            assert ok == bool(before[token]) or terminated, (token, vocab[token])
            if ok:
                accepted += 1
                if arg & 1 and not matcher.is_terminated():
                    matcher.rollback(1)
                    accepted -= 1
                    assert (_allowed(matcher, len(vocab)) == before).all()
            else:
                assert (_allowed(matcher, len(vocab)) == before).all()
        elif op == 3:
            matcher.accept_string(data[position + 1 : position + 1 + arg % 5])
        elif op == 4:
            steps = arg % 4
            try:
                matcher.rollback(steps)
                accepted = max(0, accepted - steps)
            except xgr.InvalidArgumentError:
                pass
        elif op == 5:
            matcher.find_jump_forward_string()
            matcher.is_completed()
        elif op == 6:
            matcher = matcher.fork() if arg & 1 else matcher
            if arg & 2:
                matcher.reset()
                accepted = 0
        else:
            _allowed(matcher, len(vocab))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "ebnf": fuzz_ebnf,
    "deserialize": fuzz_deserialize,
    "matcher": fuzz_matcher,
}
if importlib.util.find_spec("xgrammar.regex") is not None:
    TARGETS["regex"] = fuzz_regex
if importlib.util.find_spec("xgrammar.json_schema") is not None:
    TARGETS["json_schema"] = fuzz_json_schema
if importlib.util.find_spec("lark") is not None:
    TARGETS["lark"] = fuzz_lark
