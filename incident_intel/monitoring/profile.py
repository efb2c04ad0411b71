"""Profiles of one column: the bins a reference sample falls into, and each bin's share.

A profile is fitted once, on the data a model learnt from, and stored as JSON; new data is
counted in the same bins, so the two sets of shares can be compared (`monitoring.psi`).
Missing values are a bin of their own in every profile: a field that stops being filled in is
drift too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

# Deciles: the usual PSI binning, fine enough to see a shift in shape, coarse enough that each
# bin holds a tenth of the reference.
NUMERIC_BINS = 10
# The most frequent values keep a bin each; the rest share one. A field with thousands of
# values (a caller, a configuration item) is then compared on its head and on how much of it
# falls outside the head, which is where a new value shows.
TOP_CATEGORIES = 10


def _shares(counts: np.ndarray) -> tuple[float, ...]:
    total = counts.sum()
    return tuple(float(c) for c in counts / total) if total else tuple(0.0 for _ in counts)


@dataclass(frozen=True)
class NumericProfile:
    """Bins cut at the reference's quantiles, each closed on the right: (-∞, e0], (e0, e1], …,
    (e_last, ∞); then the missing values.

    The edges are values the reference holds (the inverted-CDF quantile), so a count that is
    mostly zero gets the bins (-∞, 0] and (0, ∞) rather than bins between values that never
    occur: repeated quantiles collapse into one edge, and every bin but the last holds
    reference values.
    """

    edges: tuple[float, ...]
    proportions: tuple[float, ...]  # one per bin, then the missing share

    @classmethod
    def fit(cls, values: pl.Series, bins: int = NUMERIC_BINS) -> NumericProfile:
        numbers = _numbers(values)
        present = numbers[~np.isnan(numbers)]
        cuts = (
            np.quantile(present, np.arange(1, bins) / bins, method="inverted_cdf")
            if len(present)
            else []
        )
        edges = tuple(float(e) for e in np.unique(cuts))
        return cls(edges=edges, proportions=_numeric_shares(edges, numbers))

    def shares(self, values: pl.Series) -> tuple[float, ...]:
        """The share of `values` in each of this profile's bins, then missing."""
        return _numeric_shares(self.edges, _numbers(values))

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "numeric", "edges": list(self.edges), "proportions": list(self.proportions)}


@dataclass(frozen=True)
class CategoricalProfile:
    """The reference's most frequent values, each a bin; then every other value, seen in the
    reference or not; then the missing values."""

    categories: tuple[str, ...]
    proportions: tuple[float, ...]  # one per category, then the other values, then missing

    @classmethod
    def fit(cls, values: pl.Series, top: int = TOP_CATEGORIES) -> CategoricalProfile:
        text = _texts(values)
        # Ties in frequency are broken by value, so the same data always gives the same bins.
        counts = (
            text.drop_nulls().value_counts(name="n").sort(["n", "value"], descending=[True, False])
        )
        categories = tuple(counts["value"].head(top).to_list())
        return cls(categories=categories, proportions=_categorical_shares(categories, text))

    def shares(self, values: pl.Series) -> tuple[float, ...]:
        """The share of `values` in each of this profile's bins: categories, other, missing."""
        return _categorical_shares(self.categories, _texts(values))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "categorical",
            "categories": list(self.categories),
            "proportions": list(self.proportions),
        }


Profile = NumericProfile | CategoricalProfile


def profile_from_dict(stored: dict[str, Any]) -> Profile:
    if stored["kind"] == "numeric":
        return NumericProfile(tuple(stored["edges"]), tuple(stored["proportions"]))
    if stored["kind"] == "categorical":
        return CategoricalProfile(tuple(stored["categories"]), tuple(stored["proportions"]))
    raise ValueError(f"unknown profile kind {stored['kind']!r}")


def _numbers(values: pl.Series) -> np.ndarray:
    """The values as floats, missing (null or NaN) as NaN."""
    return values.cast(pl.Float64).fill_null(np.nan).to_numpy()


def _texts(values: pl.Series) -> pl.Series:
    return values.cast(pl.String).alias("value")


def _numeric_shares(edges: tuple[float, ...], numbers: np.ndarray) -> tuple[float, ...]:
    missing = np.isnan(numbers)
    bins = np.searchsorted(np.asarray(edges), numbers[~missing], side="left")
    counts = np.bincount(bins, minlength=len(edges) + 1)
    return _shares(np.append(counts, missing.sum()))


def _categorical_shares(categories: tuple[str, ...], text: pl.Series) -> tuple[float, ...]:
    present = text.drop_nulls()
    known = present.filter(present.is_in(pl.Series(categories, dtype=pl.String).implode()))
    per_category = dict(known.value_counts(name="n").iter_rows())
    counts = [per_category.get(c, 0) for c in categories]
    counts += [present.len() - known.len(), text.null_count()]
    return _shares(np.asarray(counts))
