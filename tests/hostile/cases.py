"""The hostile-input corpus: inputs a stranger could send an inference server, one table.

Each `HostileCase` names an input and the only acceptable outcome: either a typed xgrammar
error class, or a result checked by `check` (a correct language, a correct mask). Nothing may
crash, hang or exhaust memory. Every compile runs with `COMPILE_BOUND_S` as its timeout, so a
regression to a hang fails as CompileTimeoutError instead of stalling the suite.

`run(env)` performs the case against `env`, a `HostileEnvironment` (a small real-shaped
vocabulary and its compiler) and returns what `check` inspects. The table is read by
tests/hostile/test_hostile_corpus.py (pass/fail) and bench/hostile_corpus.py (time and peak
memory per case). Add a case for every bug found; the `found` field says where it came from.
"""

from __future__ import annotations

import atexit
import functools
import json
import random
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

import xgrammar as xgr
from xgrammar.exceptions import (
    CompileCancelledError,
    DeserializeError,
    GrammarSyntaxError,
    InvalidArgumentError,
    InvalidGrammarError,
    LimitExceededError,
    XGrammarError,
)
from xgrammar.testing import _get_masked_tokens_from_bitmask

#: Generous bound on any one compile of the corpus; cases take milliseconds today.
COMPILE_BOUND_S = 60.0


class HostileEnvironment:
    """A small vocabulary with multi-byte, byte-fallback-like and stop tokens, and a compiler."""

    def __init__(self) -> None:
        ascii_tokens = [chr(c) for c in range(32, 127)]
        words = ["ab", "aa", "aaa", "ba", "((", "))", "{}", '""', "é", "\u4e2d", "\n"]
        self.vocab = ["</s>", *ascii_tokens, *words]
        self.info = xgr.TokenizerInfo(self.vocab, stop_token_ids=[0])
        self.compiler = xgr.GrammarCompiler(self.info, max_threads=2, cache_enabled=False)
        self.token_id = {token: i for i, token in enumerate(self.vocab)}

    def compile(self, ebnf: str) -> xgr.CompiledGrammar:
        return self.compiler.compile_grammar(ebnf, timeout=COMPILE_BOUND_S)

    def matcher(self, ebnf: str, **kwargs: Any) -> xgr.GrammarMatcher:
        return xgr.GrammarMatcher(self.compile(ebnf), **kwargs)

    def accepts(self, ebnf: str, text: str) -> bool:
        matcher = self.matcher(ebnf)
        return matcher.accept_string(text) and matcher.is_completed()


@dataclass(frozen=True)
class HostileCase:
    name: str
    run: Callable[[HostileEnvironment], Any]
    # The typed error the case must raise, or None when it must succeed and pass `check`.
    raises: Optional[type[BaseException]] = None
    check: Optional[Callable[[Any], bool]] = None
    found: str = ""  # the bug this case guards against, when it came from one


def _nested_parentheses(depth: int) -> str:
    return "root ::= " + "(" * depth + '"a"' + ")" * depth


def _doubling_rules(levels: int) -> str:
    # r0 is "a" repeated 2**levels times: tiny text, an exponentially large language unrolled.
    rules = [f"r{i} ::= r{i + 1} r{i + 1}" for i in range(levels)]
    return "root ::= r0\n" + "\n".join(rules) + f'\nr{levels} ::= "a"'


def _mask_of(env: HostileEnvironment, matcher: xgr.GrammarMatcher) -> set[str]:
    bitmask = xgr.allocate_token_bitmask(1, env.info.vocab_size)
    matcher.fill_next_token_bitmask(bitmask)
    allowed = _get_masked_tokens_from_bitmask(bitmask, env.info.vocab_size)
    rejected = set(allowed)
    return {env.vocab[i] for i in range(len(env.vocab)) if i not in rejected}


def _prefix_but_not_complete(env: HostileEnvironment, ebnf: str, text: str) -> tuple:
    matcher = env.matcher(ebnf)
    return matcher.accept_string(text), matcher.is_completed()


def _finished_matcher(env: HostileEnvironment) -> xgr.GrammarMatcher:
    matcher = env.matcher('root ::= "a"')
    assert matcher.accept_string("a")
    assert matcher.accept_token(0)  # the stop token
    assert matcher.is_terminated()
    return matcher


def _fill(env: HostileEnvironment, bitmask: Any, index: int = 0) -> bool:
    return env.matcher('root ::= "a"').fill_next_token_bitmask(bitmask, index)


# -- EBNF text ----------------------------------------------------------------------------

