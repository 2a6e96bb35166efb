"""String `format` values as regular languages.

In draft 2020-12 `format` is an annotation unless the format-assertion vocabulary is on, so
any value is valid as far as the schema is concerned. Like upstream XGrammar we still *enforce*
the formats listed here, because a model asked for a `date` should write a date: enforcing
only narrows the language, so it never accepts an instance the schema rejects. The grammars
follow RFC 3339 (date, time, date-time, duration), RFC 5321 dot-atom addresses (email),
RFC 4122 (uuid), RFC 3986 (uri, uri-reference, ipv6), RFC 1123 (hostname) and dotted-quad
ipv4. Simplifications, all toward a *smaller* set than the RFC: no quoted or IP-literal email
parts; February 29 is allowed in every year (leap years are not checked). An unknown format is
an annotation and is ignored (the converter neither fails nor narrows for it).

Entry point: `format_language(name) -> expression or None`.
"""

from __future__ import annotations

from functools import cache

from .patterns import pattern_language

_DATE = (
    r"\d{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-9])|(?:0[13-9]|1[0-2])-30"
    r"|(?:0[13578]|1[02])-31)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[zZ]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
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
_URI_CHAR = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"

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
    "uri": rf"{_SCHEME}:{_URI_CHAR}*",
    "uri-reference": rf"(?:{_SCHEME}:)?{_URI_CHAR}*",
}


@cache
def format_language(name: str):
    """The strings of format `name` as an expression, or None for a format we do not know."""
    pattern = FORMAT_PATTERNS.get(name)
    return None if pattern is None else pattern_language(f"^(?:{pattern})$")
