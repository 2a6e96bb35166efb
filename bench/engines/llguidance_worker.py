"""Benchmark worker for llguidance, run by bench/.venvs/llguidance's interpreter. Entry point:
run as a script; see worker_protocol.py for the protocol.

The tokenizer is built from the tokenizer.json text with the stop tokens the parent chose.
Grammars: JSON schemas go through llguidance's own JSON compiler with its defaults (flexible
whitespace, JSON Schema semantics); EBNF in the GBNF dialect goes through llguidance's GBNF to
Lark converter (``grammar_from("gbnf", ...)``); the builtin JSON grammar is the schema ``{}``
(any JSON value), the closest llguidance equivalent. llguidance never raises on a bad grammar:
it builds a matcher in an error state, which is reported here as a compile error.
"""

from __future__ import annotations

import llguidance
from worker_protocol import CompileError, EngineAdapter, serve


class LLGuidanceAdapter(EngineAdapter):
    def __init__(self, tokenizer_path, vocab_size, stop_token_ids, options):
        self.engine_version = llguidance.__version__
        with open(tokenizer_path, encoding="utf-8") as tokenizer_file:
            tokenizer_json = tokenizer_file.read()
        self.tokenizer = llguidance.LLTokenizer(
            tokenizer_json, n_vocab=vocab_size, eos_token=list(stop_token_ids)
        )

    def grammar_text(self, grammar):
        if grammar["kind"] == "json_schema":
            return llguidance.LLMatcher.grammar_from_json_schema(grammar["schema"])
        if grammar["kind"] == "ebnf":
            try:
                return llguidance.grammar_from("gbnf", grammar["text"])
            except ValueError as error:
                raise CompileError(str(error)) from error
        if grammar["kind"] == "builtin_json":
            return llguidance.LLMatcher.grammar_from_json_schema({})
        raise CompileError(f"unsupported grammar kind {grammar['kind']!r}")

    def compile(self, grammar):
        text = self.grammar_text(grammar)
        # Matcher construction is llguidance's compile step (lexer and grammar set-up); later
        # matchers on the same text reuse nothing, so the first one is what a server pays.
        matcher = llguidance.LLMatcher(self.tokenizer, text, log_level=0)
        if matcher.is_error():
            raise CompileError(matcher.get_error())
        return [text, matcher]

    def new_matcher(self, compiled):
        text, first_matcher = compiled
        if first_matcher is not None:
            compiled[1] = None
            return first_matcher
        return llguidance.LLMatcher(self.tokenizer, text, log_level=0)

    def fill(self, matcher, bitmask):
        matcher.unsafe_compute_mask_ptr(bitmask.ctypes.data, bitmask.nbytes)

    def accept(self, matcher, token_id):
        return matcher.consume_token(token_id)

    def may_end(self, matcher):
        return matcher.is_accepting() and not matcher.is_error()


if __name__ == "__main__":
    serve(LLGuidanceAdapter)
