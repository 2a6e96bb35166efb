"""Test-only reference implementations: the oracles that tests compare the fast paths against.

Import style: tests/conftest.py puts `tests/` on sys.path, so every test module writes

    from reference import earley, ebnf, random_grammars, span_oracle

Modules:
- `ebnf`: an EBNF parser and printer of its own (independent of the C++ parser) over a small
  frozen-dataclass AST: `parse_ebnf(text, root_rule_name="root") -> Grammar`,
  `format_grammar(grammar) -> str`, errors `EbnfSyntaxError(line, column)`.
- `earley`: the byte-level Earley recognizer (strict UTF-8, lookaheads): `Recognizer(grammar or
  text)`, persistent `ParserState`s, `accepts`, `is_viable_prefix`, `viable_token_mask`.
- `span_oracle`: a second, slower whole-string recognizer (span fixpoint over the AST) that
  checks the Earley one, on raw bytes and with lookaheads.
- `random_grammars`: random grammars (seeded or hypothesis strategies) and strings in and near
  their languages.

Typical use in a mask-exactness test (vocabulary = the decoded bytes of each token id):

    recognizer = earley.Recognizer(ebnf_text)            # or an ebnf.Grammar
    state = recognizer.initial_state().advance(b'{"a": ')  # what the matcher accepted so far
    expected = earley.viable_token_mask(state, vocabulary)  # list[bool], one per token
    stop_allowed = state.is_complete()
    # branch cheaply: state.advance(b"1") and state.advance(b"[") share everything before

and in a differential test of grammars:

    for seed in range(100):
        grammar = random_grammars.random_grammar(random.Random(seed))
        text = ebnf.format_grammar(grammar)           # feed this to the C++ parser/passes
        strings = random_grammars.strings_near_language(earley.Recognizer(grammar),
                                                        random.Random(seed), 10)
        for data in strings:
            assert fast_accepts(text, data) == earley.accepts(grammar, data)

Lookahead grammars: `accepts`/`is_complete` are exact; `is_viable*` may raise
NotImplementedError when it cannot decide (see earley.py) -- treat that as "cannot check", never
as an answer.
"""
