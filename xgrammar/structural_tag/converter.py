"""Typed structural-tag formats -> EBNF text.

Entry point: `format_to_ebnf(fmt, json_schema_to_ebnf) -> str`, the grammar with root `root`.
The JSON Schema converter is passed in, so this module needs nothing but a function from a
schema to EBNF text.

Meaning of each format (upstream XGrammar's, stated exactly):

* `const_string`, `regex` (full match), `grammar`, `json_schema`: their own languages. Embedded
  grammars get their rules renamed apart (`emb<n>_...`); our own rules are `st_...`.
* `sequence` / `or`: concatenation / union.
* `tag`: `begin content end`. When the content ends in free text (`any_text`,
  `triggered_tags`, or a `sequence` / `or` ending in those), that free text stops at the first
  occurrence of an end string and consumes it: it is "text up to the end tag", not "any text
  then the end tag" (which would let the end tag appear inside).
* `any_text`: any text not containing an excluded string (and inside a tag, see above).
* `triggered_tags`: free text in which, at the first complete occurrence of a trigger, the
  text continues as the rest of one of that trigger's tags, then free text again. With
  `at_least_one` a tag comes first, with no text before it; with `stop_after_first` nothing but
  the enclosing end (if any) follows the first tag. Outside any tag the text may stop at the
  end of the input; inside a tag it stops only at the tag's end string.
* `tags_with_separator`: zero or more tags (one or more with `at_least_one`; at most one with
  `stop_after_first`) joined by the separator, and nothing else.

The walk recurses once per nesting level, bounded by formats.MAX_FORMAT_NESTING_DEPTH.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from ..exceptions import InvalidStructuralTagError
from ..regex import regex_to_rules
from ..regex.ebnf_text import string_literal
from . import formats as f
from .embedding import prefix_rule_names
from .free_text import add_free_text_rules, optional_choice

JsonSchemaToEbnf = Callable[[object], str]


class _Converter:
    def __init__(self, json_schema_to_ebnf: JsonSchemaToEbnf) -> None:
        self.json_schema_to_ebnf = json_schema_to_ebnf
        self.rules: List[Tuple[str, str]] = []
        self.embedded_texts: List[str] = []
        self.counter = 0

    def new_name(self, kind: str) -> str:
        self.counter += 1
        return f"st_{kind}_{self.counter}"

    def add_rule(self, kind: str, body: str) -> str:
        name = self.new_name(kind)
        self.rules.append((name, body))
        return name

    def embed(self, ebnf_text: str) -> str:
        """Adds a whole grammar (root `root`) under fresh names; returns its root's name."""
        prefix = f"emb{len(self.embedded_texts) + 1}_"
        # The newline ends a trailing comment before the next grammar starts.
        self.embedded_texts.append(prefix_rule_names(ebnf_text, prefix) + "\n")
        return prefix + "root"

    # ---- formats -------------------------------------------------------------------------------

    def convert(self, fmt: f.Format, ends: Optional[Tuple[str, ...]]) -> str:
        """An EBNF expression for `fmt`, followed by one of `ends` when `ends` is given."""
        if isinstance(fmt, f.AnyText):
            return self.free_text(fmt.excludes, ends)
        if isinstance(fmt, f.TriggeredTags):
            return self.triggered_tags(fmt, ends)
        if isinstance(fmt, f.Sequence):
            parts = [self.convert(element, None) for element in fmt.elements[:-1]]
            parts.append(self.convert(fmt.elements[-1], ends))
            return self.add_rule("sequence", " ".join(parts))
        if isinstance(fmt, f.Or):
            choices = [self.convert(element, ends) for element in fmt.elements]
            return self.add_rule("or", " | ".join(choices))
        body = self.closed_format(fmt)
        end_choice = optional_choice([e for e in ends or () if e]) if ends else None
        if ends and "" in ends and end_choice is not None:
            end_choice += "?"
        return f"{body} {end_choice}" if end_choice else body

    def closed_format(self, fmt: f.Format) -> str:
        """Formats that never run on into what follows them."""
        if isinstance(fmt, f.ConstString):
            return string_literal(fmt.value)
        if isinstance(fmt, f.Regex):
            name = self.new_name("regex")
            self.rules.extend(regex_to_rules(fmt.pattern, name).rules)
            return name
        if isinstance(fmt, f.GrammarText):
            return self.embed(fmt.grammar)
        if isinstance(fmt, f.JsonSchema):
            return self.embed(self.json_schema_to_ebnf(fmt.schema))
        if isinstance(fmt, f.Tag):
            return self.tag(fmt)
        assert isinstance(fmt, f.TagsWithSeparator)
        return self.tags_with_separator(fmt)

    def tag(self, tag: f.Tag) -> str:
        if not any(tag.ends) and _ends_in_free_text(tag.content):
            raise InvalidStructuralTagError(
                "a tag whose content ends in free text needs a non-empty end string"
            )
        content = self.convert(tag.content, tag.ends)
        return self.add_rule("tag", f"{string_literal(tag.begin)} {content}")

    def free_text(self, excludes: Tuple[str, ...], ends: Optional[Tuple[str, ...]]) -> str:
        stops = [e for e in ends or () if e]
        return add_free_text_rules(
            self.rules,
            self.new_name("text"),
            triggers=[],
            trigger_continuations=[],
            ends=stops,
            after_end="",
            excludes=list(excludes),
            accept_at_end_of_input=not stops,
        )

    def tag_rest(self, tag: f.Tag, skip: int) -> str:
        """The tag without the first `skip` characters of its begin (already read)."""
        content = self.convert(tag.content, tag.ends)
        rest = tag.begin[skip:]
        return f"{string_literal(rest)} {content}" if rest else content

    def triggered_tags(self, fmt: f.TriggeredTags, ends: Optional[Tuple[str, ...]]) -> str:
        stops = [e for e in ends or () if e]
        end_choice = optional_choice(stops) or ""
        if fmt.at_least_one and fmt.stop_after_first:
            full_tags = " | ".join(self.tag_rest(tag, 0) for tag in fmt.tags)
            return self.add_rule("triggered_tags", f"({full_tags}) {end_choice}".strip())
        text_start = self.new_name("text")
        after_tag = (end_choice or '""') if fmt.stop_after_first else text_start
        continuations = []
        for index, trigger in enumerate(fmt.triggers):
            rests = [
                self.tag_rest(tag, len(trigger))
                for tag, owner in zip(fmt.tags, fmt.trigger_of_tag)
                if owner == index
            ]
            if not rests:
                continuations.append(self.add_rule("no_tag", f'"\\x00" {text_start}'))
                continue
            continuations.append(self.add_rule("dispatch", f"({' | '.join(rests)}) {after_tag}"))
        start = add_free_text_rules(
            self.rules,
            text_start,
            triggers=list(fmt.triggers),
            trigger_continuations=continuations,
            ends=stops,
            after_end="",
            excludes=list(fmt.excludes),
            accept_at_end_of_input=not stops,
        )
        self.rules.append((text_start, start))
        if fmt.at_least_one:
            full_tags = " | ".join(self.tag_rest(tag, 0) for tag in fmt.tags)
            return self.add_rule("triggered_tags", f"({full_tags}) {after_tag}")
        return text_start

    def tags_with_separator(self, fmt: f.TagsWithSeparator) -> str:
        one_tag = self.add_rule("tag_choice", " | ".join(self.tag(tag) for tag in fmt.tags))
        if fmt.stop_after_first:
            body = one_tag if fmt.at_least_one else f"{one_tag}?"
        else:
            repeated = f"{one_tag} ({string_literal(fmt.separator)} {one_tag})*"
            body = repeated if fmt.at_least_one else f'{repeated} | ""'
        return self.add_rule("tags_with_separator", body)


def _ends_in_free_text(fmt: f.Format) -> bool:
    """Whether the format's last part is free text that must find its own end string."""
    while isinstance(fmt, f.Sequence):
        fmt = fmt.elements[-1]
    if isinstance(fmt, f.Or):
        return any(_ends_in_free_text(element) for element in fmt.elements)
    return isinstance(fmt, (f.AnyText, f.TriggeredTags))


def format_to_ebnf(fmt: f.Format, json_schema_to_ebnf: JsonSchemaToEbnf) -> str:
    converter = _Converter(json_schema_to_ebnf)
    body = converter.convert(fmt, None)
    lines = [f"root ::= {body}"]
    lines.extend(f"{name} ::= {rule_body}" for name, rule_body in converter.rules)
    return "\n".join(lines) + "\n" + "".join(converter.embedded_texts)
