"""The public ``Grammar`` class: an immutable grammar, built from EBNF or another front end.

Every front end produces EBNF text that the C++ EBNF parser turns into the grammar IR
(``cpp/grammar.h``); ``str(grammar)`` prints canonical EBNF that parses back to the same
grammar. The API is upstream XGrammar 0.2.8's ``Grammar``.

The JSON Schema, regex, Lark and structural-tag front ends live in their own modules, imported
lazily by the hooks below; each exposes one function returning EBNF text.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple, Type, Union

from . import _core

__all__ = ["Grammar"]


def _encode_text(text: Union[str, bytes], what: str) -> bytes:
    # "surrogatepass" lets a lone surrogate in a str reach the parser, which reports it as a
    # located GrammarSyntaxError (strict UTF-8) instead of a UnicodeEncodeError here.
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, (bytes, bytearray)):
        return bytes(text)
    raise TypeError(f"{what} must be str, not {type(text).__name__}")


class Grammar:
    """An immutable grammar. Build one with a ``from_*`` constructor, never directly."""

    _handle: _core.Grammar

    def __init__(self) -> None:
        raise TypeError("build a Grammar with Grammar.from_ebnf or another from_* constructor")

    @classmethod
    def _create_from_handle(cls, handle: _core.Grammar) -> Grammar:
        grammar = cls.__new__(cls)
        grammar._handle = handle
        return grammar

    # ---- EBNF, the front end every other one goes through ----------------------------------

    @staticmethod
    def from_ebnf(ebnf_string: str, *, root_rule_name: str = "root") -> Grammar:
        """Parse GBNF-style EBNF text (see DESIGN.md, "The EBNF dialect").

        Raises GrammarSyntaxError, InvalidGrammarError or LimitExceededError, each with the
        ``line`` and ``column`` of the problem.
        """
        if not isinstance(root_rule_name, str):
            raise TypeError("root_rule_name must be str")
        handle = _core.Grammar.from_ebnf(_encode_text(ebnf_string, "ebnf_string"), root_rule_name)
        return Grammar._create_from_handle(handle)

    @staticmethod
    def builtin_json_grammar() -> Grammar:
        """The grammar of any JSON text (RFC 8259)."""
        return Grammar._create_from_handle(_core.Grammar.builtin_json())

    # ---- Front ends written in Python (hooks: each module turns its input into EBNF) -------

    @staticmethod
    def from_json_schema(
        schema: Union[str, Type[Any], Dict[str, Any]],
        *,
        any_whitespace: bool = True,
        indent: int | None = None,
        separators: Tuple[str, str] | None = None,
        strict_mode: bool = True,
        max_whitespace_cnt: int | None = None,
        print_converted_ebnf: bool = False,
        lenient: bool = False,
        any_key_order: bool = True,
    ) -> Grammar:
        """The grammar of the JSON documents valid under ``schema`` (str, dict or pydantic).

        Options as upstream; ``lenient`` (ours) opts into the converter's lenient mode for
        keywords it cannot enforce exactly, and ``any_key_order=False`` (ours) keeps the
        declared properties of large objects in schema order, each at most once (see
        xgrammar.json_schema).
        """
        # Hook: xgrammar.json_schema provides json_schema_to_ebnf(schema, **options) -> str.
        from .json_schema import json_schema_to_ebnf

        ebnf = json_schema_to_ebnf(
            schema,
            any_whitespace=any_whitespace,
            indent=indent,
            separators=separators,
            strict_mode=strict_mode,
            max_whitespace_cnt=max_whitespace_cnt,
            lenient=lenient,
            any_key_order=any_key_order,
        )
        if print_converted_ebnf:
            print(ebnf)
        return Grammar.from_ebnf(ebnf)

    @staticmethod
    def from_regex(regex_string: str, *, print_converted_ebnf: bool = False) -> Grammar:
        """The grammar of the strings that fully match ``regex_string``."""
        # Hook: xgrammar.regex provides regex_to_ebnf(pattern) -> str.
        from .regex import regex_to_ebnf

        ebnf = regex_to_ebnf(regex_string)
        if print_converted_ebnf:
            print(ebnf)
        return Grammar.from_ebnf(ebnf)

    @staticmethod
    def from_lark(lark_string: str) -> Grammar:
        """The grammar of a Lark grammar text."""
        # Hook: xgrammar.lark_frontend provides lark_to_ebnf(text) -> str.
        from .lark_frontend import lark_to_ebnf

        return Grammar.from_ebnf(lark_to_ebnf(lark_string))

    @staticmethod
    def from_structural_tag(*args: Any, **kwargs: Any) -> Grammar:
        """The grammar of a structural tag description (upstream's signatures)."""
        # Hook: xgrammar.structural_tag provides structural_tag_to_ebnf(*args, **kwargs) -> str.
        from .structural_tag import structural_tag_to_ebnf

        return Grammar.from_ebnf(structural_tag_to_ebnf(*args, **kwargs))

    # ---- Combinators ------------------------------------------------------------------------

    @staticmethod
    def union(*grammars: Grammar) -> Grammar:
        """A grammar accepting what any of ``grammars`` accepts; rules are renamed apart."""
        return Grammar._create_from_handle(_core.Grammar.union(_handles(grammars)))

    @staticmethod
    def concat(*grammars: Grammar) -> Grammar:
        """A grammar accepting the concatenations of ``grammars``' strings, in order."""
        return Grammar._create_from_handle(_core.Grammar.concat(_handles(grammars)))

    # ---- Text and serialization -------------------------------------------------------------

    def to_string(self) -> str:
        """Canonical EBNF, one rule per line; parses back to the same grammar."""
        return self._handle.to_string()

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"Grammar(root={self._handle.root_rule_name!r}, rules={self._handle.num_rules})"

    def __reduce__(self):
        # Pickles as the JSON serialization, so a grammar can cross process boundaries.
        return (Grammar.deserialize_json, (self.serialize_json(),))

    def serialize_json(self) -> str:
        """A JSON text that ``deserialize_json`` turns back into this grammar."""
        return self._handle.serialize_json()

    @staticmethod
    def deserialize_json(json_string: str) -> Grammar:
        """Raises DeserializeVersionError for another format version, DeserializeFormatError
        for anything malformed."""
        if not isinstance(json_string, str):
            raise TypeError("json_string must be str")
        return Grammar._create_from_handle(_core.Grammar.deserialize_json(json_string))


def _handles(grammars: Tuple[Grammar, ...]) -> list:
    if len(grammars) == 1 and isinstance(grammars[0], (list, tuple)):
        grammars = tuple(grammars[0])  # also accept a single list, as upstream tolerates
    for grammar in grammars:
        if not isinstance(grammar, Grammar):
            raise TypeError(f"expected Grammar, got {type(grammar).__name__}")
    return [grammar._handle for grammar in grammars]
