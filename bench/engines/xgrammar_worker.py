"""Benchmark worker for any package with XGrammar 0.2.8's public API: this repository's
``xgrammar`` (engine "ours") and upstream xgrammar 0.2.8 (engine "upstream"), each run by its own
venv's interpreter. Entry point: run as a script; see worker_protocol.py for the protocol.

Only the public API is used (TokenizerInfo.from_huggingface, GrammarCompiler with one thread,
GrammarMatcher), so the two packages are measured by the same lines of code. JSON schemas are
compiled with flexible whitespace and, unless the option ``strict_mode`` is set, in JSON Schema's
own semantics (``strict_mode=False``: properties not listed are allowed, as the specification
says), because MaskBench's valid instances follow the specification.
"""

from __future__ import annotations

import json

from worker_protocol import CompileError, EngineAdapter, serve

import xgrammar


def load_hf_tokenizer(tokenizer_path: str):
    """Upstream accepts only a transformers tokenizer; ours also takes a tokenizers.Tokenizer.

    A transformers fast tokenizer wraps the same tokenizer.json, so both give the same vocabulary.
    """
    try:
        import transformers
    except ImportError:
        import tokenizers

        return tokenizers.Tokenizer.from_file(tokenizer_path)
    return transformers.PreTrainedTokenizerFast(tokenizer_file=tokenizer_path)


class XGrammarAdapter(EngineAdapter):
    def __init__(self, tokenizer_path, vocab_size, stop_token_ids, options):
        from importlib.metadata import version

        self.engine_version = version("xgrammar")
        self.options = options
        tokenizer_info = xgrammar.TokenizerInfo.from_huggingface(
            load_hf_tokenizer(tokenizer_path),
            vocab_size=vocab_size,
            stop_token_ids=stop_token_ids,
        )
        self.stop_token_id = stop_token_ids[0]
        # cache_enabled=False: every schema is compiled afresh, as a server sees new schemas.
        self.compiler = xgrammar.GrammarCompiler(tokenizer_info, max_threads=1, cache_enabled=False)
        self.bitmask_rows = {}

    def compile(self, grammar):
        # Exceptions (both packages raise RuntimeError subclasses or ValueError for bad or
        # unsupported input) are reported as compile errors by worker_protocol.run_request.
        if grammar["kind"] == "json_schema":
            return self.compiler.compile_json_schema(
                json.dumps(grammar["schema"]),
                any_whitespace=True,
                strict_mode=bool(self.options.get("strict_mode", False)),
            )
        if grammar["kind"] == "ebnf":
            return self.compiler.compile_grammar(grammar["text"])
        if grammar["kind"] == "builtin_json":
            return self.compiler.compile_builtin_json_grammar()
        raise CompileError(f"unsupported grammar kind {grammar['kind']!r}")

    def new_matcher(self, compiled):
        return xgrammar.GrammarMatcher(compiled)

    def fill(self, matcher, bitmask):
        # The API wants a (batch, words) array; keep one 2-D view per buffer, made once.
        rows = self.bitmask_rows.get(id(bitmask))
        if rows is None:
            rows = self.bitmask_rows[id(bitmask)] = bitmask.reshape(1, -1)
        matcher.fill_next_token_bitmask(rows, 0)

    def accept(self, matcher, token_id):
        return matcher.accept_token(token_id)

    def may_end(self, matcher):
        return matcher.accept_token(self.stop_token_id) and matcher.is_terminated()


if __name__ == "__main__":
    serve(XGrammarAdapter)
