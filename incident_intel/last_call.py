"""A one-entry memo for a function of unhashable inputs (settings models, environments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")


class LastCall(Generic[Result]):
    """Calls `build` again only when the inputs differ (by ==) from the previous call's."""

    def __init__(self, build: Callable[..., Result]) -> None:
        self._build = build
        self._last: tuple[tuple[Any, ...], Result] | None = None

    def __call__(self, *inputs: Any) -> Result:
        if self._last is None or self._last[0] != inputs:
            self._last = (inputs, self._build(*inputs))
        return self._last[1]
