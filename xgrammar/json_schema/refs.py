"""`$ref` resolution inside one schema document.

Supported reference forms: `#` (the root), `#/json/pointer` (with `~0`, `~1` and percent
escapes such as `%25`), `#anchor` (a `$anchor`), and a URI that names a `$id` of an embedded
schema (resolved against the enclosing `$id`s, optionally followed by a pointer fragment).
A reference that leaves the document (a remote schema) raises `UnsupportedFeatureError`.

Entry point: `SchemaDocument(root)`, then `.resolve(ref, at_pointer) -> (pointer, schema)`.
Budget: the indexing walk refuses documents nested deeper than `MAX_SCHEMA_DEPTH`.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple
from urllib.parse import unquote, urldefrag, urljoin

from ..exceptions import InvalidJSONSchemaError, LimitExceededError, UnsupportedFeatureError

# Deepest nesting of a schema document (counted in JSON containers) that the converter reads.
MAX_SCHEMA_DEPTH = 1000

# Keywords whose values are data, not schemas: their contents are never indexed.
_DATA_KEYWORDS = frozenset(["enum", "const", "default", "examples", "example"])


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def child_pointer(pointer: str, *tokens) -> str:
    return pointer + "".join("/" + escape_pointer_token(str(t)) for t in tokens)


class SchemaDocument:
    """The root schema with an index of `$id`s and `$anchor`s."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.ids: Dict[str, Tuple[str, Any]] = {}
        self.anchors: Dict[str, Tuple[str, Any]] = {}
        self.bases: Dict[str, str] = {}
        self._index()

    def _index(self) -> None:
        stack = [("", self.root, "", 0)]
        while stack:
            pointer, node, base, depth = stack.pop()
            if depth > MAX_SCHEMA_DEPTH:
                raise LimitExceededError(
                    f"the schema nests deeper than {MAX_SCHEMA_DEPTH} levels (MAX_SCHEMA_DEPTH)",
                    pointer=pointer,
                )
            if isinstance(node, dict):
                own_id = node.get("$id", node.get("id") if pointer == "" else None)
                if isinstance(own_id, str) and not own_id.startswith("#"):
                    base = urljoin(base, own_id) if base else own_id
                    self.ids[urldefrag(base)[0]] = (pointer, node)
                self.bases[pointer] = base
                anchor = node.get("$anchor")
                if isinstance(anchor, str):
                    self.anchors[anchor] = (pointer, node)
                    self.anchors[urldefrag(base)[0] + "#" + anchor] = (pointer, node)
                for key, value in node.items():
                    if key not in _DATA_KEYWORDS and isinstance(value, (dict, list)):
                        stack.append((child_pointer(pointer, key), value, base, depth + 1))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    if isinstance(value, (dict, list)):
                        stack.append((child_pointer(pointer, index), value, base, depth + 1))

    def base_of(self, pointer: str) -> str:
        while pointer not in self.bases and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return self.bases.get(pointer, "")

    def resolve(self, ref: Any, at_pointer: str) -> Tuple[str, Any]:
        """The pointer and the schema that `ref` (found at `at_pointer`) names."""
        if not isinstance(ref, str):
            raise InvalidJSONSchemaError("$ref must be a string", pointer=at_pointer + "/$ref")
        base = self.base_of(at_pointer)
        target = urljoin(base, ref) if base else ref
        document, fragment = urldefrag(target)
        if ref.startswith("#"):
            document, fragment = urldefrag(base)[0], ref[1:]
        if document and document != urldefrag(self.bases.get("", ""))[0]:
            if document not in self.ids:
                raise UnsupportedFeatureError(
                    f"$ref {ref!r} names a schema outside this document (remote $ref)",
                    pointer=at_pointer + "/$ref",
                )
            start_pointer, start = self.ids[document]
        else:
            start_pointer, start = "", self.root
        if fragment and not fragment.startswith("/"):
            key = document + "#" + fragment if document else fragment
            found = self.anchors.get(key) or self.anchors.get(fragment)
            if found is None:
                raise InvalidJSONSchemaError(
                    f"$ref {ref!r}: no $anchor {fragment!r}", pointer=at_pointer + "/$ref"
                )
            return found
        return self._follow_pointer(start_pointer, start, fragment, ref, at_pointer)

    def _follow_pointer(self, pointer, node, fragment, ref, at_pointer) -> Tuple[str, Any]:
        if not fragment:
            return pointer, node
        for raw_token in fragment.split("/")[1:]:
            token = unquote(raw_token).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise InvalidJSONSchemaError(
                    f"$ref {ref!r} does not resolve (no {token!r})", pointer=at_pointer + "/$ref"
                )
            pointer = child_pointer(pointer, token)
        if not isinstance(node, (dict, bool)):
            raise InvalidJSONSchemaError(
                f"$ref {ref!r} does not name a schema", pointer=at_pointer + "/$ref"
            )
        return pointer, node