EBNF_CASES = [
    HostileCase(
        "ebnf_parentheses_nested_100k_deep",
        lambda env: env.compile(_nested_parentheses(100_000)),
        raises=LimitExceededError,
    ),
    HostileCase(
        "ebnf_parentheses_nested_900_deep_still_work",
        lambda env: env.accepts(_nested_parentheses(900), "a"),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_unclosed_parentheses_100k",
        lambda env: env.compile("root ::= " + "(" * 100_000),
        raises=XGrammarError,
    ),
    HostileCase(
        "ebnf_repetition_0_to_1_million",
        lambda env: env.compile('root ::= "a"{0,1000000}'),
        raises=LimitExceededError,
    ),
    HostileCase(
        "ebnf_repetition_count_overflows_int",
        lambda env: env.compile('root ::= "a"{99999999999999999999}'),
        raises=XGrammarError,
    ),
    HostileCase(
        "ebnf_repetition_1_to_129_on_nested_groups",
        lambda env: env.accepts('root ::= (("a" | "b"){1,129} ","){1,129}', "ab,ba,a,"),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_repetition_1_to_129_three_levels",
        lambda env: env.compile('root ::= ((("a" [b-z]){1,129}){1,129}){1,129}'),
        raises=LimitExceededError,
    ),
    HostileCase(
        "ebnf_repetition_min_above_max",
        lambda env: env.compile('root ::= "a"{5,2}'),
        raises=XGrammarError,
    ),
    HostileCase(
        "ebnf_exponential_alternation_sequence",
        lambda env: env.accepts("root ::= " + '("a" | "a" | "aa")' * 64, "a" * 64),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_rules_doubling_40_levels",
        lambda env: _prefix_but_not_complete(env, _doubling_rules(40), "a" * 1000),
        check=lambda outcome: outcome == (True, False),
    ),
    HostileCase(
        "ebnf_rules_doubling_12_levels",
        lambda env: env.accepts(_doubling_rules(12), "a" * 4096),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_left_recursive_loop_with_base",
        lambda env: env.accepts('root ::= root | root root | "a"', "aaa"),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_highly_ambiguous_long_input",
        lambda env: env.accepts('root ::= root root | "a" | ""', "a" * 300),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_left_recursion_without_base_is_empty",
        lambda env: _mask_of(env, env.matcher("root ::= root")),
        check=lambda allowed: allowed == set(),
    ),
    HostileCase(
        "ebnf_mutual_recursion_without_base_is_empty",
        lambda env: _mask_of(env, env.matcher('root ::= "a" b\nb ::= "b" root')),
        check=lambda allowed: allowed == set(),
    ),
    HostileCase(
        "ebnf_empty_class_is_empty_language",
        lambda env: _mask_of(env, env.matcher('root ::= "x" [^\\x00-\\U0010FFFF]')),
        check=lambda allowed: allowed == set(),
    ),
    HostileCase(
        "ebnf_ten_thousand_rule_chain",
        lambda env: env.accepts(
            "root ::= r0\n"
            + "\n".join(f"r{i} ::= r{i + 1}" for i in range(10_000))
            + '\nr10000 ::= "z"',
            "z",
        ),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        # 100 KB: the cost is one automaton state per byte, each walking the vocabulary
        # (1 MB takes 12 s on this small vocabulary; bounded by max_automaton_states).
        "ebnf_hundred_kilobyte_literal",
        lambda env: env.accepts('root ::= "' + "ab" * 50_000 + '"', "ab" * 50_000),
        check=lambda accepted: accepted is True,
    ),
    HostileCase(
        "ebnf_undefined_rule",
        lambda env: env.compile("root ::= missing"),
        raises=InvalidGrammarError,
    ),
    HostileCase(
        "ebnf_lone_surrogate_escape",
        lambda env: env.compile('root ::= "\\ud800"'),
        raises=GrammarSyntaxError,
    ),
    HostileCase(
        "ebnf_nul_bytes_and_garbage",
        lambda env: env.compile("root ::= \x00\x01\xff ::= ::="),
        raises=GrammarSyntaxError,
    ),
    HostileCase(
        "ebnf_deep_recursion_at_match_time",
        lambda env: env.accepts('root ::= "(" root ")" | ""', "(" * 20_000 + ")" * 20_000),
        check=lambda accepted: accepted is True,
    ),
]

# -- Invalid UTF-8 and strict text --------------------------------------------------------

