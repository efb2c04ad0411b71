"""PII scrubbing: emails, phone numbers, IPv4 addresses and user ids become placeholders.

Text must pass through here before it is embedded, stored in gold or shown anywhere.
The patterns are anchored with look-arounds rather than plain word boundaries so that incident
numbers (INC0012345), versions (v2.3.1), dates, times and hex error codes survive intact.
`scrub` is idempotent: placeholders never match a pattern again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
IP = "[IP]"
USER_ID = "[USER_ID]"

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# A letter or dot before it means a version such as v1.2.3.4 or a longer dotted number.
_IPV4_RE = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\.?\d)")

# The label stays so the sentence still reads naturally ("user id: [USER_ID]").
_ID_LABEL = (
    r"user[ _-]?id|userid|user[ _-]?name|uid|login|employee[ _-]?id|emp[ _-]?id|staff[ _-]?id"
)
# After an explicit separator any token is an id; without one ("login jdoe42") the token must mix
# letters and digits, so that "login failed" stays readable, and must not be a version.
_USER_ID_RE = re.compile(
    rf"\b(?P<label>{_ID_LABEL})(?:"
    r"(?P<sep>\s*[:=#]\s*)(?P<value>[A-Za-z0-9][\w.-]*)"
    r"|(?P<space>\s+)(?![vV]?\d+(?:\.\d+)+)"
    r"(?P<mixed>(?=[\w.-]*\d)(?=[\w.-]*[A-Za-z])[A-Za-z0-9][\w.-]{2,})"
    r")",
    re.IGNORECASE,
)
_EMPLOYEE_ID_RE = re.compile(r"\bEMP[-_]?\d{4,8}\b", re.IGNORECASE)

# No digit, word character or '+' may touch a phone number, so a match never starts or ends in
# the middle of a longer number, an identifier or a date.
_BEFORE = r"(?<![\w+.\-])"
_AFTER = r"(?![\w]|[.\-:/]\d)"
_PHONE_RE = re.compile(
    "|".join(
        (
            # International: +44 20 7946 0958, +1 555-013-2245, +49 (0)30 1234567.
            rf"(?<![\w+])\+\d{{1,3}}(?:[ .\-]?\(?\d{{1,4}}\)?){{2,5}}{_AFTER}",
            # North American: (555) 013-2245, 555-013-2245, 555.013.2245, 555 013 2245.
            rf"{_BEFORE}(?:\(\d{{3}}\)\s?|\d{{3}}[ .\-])\d{{3}}[ .\-]\d{{4}}{_AFTER}",
            # Local exchange: 555-0132.
            rf"{_BEFORE}\d{{3}}-\d{{4}}{_AFTER}",
        )
    )
)


def _replace_user_id(match: re.Match[str]) -> str:
    separator = match.group("sep") if match.group("sep") is not None else match.group("space")
    return f"{match.group('label')}{separator}{USER_ID}"


def scrub(text: str | None) -> str:
    """Return `text` with PII replaced by placeholders; None becomes the empty string."""
    if not text:
        return ""
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _IPV4_RE.sub(IP, text)
    text = _USER_ID_RE.sub(_replace_user_id, text)
    text = _EMPLOYEE_ID_RE.sub(USER_ID, text)
    return _PHONE_RE.sub(PHONE, text)


def scrub_many(texts: Iterable[str | None]) -> list[str]:
    """Scrub each text of an iterable (a list, a pandas Series, a polars Series)."""
    return [scrub(text) for text in texts]


def scrub_series(series: pl.Series) -> pl.Series:
    """Scrub a polars string Series, keeping its name; nulls become empty strings.

    Polars' own regex engine has no look-around, which these patterns need, so this maps in
    Python over the Series.
    """
    return pl.Series(series.name, scrub_many(series.to_list()), dtype=pl.String)
