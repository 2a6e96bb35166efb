"""Concurrency: 8 threads sharing one GrammarCompiler whose cache evicts under pressure, and
many matchers sharing the compiled grammars, give exactly the masks one thread gives.

The compiler's cache holds about one grammar (`cache_limit_bytes` is tiny), so threads keep
evicting each other's entries while they still use the evicted CompiledGrammar objects: those
must stay valid (they are shared, immutable) and recompiling must give identical results.
"""

import threading

import numpy as np

import xgrammar as xgr

GRAMMARS = [
    'root ::= "{" pair ("," pair)* "}"\npair ::= "\\"" [a-z]{1,8} "\\":" [0-9]+',
    'root ::= ("yes" | "no" | "maybe") ("!" | "?")*',
    'root ::= expr\nexpr ::= expr "+" term | term\nterm ::= "(" expr ")" | [0-9]+',
    'root ::= [a-z ]{0,40} "."',
]
TEXTS = ['{"ab":12,"xyz":3}', "maybe!?!", "(1+2)+((3))", "hello world."]
THREADS = 8
ROUNDS = 3


def _vocabulary():
    tokens = ["</s>", *(chr(c) for c in range(32, 127))]
    tokens += ['{"', '":', "12", "yes", "no", "maybe", "!?", "((", "))", "+(", "hello", " world"]
    return tokens


def _trace(compiled, text, vocab_size):
    """The bitmask before every byte of `text` and after it, fed one character at a time."""
    matcher = xgr.GrammarMatcher(compiled)
    bitmask = xgr.allocate_token_bitmask(1, vocab_size)
    rows = []
    for char in text:
        matcher.fill_next_token_bitmask(bitmask)
        rows.append(np.asarray(bitmask).copy())
        assert matcher.accept_string(char)
    matcher.fill_next_token_bitmask(bitmask)
    rows.append(np.asarray(bitmask).copy())
    assert matcher.is_completed()
    return np.stack(rows)


def test_eight_threads_with_an_evicting_compiler_match_one_thread():
    info = xgr.TokenizerInfo(_vocabulary(), stop_token_ids=[0])
    single = xgr.GrammarCompiler(info, max_threads=1, cache_enabled=False)
    expected = [
        _trace(single.compile_grammar(g), t, info.vocab_size) for g, t in zip(GRAMMARS, TEXTS)
    ]
    one_grammar_bytes = min(single.compile_grammar(g).memory_size_bytes for g in GRAMMARS)
    shared = xgr.GrammarCompiler(info, max_threads=2, cache_limit_bytes=one_grammar_bytes)
    mismatches = []
    errors = []

    def worker(thread_index):
        try:
            for round_index in range(ROUNDS):
                for k in range(len(GRAMMARS)):
                    which = (k + thread_index + round_index) % len(GRAMMARS)
                    compiled = shared.compile_grammar(GRAMMARS[which])
                    got = _trace(compiled, TEXTS[which], info.vocab_size)
                    if not np.array_equal(got, expected[which]):
                        mismatches.append((thread_index, which))
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert mismatches == []
    # The cache respected its bound throughout: at most the one entry it can hold.
    assert shared.get_cache_size_bytes() <= one_grammar_bytes


def test_forked_matchers_in_threads_are_independent():
    info = xgr.TokenizerInfo(_vocabulary(), stop_token_ids=[0])
    compiled = xgr.GrammarCompiler(info).compile_grammar(GRAMMARS[2])
    parent = xgr.GrammarMatcher(compiled)
    assert parent.accept_string("(1+")
    results = [None] * THREADS

    def worker(index):
        child = parent.fork()
        suffix = "2)" if index % 2 else "(3))"
        results[index] = child.accept_string(suffix) and child.is_completed()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * THREADS
    # The parent saw none of its children's input.
    assert not parent.is_completed()
    assert parent.accept_string("4)")
    assert parent.is_completed()
