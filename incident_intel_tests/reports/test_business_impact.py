"""The business impact figures, on confusion matrices small enough to check by hand.

With the default settings an alert costs 15 minutes at 60 an hour, 15, and a breach 500.
"""

from dataclasses import asdict

import pytest

from incident_intel.reports.business_impact import (
    ALERT_ON_EVERYTHING,
    NO_MODEL,
    Confusion,
    EvaluationWindow,
    Impact,
    Strategy,
    breach_model_impact,
    break_even_effect,
    business_impact,
    headline_figures,
    impact,
)
from incident_intel.settings import BusinessImpactSettings
from incident_intel_tests.reports.support import breach_summary

DEFAULTS = BusinessImpactSettings()
FIVE_DAYS = EvaluationWindow("2026-01-20 00:00:00", "2026-01-25 00:00:00", 5.0)
MAX_F1 = Confusion(tp=60, fp=40, fn=40, tn=860)


def _assert_figures(actual: Impact, expected: Impact) -> None:
    assert asdict(actual) == pytest.approx(asdict(expected))


@pytest.mark.parametrize(
    ("confusion", "changes", "expected"),
    [
        # 100 alerts: 25 hours, 1,500 of review; 30 % of 60 caught is 18 prevented, 9,000 saved.
        (MAX_F1, {}, Impact(100, 60, 18, 25, 1500, 9000, 7500)),
        (MAX_F1, {"intervention_effect": 0}, Impact(100, 60, 0, 25, 1500, 0, -1500)),
        (MAX_F1, {"intervention_effect": 1}, Impact(100, 60, 60, 25, 1500, 30000, 28500)),
        (MAX_F1, {"review_minutes": 0}, Impact(100, 60, 18, 0, 0, 9000, 9000)),
        (MAX_F1, {"breach_cost": 0}, Impact(100, 60, 18, 25, 1500, 0, -1500)),
        # 30 minutes at 100 an hour: 50 an alert.
        (
            Confusion(tp=3, fp=1, fn=0, tn=6),
            {"review_minutes": 30, "engineer_hour_cost": 100, "breach_cost": 1000},
            Impact(4, 3, 0.9, 2, 200, 900, 700),
        ),
        (Confusion(tp=0, fp=0, fn=100, tn=900), {}, Impact(0, 0, 0, 0, 0, 0, 0)),
    ],
)
def test_impact_in_the_test_window(confusion, changes, expected):
    _assert_figures(impact(confusion, DEFAULTS.model_copy(update=changes)), expected)


@pytest.mark.parametrize(
    ("confusion", "changes", "expected"),
    [
        (MAX_F1, {}, 1500 / (60 * 500)),
        # The effect does not move the point where the effect breaks even.
        (MAX_F1, {"intervention_effect": 0}, 0.05),
        (MAX_F1, {"review_minutes": 0}, 0.0),
        # 100 alerts cost 1,500, one breach caught saves at most 500: out of reach.
        (Confusion(tp=1, fp=99, fn=99, tn=801), {}, 3.0),
        (Confusion(tp=0, fp=10, fn=100, tn=890), {}, None),
        (Confusion(tp=0, fp=0, fn=100, tn=900), {}, None),
        (MAX_F1, {"breach_cost": 0}, None),
    ],
)
def test_the_break_even_effect(confusion, changes, expected):
    effect = break_even_effect(confusion, DEFAULTS.model_copy(update=changes))
    assert effect is None if expected is None else effect == pytest.approx(expected)


def test_at_the_break_even_effect_the_net_benefit_is_zero():
    effect = break_even_effect(MAX_F1, DEFAULTS)
    at_break_even = DEFAULTS.model_copy(update={"intervention_effect": effect})
    assert impact(MAX_F1, at_break_even).net_benefit == pytest.approx(0)


def _report(changes=None, window=FIVE_DAYS, strategies=None):
    strategies = strategies or [Strategy("max_f1", "Alert at the highest F1", 0.41, MAX_F1)]
    return business_impact(strategies, window, DEFAULTS.model_copy(update=changes or {}), "v1")


