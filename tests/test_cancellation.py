"""Cancellable compilation: `timeout=` and `cancel_token=` on GrammarCompiler.compile_*.

The grammars here take minutes to compile against the real DeepSeek vocabulary (129k tokens),
so a compile that finishes would hang the suite: each test can only pass by the compile being
stopped. They assert the typed error and that the compiler stays usable afterwards, never a
wall-clock time; bench/cancellation_latency.py measures how soon the work stops.
"""

import threading

import pytest

import xgrammar
from xgrammar.exceptions import CompileCancelledError, CompileTimeoutError, InvalidArgumentError

# Thousands of automaton states that each accept most of the vocabulary: every state walks
# all 129k tokens, about 10 minutes of work in all.
MANY_STATES = 'root ::= "\\"" [^"]{0,20000} "\\""'

# After main's compile speed-ups the ambiguous grammar sometimes compiles within 0.2 s, so only
# grammars that reliably take minutes are used with a timeout here.
EXPENSIVE_GRAMMARS = {
    "many_states": MANY_STATES,
    "many_states_in_two_rules": MANY_STATES + "\nx ::= root",
}


@pytest.fixture(scope="module")
def compiler(deepseek_info):
    return xgrammar.GrammarCompiler(deepseek_info, max_threads=2, cache_enabled=False)


@pytest.mark.parametrize("name", sorted(EXPENSIVE_GRAMMARS))
def test_timeout_stops_an_expensive_compile(compiler, name):
    with pytest.raises(CompileTimeoutError) as caught:
        compiler.compile_grammar(EXPENSIVE_GRAMMARS[name], timeout=0.2)
    assert isinstance(caught.value, CompileCancelledError)
    assert isinstance(caught.value, TimeoutError)


def test_timeout_stops_a_single_threaded_compile_inside_one_state(deepseek_info):
    # With one thread and one slow state, only the poll inside the per-state vocabulary walk
    # can see the deadline.
    single = xgrammar.GrammarCompiler(deepseek_info, max_threads=1, cache_enabled=False)
    with pytest.raises(CompileTimeoutError):
        single.compile_grammar(MANY_STATES, timeout=0.1)


def test_cancel_token_from_another_thread(compiler):
    token = xgrammar.CancelToken()
    timer = threading.Timer(0.2, token.cancel)
    timer.start()
    try:
        with pytest.raises(CompileCancelledError) as caught:
            compiler.compile_grammar(MANY_STATES + "\n", cancel_token=token)
    finally:
        timer.cancel()
    # A cancel is not a timeout: callers can tell the two apart.
    assert not isinstance(caught.value, CompileTimeoutError)
    assert token.cancelled


def test_an_already_cancelled_token_stops_before_any_work(compiler):
    token = xgrammar.CancelToken()
    token.cancel()
    with pytest.raises(CompileCancelledError):
        compiler.compile_grammar('root ::= "cheap"', cancel_token=token)


def test_compiler_is_usable_after_a_cancelled_compile(compiler):
    with pytest.raises(CompileTimeoutError):
        compiler.compile_grammar(MANY_STATES, timeout=0.1)
    size_before = compiler.get_cache_size_bytes()
    # The cancelled compile left nothing in the cache: asking again compiles (and times out)
    # again rather than returning a half-built grammar.
    with pytest.raises(CompileTimeoutError):
        compiler.compile_grammar(MANY_STATES, timeout=0.1)
    assert compiler.get_cache_size_bytes() == size_before
    compiled = compiler.compile_grammar('root ::= "yes" | "no"', timeout=30)
    matcher = xgrammar.GrammarMatcher(compiled)
    assert matcher.accept_string("yes")
    assert matcher.is_completed()


def test_timeout_must_be_positive(compiler):
    with pytest.raises(InvalidArgumentError):
        compiler.compile_grammar('root ::= "a"', timeout=0)
