"""xgrammar: fast, exact structured generation for LLMs.

Grammars (EBNF, JSON Schema, regex, Lark, structural tags) compile against a tokenizer's
vocabulary into token bitmasks, step by step, while a model decodes. The public API is a drop-in
replacement for upstream XGrammar 0.2.8.
"""

from . import exceptions
from ._core import __core_version__ as __version__
from .bitmask import allocate_token_bitmask, bitmask_dtype, get_bitmask_shape, reset_token_bitmask
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
    "bitmask_dtype",
    "get_bitmask_shape",
    "reset_token_bitmask",
    "get_max_recursion_depth",
    "set_max_recursion_depth",
    "max_recursion_depth",
] + exceptions.__all__