UTF8_CASES = [
    HostileCase(
        "utf8_invalid_bytes_are_rejected",
        lambda env: env.matcher('root ::= [^"]*').accept_string(b"ok\xff\xfe"),
        check=lambda accepted: accepted is False,
    ),
    HostileCase(
        "utf8_encoded_surrogate_is_rejected",
        lambda env: env.matcher('root ::= [^"]*').accept_string(b"\xed\xa0\x80"),
        check=lambda accepted: accepted is False,
    ),
    HostileCase(
        "utf8_overlong_slash_is_rejected",
        lambda env: env.matcher('root ::= [^"]*').accept_string(b"\xc0\xaf"),
        check=lambda accepted: accepted is False,
    ),
    HostileCase(
        "utf8_truncated_sequence_is_a_viable_prefix",
        lambda env: env.matcher('root ::= [^"]*').accept_string(b"\xe4\xb8"),
        check=lambda accepted: accepted is True,
    ),
]

# -- API misuse ---------------------------------------------------------------------------

API_CASES = [
    HostileCase(
        "api_bitmask_wrong_dtype",
        lambda env: _fill(env, np.zeros((1, 4), dtype=np.int64)),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_too_few_words",
        lambda env: _fill(env, np.zeros((1, 1), dtype=np.int32)),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_three_dimensional",
        lambda env: _fill(env, np.zeros((1, 1, 4), dtype=np.int32)),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_not_contiguous",
        lambda env: _fill(env, np.zeros((2, 8), dtype=np.int32)[:, ::2]),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_read_only",
        lambda env: _fill(env, np.broadcast_to(np.zeros(4, dtype=np.int32), (1, 4))),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_row_index_out_of_range",
        lambda env: _fill(env, xgr.allocate_token_bitmask(2, env.info.vocab_size), index=2),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_negative_row_index",
        lambda env: _fill(env, xgr.allocate_token_bitmask(2, env.info.vocab_size), index=-1),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_bitmask_is_a_list",
        lambda env: _fill(env, [[0, 0, 0, 0]]),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_token_id_negative",
        lambda env: env.matcher('root ::= "a"').accept_token(-1),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_token_id_past_vocabulary",
        lambda env: env.matcher('root ::= "a"').accept_token(env.info.vocab_size),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_token_id_beyond_int64",
        lambda env: env.matcher('root ::= "a"').accept_token(2**70),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_rollback_past_the_start",
        lambda env: env.matcher('root ::= "a" "b"').rollback(1),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_rollback_negative",
        lambda env: env.matcher('root ::= "a"').rollback(-1),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_rollback_beyond_max_rollback_tokens",
        lambda env: _rollback_beyond_window(env),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_accept_token_after_termination",
        lambda env: _finished_matcher(env).accept_token(env.token_id["a"]),
        check=lambda accepted: accepted is False,
    ),
    HostileCase(
        "api_accept_string_after_termination",
        lambda env: _finished_matcher(env).accept_string("a"),
        check=lambda accepted: accepted is False,
    ),
    HostileCase(
        "api_fill_after_termination_allows_only_stop_tokens",
        # As upstream: a finished sequence of a batch keeps emitting its stop token.
        lambda env: _mask_of(env, _finished_matcher(env)),
        check=lambda allowed: allowed == {"</s>"},
    ),
    HostileCase(
        "api_matcher_of_a_non_compiled_grammar",
        lambda env: xgr.GrammarMatcher('root ::= "a"'),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_compile_a_non_grammar",
        lambda env: env.compiler.compile_grammar(12345),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_deserialize_garbage",
        lambda env: xgr.Grammar.deserialize_json("\x00{not json"),
        raises=DeserializeError,
    ),
    HostileCase(
        "api_deserialize_wrong_structure",
        lambda env: xgr.Grammar.deserialize_json('{"rules": 7, "exprs": [[1, 2, 3]]}'),
        raises=DeserializeError,
    ),
    HostileCase(
        "api_compiled_grammar_with_another_tokenizer",
        lambda env: xgr.CompiledGrammar.deserialize_json(
            env.compile('root ::= "a"').serialize_json(), xgr.TokenizerInfo(["x", "y"])
        ),
        raises=DeserializeError,
    ),
    HostileCase(
        "api_timeout_negative",
        lambda env: env.compiler.compile_grammar('root ::= "a"', timeout=-1),
        raises=InvalidArgumentError,
    ),
    HostileCase(
        "api_cancelled_before_start",
        lambda env: env.compiler.compile_grammar('root ::= "a"', cancel_token=_cancelled()),
        raises=CompileCancelledError,
    ),
]


