"""Pydantic classes for structural tags, with upstream XGrammar's names and fields.

Users build a `StructuralTag` (or the deprecated `StructuralTagItem` list plus triggers) and
pass it to `Grammar.from_structural_tag` / `GrammarCompiler.compile_structural_tag`; the
converter only ever sees the JSON form (`model_dump`), so these classes carry no logic beyond
upstream's `from_json` and `from_legacy_structural_tag`. Needs pydantic 2.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Dict, List, Literal, Type, Union

from pydantic import BaseModel, Field


class ConstStringFormat(BaseModel):
    type: Literal["const_string"] = "const_string"
    value: str


class JSONSchemaFormat(BaseModel):
    type: Literal["json_schema"] = "json_schema"
    json_schema: Union[bool, Dict[str, Any]]


class AnyTextFormat(BaseModel):
    type: Literal["any_text"] = "any_text"
    excludes: List[str] = []


class GrammarFormat(BaseModel):
    type: Literal["grammar"] = "grammar"
    grammar: str


class RegexFormat(BaseModel):
    type: Literal["regex"] = "regex"
    pattern: str


class SequenceFormat(BaseModel):
    type: Literal["sequence"] = "sequence"
    elements: List[Format]


class OrFormat(BaseModel):
    type: Literal["or"] = "or"
    elements: List[Format]


class TagFormat(BaseModel):
    type: Literal["tag"] = "tag"
    begin: str
    content: Format
    end: Union[str, List[str]]


class TriggeredTagsFormat(BaseModel):
    type: Literal["triggered_tags"] = "triggered_tags"
    triggers: List[str]
    tags: List[TagFormat]
    at_least_one: bool = False
    stop_after_first: bool = False
    excludes: List[str] = []


class TagsWithSeparatorFormat(BaseModel):
    type: Literal["tags_with_separator"] = "tags_with_separator"
    tags: List[TagFormat]
    separator: str
    at_least_one: bool = False
    stop_after_first: bool = False


Format = Annotated[
    Union[
        AnyTextFormat,
        ConstStringFormat,
        JSONSchemaFormat,
        GrammarFormat,
        RegexFormat,
        OrFormat,
        SequenceFormat,
        TagFormat,
        TriggeredTagsFormat,
        TagsWithSeparatorFormat,
    ],
    Field(discriminator="type"),
]

for _model in (SequenceFormat, OrFormat, TagFormat, TriggeredTagsFormat, TagsWithSeparatorFormat):
    _model.model_rebuild()


class StructuralTagItem(BaseModel):
    """Deprecated upstream form: a tag whose content is a JSON schema."""

    begin: str
    schema_: Union[str, Type[BaseModel], Dict[str, Any]] = Field(alias="schema")
    end: str


def schema_as_json_value(schema: Any) -> Any:
    """A legacy item's schema (JSON text, dict or pydantic model class) as a JSON value."""
    if isinstance(schema, str):
        return json.loads(schema)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    return schema


class StructuralTag(BaseModel):
    """`{"type": "structural_tag", "format": {...}}`, as in the OpenAI-style response_format."""

    type: Literal["structural_tag"] = "structural_tag"
    format: Format

    @staticmethod
    def from_legacy_structural_tag(
        tags: List[StructuralTagItem], triggers: List[str]
    ) -> StructuralTag:
        return StructuralTag(
            format=TriggeredTagsFormat(
                triggers=triggers,
                tags=[
                    TagFormat(
                        begin=tag.begin,
                        content=JSONSchemaFormat(json_schema=schema_as_json_value(tag.schema_)),
                        end=tag.end,
                    )
                    for tag in tags
                ],
            )
        )

    @staticmethod
    def from_json(json_str: Union[str, Dict[str, Any]]) -> StructuralTag:
        if isinstance(json_str, str):
            return StructuralTag.model_validate_json(json_str)
        if isinstance(json_str, dict):
            return StructuralTag.model_validate(json_str)
        raise ValueError("Invalid JSON string or dictionary")
