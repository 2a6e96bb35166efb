"""xgrammar: fast, exact structured generation for LLMs.

Grammars (EBNF, JSON Schema, regex, Lark, structural tags) compile against a tokenizer's
vocabulary into token bitmasks, step by step, while a model decodes. The public API is a drop-in
replacement for upstream XGrammar 0.2.8.
"""

from . import exceptions
from ._core import __core_version__ as __version__
from .exceptions import *  # noqa: F403
from .grammar import Grammar

__all__ = ["exceptions", "__version__", "Grammar"] + exceptions.__all__
