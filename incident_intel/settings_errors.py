"""Settings errors a person can act on: the key, the bad value, what is allowed, a likely fix."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel


def describe(error: dict[str, Any], root: type[BaseModel]) -> str:
    """One line for one pydantic error in settings validated as `root`."""
    location = tuple(error["loc"])
    key = ".".join(str(p) for p in location)
    if error["type"] == "extra_forbidden":
        section = _section_at(location, root)
        known = sorted(section.model_fields) if section else []
        close = difflib.get_close_matches(str(location[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{key}: unknown key{hint} Known keys here: {', '.join(known)}"
    if error["type"] == "missing":
        return f"{key}: required, but missing"
    return f"{key}: {error['input']!r} is not allowed: {error['msg']}"


def _section_at(location: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The settings class that holds the key at `location`, for "did you mean" hints."""
    model = root
    for part in location[:-1]:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model
