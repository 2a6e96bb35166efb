"""xgrammar: fast, exact structured generation for LLMs.

Grammars (EBNF, JSON Schema, regex, Lark, structural tags) compile against a tokenizer's
vocabulary into token bitmasks, step by step, while a model decodes. The public API is a drop-in
replacement for upstream XGrammar 0.2.8.
"""

from . import contrib, exceptions
from ._core import __core_version__ as __version__
from .bitmask import (
    allocate_token_bitmask,
    apply_token_bitmask_inplace,
    bitmask_dtype,
    get_bitmask_shape,
    reset_token_bitmask,
)
from .compiler import CancelToken, CompiledGrammar, GrammarCompiler
from .config import (
    get_limits,
    get_max_recursion_depth,
    max_recursion_depth,
    set_limits,
    set_max_recursion_depth,
)
from .exceptions import *  # noqa: F403
from .grammar import Grammar
from .matcher import BatchGrammarMatcher, GrammarMatcher
from .tokenizer_info import TokenizerInfo, VocabType

__all__ = [
    "exceptions",
    "contrib",
    "__version__",
    "Grammar",
    "TokenizerInfo",
    "VocabType",
    "GrammarCompiler",
    "CancelToken",
    "get_limits",
    "set_limits",
    "CompiledGrammar",
    "GrammarMatcher",
    "BatchGrammarMatcher",
    "allocate_token_bitmask",
    "apply_token_bitmask_inplace",
    "bitmask_dtype",
    "get_bitmask_shape",
    "reset_token_bitmask",
    "get_max_recursion_depth",
    "set_max_recursion_depth",
    "max_recursion_depth",
] + exceptions.__all__


def __getattr__(name: str):
    # The structural-tag classes are pydantic models; pydantic is optional, so they load on
    # first use instead of with the package.
    if name in ("StructuralTag", "StructuralTagItem"):
        from .structural_tag import models

        return getattr(models, name)
    raise AttributeError(f"module 'xgrammar' has no attribute {name!r}")
