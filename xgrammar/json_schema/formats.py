"""String `format` values as regular languages.

In draft 2020-12 `format` is an annotation unless the format-assertion vocabulary is on, so
any value is valid as far as the schema is concerned. Like upstream XGrammar we still *enforce*
the formats listed here, because a model asked for a `date` should write a date: enforcing
only narrows the language, so it never accepts an instance the schema rejects. Each language is
also no wider than the check jsonschema's FormatChecker makes (MaskBench labels its instances
with it), except the compact URI forms (see `_URI`). The grammars follow RFC 3339 (date,
time, date-time, duration; leap years checked, year 0000 and leap second 60 left out as
Python's checks reject them), RFC 5321 dot-atom addresses (email), RFC 4122 (uuid), RFC 3986
characters (uri, uri-reference, in a compact form that lets a few rare malformed URIs
through; iri and iri-reference as their ASCII subset), RFC 6570 (uri-template), RFC 6901
(json-pointer, relative-json-pointer), RFC 1123 (hostname), dotted-quad ipv4 and RFC 3986
ipv6, and a regular subset of Python regex syntax (regex). Simplifications, all toward a
*smaller* set: no quoted or IP-literal email parts, ASCII-only IRIs and templates, regex
groups nested at most `MAX_REGEX_FORMAT_GROUP_DEPTH` deep. An unknown format is an annotation
and is ignored (the converter neither fails nor narrows for it).

Entry point: `format_language(name) -> expression or None`.
"""

from __future__ import annotations

from functools import cache

from .patterns import pattern_language

# Years 0001-9999 (Python's date, which jsonschema's `date` check uses, has no year 0), with
# February 29 only in leap years (divisible by 4, centuries only when divisible by 400).
_YEAR = r"(?:\d{3}[1-9]|\d\d[1-9]\d|\d[1-9]\d\d|[1-9]\d{3})"
_LEAP_YEAR = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = (
    rf"(?:{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    rf"|(?:0[13578]|1[02])-31)|{_LEAP_YEAR}-02-29)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[zZ]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
_DURATION_TIME = r"T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S)"
_DURATION = (
    r"P(?:(?:\d+Y(?:\d+M)?(?:\d+D)?|\d+M(?:\d+D)?|\d+D)(?:" + _DURATION_TIME + r")?"
    r"|" + _DURATION_TIME + r"|\d+W)"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"(?:{_OCTET}\.){{3}}{_OCTET}"
_H16 = r"[0-9a-fA-F]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{_IPV4})"


def _ipv6() -> str:
    """RFC 3986 IPv6address: the nine forms, by where `::` stands."""
    forms = [rf"(?:{_H16}:){{6}}{_LS32}", rf"::(?:{_H16}:){{5}}{_LS32}"]
    for before in range(0, 7):
        after = 4 - before
        head = "" if before == 0 else rf"(?:(?:{_H16}:){{0,{before}}}{_H16})?"
        if before == 0:
            head = rf"(?:{_H16})?"
        if after >= 0:
            middle = rf"(?:{_H16}:){{{after}}}" if after else ""
            forms.append(rf"{head}::{middle}{_LS32}")
        elif after == -1:
            forms.append(rf"{head}::{_H16}")
        else:
            forms.append(rf"{head}::")
    return "(?:" + "|".join(forms) + ")"


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = rf"{_LABEL}(?:\.{_LABEL})*"
# RFC 3986 in a compact form: its characters and percent escapes after a scheme, and for a
# relative reference a first segment without ":" (so "://" is no reference). It lets through
# a few rare malformed URIs (a non-numeric port, a second "#"); the term-by-term grammar is
# ~60 automaton states, too many to intersect with the usual `maxLength` of 255.
_PCT = r"%[0-9A-Fa-f]{2}"
_URI_CHAR = rf"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|{_PCT})"
_SEGMENT_NZ_NC = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|{_PCT})+"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
_URI = rf"{_SCHEME}:{_URI_CHAR}*"
_RELATIVE_REF = rf"(?:[/?#]{_URI_CHAR}*|{_SEGMENT_NZ_NC}(?:[/?#]{_URI_CHAR}*)?|)"
# RFC 6570 level 4 templates: literals (ASCII, no percent escapes) and expressions whose
# operator is one of the defined ones (the reserved `=,!@|` are left out: narrower).
_VARNAME = r"[A-Za-z0-9_](?:\.?[A-Za-z0-9_])*"
_VARSPEC = rf"{_VARNAME}(?::[1-9]\d{{0,3}}|\*)?"
_TEMPLATE_EXPRESSION = rf"\{{[+#./;?&]?{_VARSPEC}(?:,{_VARSPEC})*\}}"
_URI_TEMPLATE = rf"(?:[!#$&()*+,\-./0-9:;=?@A-Z\[\]_a-z~]|{_TEMPLATE_EXPRESSION})*"
# RFC 6901 and the relative form of draft-handrews-relative-json-pointer.
_JSON_POINTER = r"(?:/(?:[^~/]|~[01])*)*"
_RELATIVE_JSON_POINTER = rf"(?:0|[1-9]\d*)(?:#|{_JSON_POINTER})"
# Groups nested deeper than this are outside the `regex` format's subset (see below).
MAX_REGEX_FORMAT_GROUP_DEPTH = 2


