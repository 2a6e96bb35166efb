"""GrammarCompiler and CompiledGrammar: grammars compiled against one tokenizer, with a cache.

Compilation runs in C++ on up to ``max_threads`` threads with the GIL released. Results are
cached per input (EBNF text, schema and options, regex, ...) within ``cache_limit_bytes``
(least recently used entries are evicted first; -1 means unlimited). Every ``compile_*`` method
takes ``timeout`` (seconds) and ``cancel_token``; running out raises ``CompileTimeoutError``,
cancelling raises ``CompileCancelledError``, and in both cases the C++ threads stop within a
few milliseconds and free what they built.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any, Callable, Optional, Union

from . import _core
from .exceptions import (
    CompileCancelledError,
    CompileTimeoutError,
    InvalidArgumentError,
    LimitExceededError,
)
from .grammar import Grammar

__all__ = ["CompiledGrammar", "GrammarCompiler", "CancelToken"]

#: Stops a compilation when cancelled from another thread.
CancelToken = _core.CancelToken


class CompiledGrammar:
    """A grammar compiled against a tokenizer: immutable and shareable across threads."""

    _handle: Any

    @classmethod
    def _create_from_handle(cls, handle: Any, tokenizer_info: Any) -> CompiledGrammar:
        compiled = cls.__new__(cls)
        compiled._handle = handle
        compiled._tokenizer_info = tokenizer_info
        return compiled

    @property
    def grammar(self) -> Grammar:
        """The grammar as compiled (after the optimisation passes)."""
        return Grammar._create_from_handle(self._handle.grammar)

    @property
    def tokenizer_info(self) -> Any:
        return self._tokenizer_info

    @property
    def memory_size_bytes(self) -> int:
        return int(self._handle.memory_size_bytes)

    def serialize_json(self) -> str:
        """A JSON text from which ``deserialize_json`` rebuilds this compiled grammar.

        It holds the grammar and a fingerprint of the tokenizer; the mask cache is rebuilt on
        load (compilation is deterministic), so the text stays small.
        """
        return json.dumps(
            {
                "format": "xgrammar.compiled_grammar",
                "version": 1,
                "grammar": json.loads(self.grammar.serialize_json()),
                "tokenizer": _tokenizer_fingerprint(self._tokenizer_info),
            }
        )

    @staticmethod
    def deserialize_json(json_string: str, tokenizer_info: Any) -> CompiledGrammar:
        from .exceptions import DeserializeFormatError, DeserializeVersionError

        try:
            data = json.loads(json_string)
        except (TypeError, ValueError) as error:
            raise DeserializeFormatError(f"not a JSON text: {error}") from None
        if not isinstance(data, dict) or data.get("format") != "xgrammar.compiled_grammar":
            raise DeserializeFormatError("not a serialized CompiledGrammar")
        if data.get("version") != 1:
            raise DeserializeVersionError(
                f"serialized CompiledGrammar has format version {data.get('version')!r}; "
                "this xgrammar reads version 1"
            )
        if data.get("tokenizer") != _tokenizer_fingerprint(tokenizer_info):
            raise DeserializeFormatError(
                "the CompiledGrammar was serialized with a different tokenizer"
            )
        grammar = Grammar.deserialize_json(json.dumps(data["grammar"]))
        handle = _core.compile_grammar(grammar._handle, tokenizer_info._handle, 1, None)
        return CompiledGrammar._create_from_handle(handle, tokenizer_info)


def _tokenizer_fingerprint(tokenizer_info: Any) -> dict:
    """What a serialized CompiledGrammar must match in the TokenizerInfo it is loaded with."""
    digest = hashlib.sha256()
    for token in tokenizer_info.decoded_vocab:
        digest.update(len(token).to_bytes(4, "little"))
        digest.update(token)
    return {
        "vocab_size": int(tokenizer_info.vocab_size),
        "vocab_type": int(tokenizer_info.vocab_type.value),
        "stop_token_ids": [int(i) for i in tokenizer_info.stop_token_ids],
        "vocab_sha256": digest.hexdigest(),
    }


class GrammarCompiler:
    """Compiles grammars for one tokenizer, caching the results.

    Parameters match upstream XGrammar 0.2.8: ``max_threads`` threads compile the token-mask
    cache; ``cache_enabled`` turns the cache on; ``cache_limit_bytes`` bounds it (-1: no
    bound).
    """

    def __init__(
        self,
        tokenizer_info: Any,
        *,
        max_threads: int = 8,
        cache_enabled: bool = True,
        cache_limit_bytes: int = -1,
    ) -> None:
        if not hasattr(tokenizer_info, "_handle"):
            raise InvalidArgumentError("tokenizer_info must be an xgrammar.TokenizerInfo")
        if max_threads < 1:
            raise InvalidArgumentError(f"max_threads must be at least 1, got {max_threads}")
        self.tokenizer_info = tokenizer_info
        self.max_threads = max_threads
        self.cache_enabled = cache_enabled
        self._cache_limit_bytes = cache_limit_bytes
        self._cache: OrderedDict[tuple, CompiledGrammar] = OrderedDict()
        self._cache_bytes = 0
        self._lock = threading.Lock()

    # -- cache -----------------------------------------------------------------------------

    @property
    def cache_limit_bytes(self) -> int:
        return self._cache_limit_bytes

    def get_cache_size_bytes(self) -> int:
        with self._lock:
            return self._cache_bytes

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._cache_bytes = 0

    def _cached(
        self,
        key: tuple,
        make_grammar: Callable[[], Grammar],
        timeout: Optional[float],
        cancel_token: Optional[Any],
    ) -> CompiledGrammar:
        if self.cache_enabled:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return hit
        compiled = self._compile(make_grammar, timeout, cancel_token)
        if self.cache_enabled:
            size = compiled.memory_size_bytes
            with self._lock:
                if key not in self._cache:
                    self._cache[key] = compiled
                    self._cache_bytes += size
                limit = self._cache_limit_bytes
                while limit >= 0 and self._cache_bytes > limit and self._cache:
                    _, evicted = self._cache.popitem(last=False)
                    self._cache_bytes -= evicted.memory_size_bytes
        return compiled

    def _compile(
        self,
        make_grammar: Callable[[], Grammar],
        timeout: Optional[float],
        cancel_token: Optional[Any],
    ) -> CompiledGrammar:
        token = cancel_token if cancel_token is not None else CancelToken()
        timed_out = threading.Event()
        timer = None
        if timeout is not None:
            if timeout <= 0:
                raise InvalidArgumentError(f"timeout must be positive, got {timeout}")

            def expire() -> None:
                timed_out.set()
                token.cancel()

            timer = threading.Timer(timeout, expire)
            timer.daemon = True
            timer.start()
        try:
            # The deadline covers the front end too (a JSON schema's conversion can take
            # seconds); the C++ compile looks at the token before any work.
            grammar = make_grammar()
            handle = _core.compile_grammar(
                grammar._handle, self.tokenizer_info._handle, self.max_threads, token
            )
        except CompileCancelledError:
            if timed_out.is_set():
                raise CompileTimeoutError(
                    f"compilation did not finish within {timeout} s"
                ) from None
            raise
        finally:
            if timer is not None:
                timer.cancel()
        return CompiledGrammar._create_from_handle(handle, self.tokenizer_info)

    # -- front ends ------------------------------------------------------------------------

    def compile_grammar(
        self,
        grammar: Union[Grammar, str],
        *,
        root_rule_name: str = "root",
        timeout: Optional[float] = None,
        cancel_token: Optional[Any] = None,
    ) -> CompiledGrammar:
        """Compiles a ``Grammar`` or EBNF text."""
        if isinstance(grammar, Grammar):
            key = ("grammar", str(grammar))
            return self._cached(key, lambda: grammar, timeout, cancel_token)
        if not isinstance(grammar, str):
            raise InvalidArgumentError("compile_grammar takes a Grammar or EBNF text")
        key = ("ebnf", grammar, root_rule_name)
        return self._cached(
            key,
            lambda: Grammar.from_ebnf(grammar, root_rule_name=root_rule_name),
            timeout,
            cancel_token,
        )

    def compile_builtin_json_grammar(
        self, *, timeout: Optional[float] = None, cancel_token: Optional[Any] = None
    ) -> CompiledGrammar:
        return self._cached(("builtin_json",), Grammar.builtin_json_grammar, timeout, cancel_token)

    def compile_json_schema(
        self,
        schema: Any,
        *,
        any_whitespace: bool = True,
        indent: Optional[int] = None,
        separators: Optional[tuple[str, str]] = None,
        strict_mode: bool = True,
        max_whitespace_cnt: Optional[int] = None,
        timeout: Optional[float] = None,
        cancel_token: Optional[Any] = None,
        **options: Any,
    ) -> CompiledGrammar:
        """Compiles a JSON Schema (a JSON string, a dict or a pydantic model class)."""
        schema_key = _schema_key(schema)
        key = (
            "json_schema",
            schema_key,
            any_whitespace,
            indent,
            tuple(separators) if separators is not None else None,
            strict_mode,
            max_whitespace_cnt,
            tuple(sorted(options.items())),
        )
        return self._cached(
            key,
            lambda: Grammar.from_json_schema(
                schema,
                any_whitespace=any_whitespace,
                indent=indent,
                separators=separators,
                strict_mode=strict_mode,
                max_whitespace_cnt=max_whitespace_cnt,
                **options,
            ),
            timeout,
            cancel_token,
        )

    def compile_regex(
        self, regex: str, *, timeout: Optional[float] = None, cancel_token: Optional[Any] = None
    ) -> CompiledGrammar:
        return self._cached(
            ("regex", regex), lambda: Grammar.from_regex(regex), timeout, cancel_token
        )

    def compile_lark(
        self, text: str, *, timeout: Optional[float] = None, cancel_token: Optional[Any] = None
    ) -> CompiledGrammar:
        return self._cached(("lark", text), lambda: Grammar.from_lark(text), timeout, cancel_token)

    def compile_structural_tag(self, *args: Any, **kwargs: Any) -> CompiledGrammar:
        """Compiles a structural tag (upstream's protocol; see ``Grammar.from_structural_tag``)."""
        timeout = kwargs.pop("timeout", None)
        cancel_token = kwargs.pop("cancel_token", None)
        grammar = Grammar.from_structural_tag(*args, **kwargs)
        return self._cached(
            ("structural_tag", str(grammar)), lambda: grammar, timeout, cancel_token
        )


def _schema_key(schema: Any) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, dict):
        try:
            return json.dumps(schema, sort_keys=True)
        except RecursionError:
            # json.dumps recurses per level; a schema this deep is past max_nesting_depth.
            raise LimitExceededError(
                "the schema nests deeper than max_nesting_depth; the cache key cannot be built"
            ) from None
    model_json_schema = getattr(schema, "model_json_schema", None)
    if model_json_schema is not None:
        return json.dumps(model_json_schema(), sort_keys=True)
    raise InvalidArgumentError(
        "a JSON schema must be a JSON string, a dict or a pydantic model class"
    )
