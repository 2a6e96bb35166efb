"""Structural tag JSON (upstream XGrammar's protocol) -> validated, typed format objects.

Entry point: `parse_structural_tag(value) -> Format` for the top-level object
`{"type": "structural_tag", "format": {...}}`. Formats: `const_string`, `json_schema`,
`any_text` (optional `excludes`), `grammar`, `regex`, `sequence`, `or`, `tag` (`end` a string
or a list of strings), `triggered_tags` (optional `excludes`), `tags_with_separator`. A format
object without `type` is recognised by its keys, as upstream does. Every problem raises
`InvalidStructuralTagError` whose `pointer` is the JSON pointer of the offending value; formats
nest at most `MAX_FORMAT_NESTING_DEPTH` deep (`LimitExceededError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple, Union

from ..exceptions import InvalidStructuralTagError, LimitExceededError

# Formats nested deeper than this are refused: conversion recurses once per level, and real
# tool-calling descriptions nest fewer than ten levels.
MAX_FORMAT_NESTING_DEPTH = 100


@dataclass(frozen=True)
class ConstString:
    value: str


@dataclass(frozen=True)
class JsonSchema:
    schema: Union[bool, Dict[str, Any]]


@dataclass(frozen=True)
class AnyText:
    excludes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class GrammarText:
    grammar: str


@dataclass(frozen=True)
class Regex:
    pattern: str


@dataclass(frozen=True)
class Sequence:
    elements: Tuple[Format, ...]


@dataclass(frozen=True)
class Or:
    elements: Tuple[Format, ...]


@dataclass(frozen=True)
class Tag:
    begin: str
    content: Format
    ends: Tuple[str, ...]


@dataclass(frozen=True)
class TriggeredTags:
    triggers: Tuple[str, ...]
    tags: Tuple[Tag, ...]
    at_least_one: bool
    stop_after_first: bool
    excludes: Tuple[str, ...]
    # For each tag, the index of the one trigger that is a prefix of its begin.
    trigger_of_tag: Tuple[int, ...]


@dataclass(frozen=True)
class TagsWithSeparator:
    tags: Tuple[Tag, ...]
    separator: str
    at_least_one: bool
    stop_after_first: bool


Format = Union[
    ConstString, JsonSchema, AnyText, GrammarText, Regex, Sequence, Or, Tag, TriggeredTags,
    TagsWithSeparator,
]  # fmt: skip


def _fail(message: str, pointer: str) -> InvalidStructuralTagError:
    return InvalidStructuralTagError(
        f"{pointer or '/'}: {message}", message=message, pointer=pointer
    )


def _string(obj: Dict[str, Any], key: str, pointer: str, *, non_empty: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or (non_empty and not value):
        kind = "a non-empty string" if non_empty else "a string"
        raise _fail(f"'{key}' must be {kind}", f"{pointer}/{key}")
    return value


def _strings(obj: Dict[str, Any], key: str, pointer: str, *, required: bool) -> Tuple[str, ...]:
    if key not in obj and not required:
        return ()
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"'{key}' must be a list of non-empty strings", f"{pointer}/{key}")
    if required and not value:
        raise _fail(f"'{key}' must not be empty", f"{pointer}/{key}")
    return tuple(value)


def _flag(obj: Dict[str, Any], key: str, pointer: str) -> bool:
    value = obj.get(key, False)
    if not isinstance(value, bool):
        raise _fail(f"'{key}' must be a boolean", f"{pointer}/{key}")
    return value


_TYPE_BY_KEY = [
    ("begin", "tag"),
    ("value", "const_string"),
    ("json_schema", "json_schema"),
    ("triggers", "triggered_tags"),
    ("separator", "tags_with_separator"),
    ("elements", "sequence"),
    ("grammar", "grammar"),
    ("pattern", "regex"),
]


def _format_type(obj: Dict[str, Any], pointer: str) -> str:
    if "type" in obj:
        if not isinstance(obj["type"], str):
            raise _fail("'type' must be a string", f"{pointer}/type")
        return obj["type"]
    for key, type_name in _TYPE_BY_KEY:
        if key in obj:
            return type_name
    if set(obj) <= {"excludes"}:
        return "any_text"
    raise _fail("cannot tell the format's type; give 'type'", pointer)


def _parse_format(value: Any, pointer: str, depth: int) -> Format:
    if depth > MAX_FORMAT_NESTING_DEPTH:
        message = f"formats nest deeper than MAX_FORMAT_NESTING_DEPTH={MAX_FORMAT_NESTING_DEPTH}"
        raise LimitExceededError(f"{pointer}: {message}", message=message, pointer=pointer)
    if not isinstance(value, dict):
        raise _fail("a format must be an object", pointer)
    kind = _format_type(value, pointer)
    if kind == "const_string":
        return ConstString(_string(value, "value", pointer, non_empty=True))
    if kind in ("json_schema", "qwen_xml_parameter"):
        if kind == "qwen_xml_parameter":
            raise _fail("the qwen_xml_parameter format is not supported", f"{pointer}/type")
        schema = value.get("json_schema")
        if not isinstance(schema, (bool, dict)):
            raise _fail("'json_schema' must be an object or a boolean", f"{pointer}/json_schema")
        return JsonSchema(schema)
    if kind == "any_text":
        return AnyText(_strings(value, "excludes", pointer, required=False))
    if kind == "grammar":
        return GrammarText(_string(value, "grammar", pointer, non_empty=True))
    if kind == "regex":
        return Regex(_string(value, "pattern", pointer, non_empty=True))
    if kind in ("sequence", "or"):
        elements = value.get("elements")
        if not isinstance(elements, list) or not elements:
            raise _fail("'elements' must be a non-empty list", f"{pointer}/elements")
        parsed = tuple(
            _parse_format(element, f"{pointer}/elements/{i}", depth + 1)
            for i, element in enumerate(elements)
        )
        return Sequence(parsed) if kind == "sequence" else Or(parsed)
    if kind == "tag":
        return _parse_tag(value, pointer, depth)
    if kind == "triggered_tags":
        return _parse_triggered_tags(value, pointer, depth)
    if kind == "tags_with_separator":
        return TagsWithSeparator(
            _parse_tags(value, pointer, depth),
            _string(value, "separator", pointer),
            _flag(value, "at_least_one", pointer),
            _flag(value, "stop_after_first", pointer),
        )
    raise _fail(f"unknown format type {kind!r}", f"{pointer}/type")


def _parse_tag(value: Any, pointer: str, depth: int) -> Tag:
    if not isinstance(value, dict):
        raise _fail("a tag must be an object", pointer)
    if value.get("type", "tag") != "tag":
        raise _fail("'type' of a tag must be \"tag\"", f"{pointer}/type")
    begin = _string(value, "begin", pointer)
    if "content" not in value:
        raise _fail("a tag needs 'content'", pointer)
    content = _parse_format(value["content"], f"{pointer}/content", depth + 1)
    end = value.get("end")
    if isinstance(end, str):
        ends: Tuple[str, ...] = (end,)
    elif isinstance(end, list) and end and all(isinstance(e, str) for e in end):
        ends = tuple(end)
    else:
        raise _fail("'end' must be a string or a non-empty list of strings", f"{pointer}/end")
    return Tag(begin, content, ends)


def _parse_tags(value: Dict[str, Any], pointer: str, depth: int) -> Tuple[Tag, ...]:
    tags = value.get("tags")
    if not isinstance(tags, list) or not tags:
        raise _fail("'tags' must be a non-empty list", f"{pointer}/tags")
    return tuple(_parse_tag(tag, f"{pointer}/tags/{i}", depth + 1) for i, tag in enumerate(tags))


def _parse_triggered_tags(value: Dict[str, Any], pointer: str, depth: int) -> TriggeredTags:
    triggers = _strings(value, "triggers", pointer, required=True)
    tags = _parse_tags(value, pointer, depth)
    trigger_of_tag: List[int] = []
    for index, tag in enumerate(tags):
        matching = [i for i, trigger in enumerate(triggers) if tag.begin.startswith(trigger)]
        if len(matching) != 1:
            problem = "no trigger" if not matching else "more than one trigger"
            raise _fail(f"{problem} is a prefix of this tag's begin", f"{pointer}/tags/{index}")
        trigger_of_tag.append(matching[0])
    return TriggeredTags(
        triggers,
        tags,
        _flag(value, "at_least_one", pointer),
        _flag(value, "stop_after_first", pointer),
        _strings(value, "excludes", pointer, required=False),
        tuple(trigger_of_tag),
    )


def parse_structural_tag(value: Any) -> Format:
    """The top-level format of a structural tag object (see the module docstring)."""
    if not isinstance(value, dict):
        raise _fail("a structural tag must be a JSON object", "")
    if value.get("type", "structural_tag") != "structural_tag":
        raise _fail("'type' must be \"structural_tag\"", "/type")
    if "format" not in value:
        raise _fail("a structural tag needs 'format'", "")
    return _parse_format(value["format"], "/format", 1)
