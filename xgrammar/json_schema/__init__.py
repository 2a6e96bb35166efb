"""JSON Schema -> EBNF grammar text (pure Python), exact: never wider than the schema.

Entry point: `json_schema_to_ebnf(schema, *, any_whitespace=True, indent=None,
separators=None, strict_mode=True, max_whitespace_cnt=None, lenient=False,
any_key_order=True) -> str`.
See converter.py for the guarantees and the module docstrings for each keyword family:
refs.py ($ref), combinators.py (allOf/anyOf/oneOf/if), negation.py (not), schema_model.py
(keywords and merging), objects.py, arrays.py, strings.py, formats.py, patterns.py,
numbers.py, whitespace.py, regular.py (automata) and ebnf.py (grammar trees and printing).
"""

from .converter import json_schema_to_ebnf

__all__ = ["json_schema_to_ebnf"]
