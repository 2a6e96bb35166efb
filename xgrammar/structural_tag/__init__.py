"""Structural tags (upstream XGrammar 0.2.x's JSON protocol for tool calling) -> EBNF text.

Entry point: `structural_tag_to_ebnf(...)`, behind `Grammar.from_structural_tag` and
`GrammarCompiler.compile_structural_tag`. It takes what upstream takes:

* one structural tag: a JSON string, a dict, or a `StructuralTag` (pydantic) object;
* the deprecated form `(tags, triggers)`: a list of `StructuralTagItem` (or dicts with
  `begin`, `schema`, `end`) and a list of trigger strings, meaning a `triggered_tags` format
  whose tags hold JSON schemas.

Stages: formats.py (JSON -> validated format objects, errors with JSON pointers) ->
converter.py (formats -> EBNF, free text via free_text.py's Aho-Corasick automata, embedded
grammars renamed by embedding.py). `json_schema` formats use xgrammar.json_schema. The pydantic
classes (models.py) are importable from here when pydantic is installed.
"""

from __future__ import annotations

import json
from typing import Any

from ..exceptions import InvalidJSONError, InvalidStructuralTagError
from .converter import format_to_ebnf
from .formats import MAX_FORMAT_NESTING_DEPTH, parse_structural_tag

try:  # the pydantic classes are optional: dicts and JSON text work without pydantic
    from .models import *  # noqa: F403
    from .models import schema_as_json_value
except ImportError:  # pragma: no cover - pydantic is installed wherever the tests run

    def schema_as_json_value(schema: Any) -> Any:
        return json.loads(schema) if isinstance(schema, str) else schema


__all__ = ["MAX_FORMAT_NESTING_DEPTH", "structural_tag_to_ebnf"]


def _default_json_schema_to_ebnf(schema: Any) -> str:
    from ..json_schema import json_schema_to_ebnf

    return json_schema_to_ebnf(schema)


def _as_json_value(structural_tag: Any) -> Any:
    if isinstance(structural_tag, (str, bytes)):
        try:
            return json.loads(structural_tag)
        except (ValueError, RecursionError) as error:
            raise InvalidJSONError(f"structural tag is not valid JSON: {error}") from None
    if hasattr(structural_tag, "model_dump"):
        return structural_tag.model_dump(by_alias=True)
    return structural_tag


def _legacy_item(item: Any, index: int) -> dict:
    if isinstance(item, dict):
        begin, schema, end = item.get("begin"), item.get("schema"), item.get("end")
    else:
        begin = getattr(item, "begin", None)
        schema = getattr(item, "schema_", getattr(item, "schema", None))
        end = getattr(item, "end", None)
    if not isinstance(begin, str) or not isinstance(end, str) or schema is None:
        message = "a legacy tag needs string 'begin' and 'end' and a 'schema'"
        raise InvalidStructuralTagError(message, pointer=f"/tags/{index}")
    try:
        schema_value = schema_as_json_value(schema)
    except ValueError as error:
        raise InvalidJSONError(f"tag {index}: schema is not valid JSON: {error}") from None
    return {
        "begin": begin,
        "content": {"type": "json_schema", "json_schema": schema_value},
        "end": end,
    }


def structural_tag_to_ebnf(*args: Any, json_schema_to_ebnf=None, **kwargs: Any) -> str:
    """EBNF text (root `root`) for a structural tag, in any form upstream accepts."""
    if "structural_tag" in kwargs:
        args = (kwargs.pop("structural_tag"),) + args
    if "tags" in kwargs or "triggers" in kwargs:
        args = (kwargs.pop("tags", None), kwargs.pop("triggers", None))
    if kwargs or len(args) not in (1, 2):
        raise TypeError("expected (structural_tag) or (tags, triggers)")
    if len(args) == 2:
        tags, triggers = args
        if not isinstance(tags, (list, tuple)) or not isinstance(triggers, (list, tuple)):
            raise InvalidStructuralTagError("legacy form needs a list of tags and of triggers")
        value = {
            "type": "structural_tag",
            "format": {
                "type": "triggered_tags",
                "triggers": list(triggers),
                "tags": [_legacy_item(item, i) for i, item in enumerate(tags)],
            },
        }
    else:
        value = _as_json_value(args[0])
    fmt = parse_structural_tag(value)
    return format_to_ebnf(fmt, json_schema_to_ebnf or _default_json_schema_to_ebnf)
