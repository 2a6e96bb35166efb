"""Test-only reference implementations (the oracles other tests compare the fast paths against).

Import style: tests/conftest.py puts `tests/` on sys.path, so every test writes

    from reference import ebnf, earley, random_grammars

Modules: `ebnf` (an independent EBNF parser and printer over a small AST), `earley` (a byte-level
Earley recognizer: exact sentence and viable-prefix answers, persistent parser states, token
masks) and `random_grammars` (hypothesis strategies and a seeded generator of grammars and of
strings in and near their languages).
"""
