"""HTTP basic and bearer authentication, checked in constant time."""

from __future__ import annotations

import base64
import binascii
import secrets

from incident_intel.simulator.settings import SimulatorSettings


def _same(given: str, expected: str | None) -> bool:
    return expected is not None and secrets.compare_digest(given.encode(), expected.encode())


def authorised(authorization: str | None, settings: SimulatorSettings) -> bool:
    """Whether an `Authorization` header grants access under these settings."""
    if not settings.requires_auth:
        return True
    if not authorization:
        return False
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return _same(credentials.strip(), settings.token)
    if scheme != "basic" or settings.username is None:
        return False
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    username, _, password = decoded.partition(":")
    # Evaluate both comparisons so that timing does not reveal which part was wrong.
    user_ok = _same(username, settings.username)
    password_ok = _same(password, settings.password)
    return user_ok and password_ok
