"""xgrammar: fast, exact structured generation for LLMs.

Grammars (EBNF, JSON Schema, regex, Lark, structural tags) compile against a tokenizer's
vocabulary into token bitmasks, step by step, while a model decodes. The public API is a drop-in
replacement for upstream XGrammar 0.2.8.
"""

from . import exceptions
from ._core import __core_version__ as __version__
from .bitmask import (
    allocate_token_bitmask,
    apply_token_bitmask_inplace,
    bitmask_dtype,
    get_bitmask_shape,
    reset_token_bitmask,
)
from .exceptions import *  # noqa: F403

__all__ = [
    "exceptions",
    "__version__",
    "allocate_token_bitmask",
    "apply_token_bitmask_inplace",
    "bitmask_dtype",
    "get_bitmask_shape",
    "reset_token_bitmask",
] + exceptions.__all__