def test_the_references_alert_on_nothing_and_on_everything_around_the_model():
    report = _report()
    assert [s.strategy.name for s in report.strategies] == [NO_MODEL, "max_f1", ALERT_ON_EVERYTHING]
    no_model, _, everything = report.strategies
    assert no_model.strategy.confusion == Confusion(tp=0, fp=0, fn=100, tn=900)
    assert no_model.in_test_window == Impact(0, 0, 0, 0, 0, 0, 0)
    assert everything.strategy.confusion == Confusion(tp=100, fp=900, fn=0, tn=0)
    # 1,000 alerts: 250 hours, 15,000; 30 prevented save 15,000.
    _assert_figures(everything.in_test_window, Impact(1000, 100, 30, 250, 15000, 15000, 0))
    assert everything.break_even_effect == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("period_days", "window_days", "factor"), [(30, 5.0, 6.0), (7, 14.0, 0.5), (30, 30.0, 1.0)]
)
def test_figures_per_period_scale_the_test_window(period_days, window_days, factor):
    window = EvaluationWindow("2026-01-01", "2026-01-31", window_days)
    report = _report({"period_days": period_days}, window)
    for s in report.strategies:
        _assert_figures(s.per_period, s.in_test_window.scaled(factor))
    assert report.strategies[1].per_period.breaches_prevented == pytest.approx(18 * factor)


def test_an_effect_of_zero_prevents_nothing_anywhere():
    report = _report({"intervention_effect": 0})
    for s in report.strategies:
        assert s.in_test_window.breaches_prevented == s.per_period.breaches_prevented == 0
        assert s.in_test_window.net_benefit == -s.in_test_window.review_cost


def test_the_assumptions_state_every_setting_with_its_key():
    settings = {"intervention_effect": 0.25, "review_minutes": 10, "currency": "USD"}
    text = " ".join(_report(settings).assumptions)
    for phrase in (
        "prevents 25 % of the true breaches",
        "`business_impact.intervention_effect`",
        "10 minutes (`business_impact.review_minutes`)",
        "60 USD an hour (`business_impact.engineer_hour_cost`): 10.00 USD per alert",
        "500 USD (`business_impact.breach_cost`)",
        "Figures per 30 days (`business_impact.period_days`)",
        "version `v1`",
        "1,000 incidents",
        "of which 100 breached",
        "(5.00 days)",
    ):
        assert phrase in text


def test_a_window_of_no_time_cannot_be_scaled():
    window = EvaluationWindow("2026-01-20 00:00:00", "2026-01-20 00:00:00", 0.0)
    with pytest.raises(ValueError, match="a window of no time cannot be scaled to 30 days"):
        _report(window=window)


def test_strategies_counting_different_test_incidents_are_refused():
    other = Strategy("top_fraction", "Alert on the top 1 %", 0.9, Confusion(9, 1, 91, 898))
    strategies = [Strategy("max_f1", "Alert at the highest F1", 0.41, MAX_F1), other]
    with pytest.raises(ValueError, match="every strategy must count the same test incidents"):
        _report(strategies=strategies)


def test_the_breach_models_summary_gives_its_three_thresholds_and_window():
    report = breach_model_impact(breach_summary(), DEFAULTS)
    names = [s.strategy.name for s in report.strategies]
    assert names == [NO_MODEL, "max_f1", "recall_at_least", "top_fraction", ALERT_ON_EVERYTHING]
    descriptions = " ".join(s.strategy.description for s in report.strategies)
    assert "recall 0.8" in descriptions and "riskiest 1 %" in descriptions
    assert report.model_version == "abc123" and report.window == FIVE_DAYS
    assert report.as_dict()["strategies"][1]["per_period"]["net_benefit"] == pytest.approx(45000)


def test_a_breach_summary_without_a_test_window_asks_for_the_model_again():
    summary = breach_summary()
    del summary["metrics"]["test_window"]
    with pytest.raises(ValueError, match="materialise ml/sla_breach_model again"):
        breach_model_impact(summary, DEFAULTS)


def test_the_headline_figures_are_the_model_strategies_per_period():
    figures = headline_figures(breach_model_impact(breach_summary(), DEFAULTS))
    assert set(figures) == {
        f"{figure}_at_{rule}"
        for rule in ("max_f1", "recall_at_least", "top_fraction")
        for figure in (
            "net_benefit_per_30_days",
            "breaches_prevented_per_30_days",
            "break_even_effect",
        )
    }
    # Over 5 days, 7,500 net and 18 prevented; times 6 for 30 days.
    assert figures["net_benefit_per_30_days_at_max_f1"] == pytest.approx(45000)
    assert figures["breaches_prevented_per_30_days_at_max_f1"] == pytest.approx(108)
    assert all(isinstance(v, float) for v in figures.values())
