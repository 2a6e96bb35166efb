"""Test-only entry points (as upstream XGrammar's ``xgrammar.testing``).

They are stable enough for tests and benchmarks but are not part of the public API: names
start with an underscore where upstream's do.
"""

from __future__ import annotations

import atexit
import functools
from typing import Any, List, Optional, Union

import numpy as np

from . import _core
from .compiler import CompiledGrammar
from .grammar import Grammar
from .matcher import GrammarMatcher

__all__ = [
    "_is_grammar_accept_string",
    "_get_masked_tokens_from_bitmask",
    "_get_matcher_from_grammar",
    "_json_schema_to_ebnf",
    "_regex_to_ebnf",
    "_optimize_grammar",
    "_nullable_rules",
    "_follow_info",
    "_productive_rules",
    "bitmask_to_bool_mask",
    "bool_mask_to_bitmask",
]


@functools.lru_cache(maxsize=1)
def _empty_tokenizer_handle() -> Any:
    """A vocabulary with no tokens: matching strings needs no token masks."""
    return _core.TokenizerInfo.from_decoded_vocab([], 0, None, [], [], False)


# nanobind reports every C++ object still alive when its extension is torn down at exit as a
# leak, and module globals are not always released before that (under pytest they are not):
# a cache of C++ objects is emptied first.
atexit.register(_empty_tokenizer_handle.cache_clear)


def _get_matcher_from_grammar(grammar: Union[Grammar, str], **kwargs: Any) -> GrammarMatcher:
    """A matcher over an empty vocabulary, for feeding strings with ``accept_string``."""
    if isinstance(grammar, str):
        grammar = Grammar.from_ebnf(grammar)
    handle = _core.compile_grammar(grammar._handle, _empty_tokenizer_handle(), 1, None)
    compiled = CompiledGrammar._create_from_handle(handle, None)
    return GrammarMatcher(compiled, **kwargs)


def _is_grammar_accept_string(
    grammar: Union[Grammar, str],
    input_str: Union[str, bytes],
    *,
    debug_print: bool = False,
    print_time: bool = False,
    require_termination: bool = True,
) -> bool:
    """Whether ``input_str`` is a complete string of ``grammar`` (or, with
    ``require_termination=False``, a viable prefix of one), decided by the real matcher."""
    matcher = _get_matcher_from_grammar(grammar)
    if not matcher.accept_string(input_str):
        return False
    return matcher.is_completed() if require_termination else True


def _get_masked_tokens_from_bitmask(bitmask: Any, vocab_size: int, index: int = 0) -> List[int]:
    """The token ids whose bit is 0 (rejected) in row ``index``."""
    bools = bitmask_to_bool_mask(bitmask, vocab_size, index=index)
    return np.flatnonzero(~bools).tolist()


def bitmask_to_bool_mask(
    bit_mask: Any, vocab_size: Optional[int] = None, *, index: int = 0
) -> np.ndarray:
    """Unpacks a bitmask row into a boolean array (True = allowed)."""
    array = bit_mask.cpu().numpy() if hasattr(bit_mask, "cpu") else np.asarray(bit_mask)
    row = array[index] if array.ndim == 2 else array
    bools = np.unpackbits(row.astype(np.int32).view(np.uint8), bitorder="little").astype(bool)
    return bools[:vocab_size] if vocab_size is not None else bools


def bool_mask_to_bitmask(bool_mask: Any) -> np.ndarray:
    """Packs a boolean array (True = allowed) into an int32 bitmask row."""
    bools = np.asarray(bool_mask.cpu() if hasattr(bool_mask, "cpu") else bool_mask, dtype=bool)
    padded = np.zeros(((bools.shape[-1] + 31) // 32) * 32, dtype=bool)
    padded[: bools.shape[-1]] = bools
    return np.packbits(padded, bitorder="little").view(np.int32).copy()


def _json_schema_to_ebnf(schema: Any, **options: Any) -> str:
    """The EBNF text the JSON Schema front end produces for ``schema``."""
    from .json_schema import json_schema_to_ebnf

    return json_schema_to_ebnf(schema, **options)


def _regex_to_ebnf(regex: str, with_id: bool = True) -> str:
    """The EBNF text the regex front end produces for ``regex``."""
    from .regex import regex_to_ebnf

    return regex_to_ebnf(regex)


# The grammar passes of grammar_opt/, one at a time (see grammar_opt/pipeline.h for the order).
GRAMMAR_PASSES = (
    "normalize_structure",
    "eliminate_dead_rules",
    "inline_rules",
    "fuse_byte_strings",
    "pipeline",
)


def _as_grammar(grammar: Union[Grammar, str]) -> Grammar:
    return Grammar.from_ebnf(grammar) if isinstance(grammar, str) else grammar


def _optimize_grammar(grammar: Union[Grammar, str], pass_name: str = "pipeline") -> Grammar:
    """``grammar`` after one pass of grammar_opt/ (one of GRAMMAR_PASSES), or all of them."""
    handle = _core._optimize(_as_grammar(grammar)._handle, pass_name)
    return Grammar._create_from_handle(handle)


def _nullable_rules(grammar: Union[Grammar, str]) -> dict:
    """Rule name -> whether the rule derives the empty string."""
    handle = _as_grammar(grammar)._handle
    return dict(zip(handle.rule_names, _core._nullable_rules(handle)))


def _productive_rules(grammar: Union[Grammar, str]) -> dict:
    """Rule name -> whether the rule derives some finite string (its lookahead too)."""
    handle = _as_grammar(grammar)._handle
    return dict(zip(handle.rule_names, _core._productive_rules(handle)))


def _follow_info(grammar: Union[Grammar, str]) -> dict:
    """Rule name -> (first bytes, follow bytes, can end the input), byte sets as Python sets."""
    handle = _as_grammar(grammar)._handle
    first, follow, can_end = _core._follow_info(handle)
    return {
        name: (set(first[i]), set(follow[i]), can_end[i])
        for i, name in enumerate(handle.rule_names)
    }