def _rollback_beyond_window(env: HostileEnvironment) -> None:
    matcher = env.matcher('root ::= "a"*', max_rollback_tokens=2)
    for _ in range(5):
        assert matcher.accept_token(env.token_id["a"])
    matcher.rollback(3)


def _cancelled() -> Any:
    token = xgr.CancelToken()
    token.cancel()
    return token


def _nested_array_schema(depth: int) -> dict:
    schema: dict = {"type": "integer"}
    for _ in range(depth):
        schema = {"type": "array", "items": schema}
    return schema


def _enum_values(count: int) -> list:
    """`count` distinct enum values, seeded: random short strings (little prefix sharing beyond
    the first bytes, so the automaton stays large) and every tenth an integer."""
    rng = random.Random(100_000)
    values: dict = {}
    while len(values) < count:
        if len(values) % 10 == 9:
            value: Any = rng.randrange(-(10**9), 10**9)
        else:
            length = rng.randint(3, 16)
            value = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz_ ") for _ in range(length))
        values.setdefault(json.dumps(value), value)
    return list(values.values())


def _enum_membership(env: HostileEnvironment, count: int) -> list:
    """Compiles an enum of `count` values and asks a matcher about members and non-members."""
    values = _enum_values(count)
    compiled = env.compiler.compile_json_schema({"enum": values}, timeout=COMPILE_BOUND_S)
    members = {json.dumps(v) for v in values}
    probes = [json.dumps(values[i]) for i in (0, count // 2, count - 1)]
    probes += [p[:-1] + 'q"' if p.endswith('"') else p + "0" for p in probes]  # near misses
    answers = []
    for text in probes:
        matcher = xgr.GrammarMatcher(compiled)
        answers.append(
            (matcher.accept_string(text) and matcher.is_completed()) == (text in members)
        )
    return answers


def _regex_matches(env: HostileEnvironment, pattern: str, text: str) -> bool:
    matcher = xgr.GrammarMatcher(env.compiler.compile_regex(pattern, timeout=COMPILE_BOUND_S))
    return matcher.accept_string(text) and matcher.is_completed()


FRONT_END_CASES = [
    HostileCase(
        "regex_nested_plus_catastrophic_in_backtrackers",
        lambda env: _regex_matches(env, "(a+)+b", "a" * 40 + "b"),
        check=lambda matched: matched is True,
    ),
    HostileCase(
        "regex_overlapping_alternation_star",
        lambda env: _regex_matches(env, "(a|aa)*c", "a" * 61 + "c"),
        check=lambda matched: matched is True,
    ),
    HostileCase(
        "regex_any_char_100k_times",
        lambda env: env.compiler.compile_regex(r"[\s\S]{1,100000}", timeout=COMPILE_BOUND_S),
        raises=LimitExceededError,
    ),
    HostileCase(
        "schema_arrays_nested_1000_deep",
        lambda env: env.compiler.compile_json_schema(
            _nested_array_schema(1000), timeout=COMPILE_BOUND_S
        ),
        raises=LimitExceededError,
        found="compile_json_schema's cache key raised a bare RecursionError",
    ),
    HostileCase(
        "schema_ref_cycle_without_base_case",
        lambda env: env.compiler.compile_json_schema(
            {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}},
            timeout=COMPILE_BOUND_S,
        ),
        raises=XGrammarError,
    ),
    HostileCase(
        "schema_ten_thousand_properties",
        lambda env: env.compiler.compile_json_schema(
            {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(10_000)}},
            timeout=COMPILE_BOUND_S,
        ),
        raises=LimitExceededError,
    ),
    HostileCase(
        # With DeepSeek's 129k-token vocabulary on 2 busy cores: schema conversion 2.5-5 s,
        # compile 6.5-12 s, 756k automaton states, a 46 MB compiled grammar, peak RSS +150 MB
        # (bench/enum_scaling.py; bench/results/cpu-2core/enum_scaling.txt).
        "schema_enum_of_100k_values",
        lambda env: _enum_membership(env, 100_000),
        check=lambda answers: all(answers),
        found="did not compile in 300 s: one automaton chain per value (the start state's "
        "closure held every value) and a pass over the whole vocabulary per state",
    ),
]

ALL_CASES: list[HostileCase] = [*EBNF_CASES, *UTF8_CASES, *API_CASES, *FRONT_END_CASES]


@functools.lru_cache(maxsize=1)
def shared_environment() -> HostileEnvironment:
    return HostileEnvironment()


# Emptied before nanobind's leak check at exit (see xgrammar/testing.py).
atexit.register(shared_environment.cache_clear)
