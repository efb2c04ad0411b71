"""HTTP basic and bearer authentication, checked in constant time, naming who is calling.

The name decides what the caller may read (`SimulatorSettings.audit_forbidden_users`). A bearer
token acts for the configured username, as an OAuth token acts for the user it was issued to;
without authentication every caller is the anonymous "".
"""

from __future__ import annotations

import base64
import binascii
import secrets

from incident_intel.simulator.settings import SimulatorSettings

ANONYMOUS = ""


def _same(given: str, expected: str | None) -> bool:
    return expected is not None and secrets.compare_digest(given.encode(), expected.encode())


def authenticated_user(authorization: str | None, settings: SimulatorSettings) -> str | None:
    """Who an `Authorization` header authenticates under these settings; None if nobody."""
    if not settings.requires_auth:
        return ANONYMOUS
    if not authorization:
        return None
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        if not _same(credentials.strip(), settings.token):
            return None
        return settings.username or ANONYMOUS
    if scheme != "basic" or settings.username is None:
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, _, password = decoded.partition(":")
    # Evaluate both comparisons so that timing does not reveal which part was wrong.
    user_ok = _same(username, settings.username)
    password_ok = _same(password, settings.password)
    return username if user_ok and password_ok else None
