"""The exception hierarchy of xgrammar: every error the library raises on purpose.

All of them derive from :class:`XGrammarError`, which derives from ``RuntimeError`` so that code
written against upstream XGrammar (which raises ``RuntimeError``) keeps catching them. Errors
about input text carry ``line`` and ``column`` (1-based; 0 when unknown); errors about a JSON
Schema carry ``pointer``, the JSON pointer of the offending keyword.
"""

from __future__ import annotations

__all__ = [
    "XGrammarError",
    "GrammarSyntaxError",
    "InvalidGrammarError",
    "UnsupportedFeatureError",
    "LimitExceededError",
    "InvalidArgumentError",
    "DeserializeError",
    "DeserializeFormatError",
    "DeserializeVersionError",
    "CompileCancelledError",
    "CompileTimeoutError",
    "InvalidJSONError",
    "InvalidJSONSchemaError",
    "InvalidStructuralTagError",
]


class XGrammarError(RuntimeError):
    """Base class of every error xgrammar raises on purpose."""

    def __init__(
        self,
        text: str,
        *,
        message: str | None = None,
        line: int = 0,
        column: int = 0,
        pointer: str | None = None,
    ) -> None:
        super().__init__(text)
        self.message = message if message is not None else text
        self.line = line
        self.column = column
        self.pointer = pointer


class GrammarSyntaxError(XGrammarError, ValueError):
    """Grammar, regex or JSON text that does not parse; ``line``/``column`` say where."""


class InvalidGrammarError(XGrammarError, ValueError):
    """Text that parses but is no grammar: an undefined or duplicate rule, a missing root."""


class UnsupportedFeatureError(XGrammarError, ValueError):
    """A construct or schema keyword the engine cannot enforce exactly."""


class LimitExceededError(XGrammarError):
    """A named resource limit (see ``xgrammar.limits``) was exhausted."""


class InvalidArgumentError(XGrammarError, ValueError):
    """API misuse: a wrong bitmask shape or dtype, a token id out of range, and the like."""


class DeserializeError(XGrammarError, ValueError):
    """Serialized data that is malformed or written by another format version."""


class DeserializeFormatError(DeserializeError):
    """Serialized data that is not in the expected format."""


class DeserializeVersionError(DeserializeError):
    """Serialized data written by another serialization format version."""


class CompileCancelledError(XGrammarError):
    """Compilation was cancelled by the caller."""


class CompileTimeoutError(CompileCancelledError, TimeoutError):
    """Compilation ran past its timeout and was stopped."""


class InvalidJSONError(XGrammarError, ValueError):
    """A string that should hold JSON does not parse."""


class InvalidJSONSchemaError(XGrammarError, ValueError):
    """A JSON Schema that is malformed; ``pointer`` names the offending place."""


class InvalidStructuralTagError(XGrammarError, ValueError):
    """A structural tag description that does not follow the protocol."""
