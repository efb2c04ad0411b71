import json

import polars as pl
import pytest

from incident_intel.monitoring.profile import (
    CategoricalProfile,
    NumericProfile,
    profile_from_dict,
)


def test_numeric_bins_are_the_reference_deciles():
    profile = NumericProfile.fit(pl.Series("x", range(1, 101)))
    assert profile.edges == (10, 20, 30, 40, 50, 60, 70, 80, 90)
    assert profile.proportions == pytest.approx([0.1] * 10 + [0.0])


def test_missing_values_are_a_bin_of_their_own():
    values = pl.Series("x", [*range(1, 101), *[None] * 25], dtype=pl.Float64)
    profile = NumericProfile.fit(values)
    assert profile.proportions == pytest.approx([0.08] * 10 + [0.2])
    assert profile.shares(pl.Series([float("nan"), None, 5.0])) == pytest.approx(
        [1 / 3] + [0.0] * 9 + [2 / 3]
    )


def test_a_mostly_zero_count_gets_one_edge_at_zero():
    profile = NumericProfile.fit(pl.Series("n", [0] * 90 + [1] * 10))
    assert profile.edges == (0,)
    assert profile.proportions == pytest.approx([0.9, 0.1, 0.0])


@pytest.mark.parametrize(
    ("values", "shares"),
    [
        # Bins are closed on the right: 10 is in (-∞, 10], 11 in (10, 20].
        ([10, 11, 95, 1000], [0.25, 0.25] + [0.0] * 7 + [0.5, 0.0]),
        ([-5, 0, 90.5], [2 / 3] + [0.0] * 8 + [1 / 3, 0.0]),
    ],
    ids=["on-an-edge", "beyond-the-reference"],
)
def test_new_values_fall_in_the_reference_bins(values, shares):
    profile = NumericProfile.fit(pl.Series("x", range(1, 101)))
    assert profile.shares(pl.Series(values, dtype=pl.Float64)) == pytest.approx(shares)


def test_categories_keep_the_most_frequent_then_other_then_missing():
    values = pl.Series("c", ["a"] * 5 + ["b"] * 3 + ["c", "d"] + [None] * 2)
    profile = CategoricalProfile.fit(values, top=2)
    assert profile.categories == ("a", "b")
    assert profile.proportions == pytest.approx([5 / 12, 3 / 12, 2 / 12, 2 / 12])
    # A value never seen in training counts as other.
    assert profile.shares(pl.Series(["a", "z", "z", None])) == pytest.approx([0.25, 0, 0.5, 0.25])


def test_frequency_ties_are_broken_by_value():
    profile = CategoricalProfile.fit(pl.Series("c", ["b", "b", "a", "a", "c"]), top=1)
    assert profile.categories == ("a",)


def test_categories_of_any_type_are_compared_as_text():
    profile = CategoricalProfile.fit(pl.Series("priority", [1, 2, 2, 3]))
    assert profile.categories == ("2", "1", "3")
    assert profile.shares(pl.Series(["2", "2"])) == pytest.approx([1.0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    "profile",
    [
        NumericProfile.fit(pl.Series("x", [1.5, 2.0, None, 7.25])),
        CategoricalProfile.fit(pl.Series("c", ["x", "y", None])),
        NumericProfile.fit(pl.Series("x", [None, None], dtype=pl.Float64)),
    ],
    ids=["numeric", "categorical", "never-filled"],
)
def test_a_profile_survives_json(profile):
    assert profile_from_dict(json.loads(json.dumps(profile.as_dict()))) == profile
