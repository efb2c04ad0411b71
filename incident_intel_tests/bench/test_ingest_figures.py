from incident_intel.bench.ingest_figures import (
    history_cost_ratio,
    median_seconds,
    parse_ratio,
    per_second,
)


def test_per_second_rounds_and_survives_an_untimed_stage():
    assert per_second(1000, 0.3) == 3333
    assert per_second(1000, 0.0) == 0


def test_silver_as_fast_as_the_raw_parse_is_a_ratio_of_one():
    assert parse_ratio(99_000, 99_000) == 1.0
    assert parse_ratio(37_000, 99_000) == 0.374
    assert parse_ratio(37_000, 0) == 0.0


def test_the_median_ignores_one_slow_run():
    assert median_seconds([0.29, 0.31, 2.5, 0.30, 0.28]) == 0.3


def test_history_cost_ratio_is_the_last_size_over_the_first():
    assert history_cost_ratio({"10000": 0.29, "1000000": 0.40}) == 1.379
    assert history_cost_ratio({"10000": 0.29}) is None