def regex_syntax_subset() -> str:
    """A regular subset of Python `re` syntax, which jsonschema's `regex` format check compiles
    with: literals, escaped metacharacters and `\\d\\w\\s` classes, `.`, bracket classes
    (single characters and the ranges a-z, A-Z, 0-9), one quantifier per atom (`{m,n}` with
    m <= n < 100 as described below), `^ $ \\b \\B`, alternation, and (non-capturing) groups
    nested at most `MAX_REGEX_FORMAT_GROUP_DEPTH` deep. Everything in it compiles: narrower,
    never wider.
    """
    literal = r"[A-Za-z0-9 _\-,:;'\"<>=!@#%&~`/]"
    escape = r"\\[.^$*+?()\[\]{}|\\/\-dDwWsS]"
    class_char = r"(?:[A-Za-z0-9 _,:;'\"<>=!@#%&~`/.*+?(){}|$]|\\[dDwWsS\\\[\]\-^.])"
    char_class = rf"\[\^?(?:a-z|A-Z|0-9|{class_char})+\]"
    # m <= n (Python rejects `{5,3}`), decided by the digits an automaton need not remember:
    # single digits in order, or n of more digits than m, or two-digit m and n whose tens
    # are in order (`{10,15}` is left out: telling it from `{15,10}` would take a state per m).
    pairs = [f"{low},{high}" for low in range(10) for high in range(low, 10)]
    pairs.append(r"\d,[1-9]\d")
    pairs += [rf"{tens}\d,[{tens + 1}-9]\d" for tens in range(1, 9)]
    ordered_pairs = "|".join(pairs)
    quantifier = rf"(?:[*+?]|\{{(?:\d{{1,3}},?|{ordered_pairs})\}})\??"
    assertion = r"(?:\^|\$|\\[bB])"

    def alternation(atom: str) -> str:
        piece = rf"(?:{atom}(?:{quantifier})?|{assertion})"
        return rf"{piece}*(?:\|{piece}*)*"

    plain_atom = rf"{literal}|{escape}|\.|{char_class}"
    atom = rf"(?:{plain_atom})"
    for _ in range(MAX_REGEX_FORMAT_GROUP_DEPTH):
        atom = rf"(?:{plain_atom}|\((?:\?:)?{alternation(atom)}\))"
    return alternation(atom)


FORMAT_PATTERNS = {
    "date": _DATE,
    "time": _TIME,
    "date-time": rf"{_DATE}[Tt]{_TIME}",
    "duration": _DURATION,
    "email": rf"{_ATEXT}+(?:\.{_ATEXT}+)*@{_HOSTNAME}",
    "uuid": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "ipv4": _IPV4,
    "ipv6": _ipv6(),
    "hostname": _HOSTNAME,
    "uri": _URI,
    "uri-reference": rf"(?:{_URI}|{_RELATIVE_REF})",
    # IRIs (RFC 3987) as their ASCII subset, the URIs: narrower.
    "iri": _URI,
    "iri-reference": rf"(?:{_URI}|{_RELATIVE_REF})",
    "uri-template": _URI_TEMPLATE,
    "json-pointer": _JSON_POINTER,
    "relative-json-pointer": _RELATIVE_JSON_POINTER,
    "regex": regex_syntax_subset(),
}


@cache
def format_language(name: str):
    """The strings of format `name` as an expression, or None for a format we do not know."""
    pattern = FORMAT_PATTERNS.get(name)
    return None if pattern is None else pattern_language(f"^(?:{pattern})$")
