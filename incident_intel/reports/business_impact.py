"""The business impact of breach alerts: what each alert threshold would let a team prevent, at
what cost in review time, beside alerting on nothing and alerting on everything.

Every figure rests on assumptions set under `business_impact:` in the config. `assumptions`
words each of them with its value, so that the report states them beside the figures they make.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from incident_intel.settings import BusinessImpactSettings

NO_MODEL = "no_model"
ALERT_ON_EVERYTHING = "alert_on_everything"


@dataclass(frozen=True)
class Confusion:
    """Test incidents by whether they were alerted on (tp, fp) and breached (tp, fn)."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def alerts(self) -> int:
        return self.tp + self.fp

    @property
    def breaches(self) -> int:
        return self.tp + self.fn

    @property
    def incidents(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


@dataclass(frozen=True)
class Strategy:
    """A way of choosing the incidents to alert on, and what it alerted on in the test window."""

    name: str
    description: str
    threshold: float | None
    confusion: Confusion

    @property
    def is_reference(self) -> bool:
        return self.name in (NO_MODEL, ALERT_ON_EVERYTHING)


@dataclass(frozen=True)
class EvaluationWindow:
    """When the test incidents were opened, and the days between the first and the last."""

    first_opened: str
    last_opened: str
    days: float


@dataclass(frozen=True)
class Impact:
    """What acting on a strategy's alerts costs and saves over a stretch of time."""

    alerts: float
    breaches_caught: float
    breaches_prevented: float
    review_hours: float
    review_cost: float
    breach_cost_avoided: float
    net_benefit: float

    def scaled(self, factor: float) -> Impact:
        return Impact(**{name: value * factor for name, value in asdict(self).items()})


@dataclass(frozen=True)
class StrategyImpact:
    strategy: Strategy
    in_test_window: Impact
    per_period: Impact
    break_even_effect: float | None


@dataclass(frozen=True)
class BusinessImpact:
    model_version: str
    window: EvaluationWindow
    settings: BusinessImpactSettings
    assumptions: list[str]
    strategies: list[StrategyImpact]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "test_window": asdict(self.window),
            "settings": self.settings.model_dump(),
            "assumptions": self.assumptions,
            "strategies": [
                {
                    **asdict(s.strategy),
                    "test_window": asdict(s.in_test_window),
                    "per_period": asdict(s.per_period),
                    "break_even_effect": s.break_even_effect,
                }
                for s in self.strategies
            ],
        }


def impact(confusion: Confusion, settings: BusinessImpactSettings) -> Impact:
    """Every alert is reviewed; `intervention_effect` of the alerted breaches are prevented."""
    prevented = confusion.tp * settings.intervention_effect
    review_hours = confusion.alerts * settings.review_minutes / 60
    review_cost = review_hours * settings.engineer_hour_cost
    avoided = prevented * settings.breach_cost
    return Impact(
        alerts=confusion.alerts,
        breaches_caught=confusion.tp,
        breaches_prevented=prevented,
        review_hours=review_hours,
        review_cost=review_cost,
        breach_cost_avoided=avoided,
        net_benefit=avoided - review_cost,
    )


def break_even_effect(confusion: Confusion, settings: BusinessImpactSettings) -> float | None:
    """The intervention effect at which the breach cost avoided pays exactly for the reviews.

    None where no effect does: the strategy catches no breach, or breaches cost nothing. Above 1,
    even preventing every alerted breach does not pay for reviewing the alerts.
    """
    saved_at_full_effect = confusion.tp * settings.breach_cost
    if saved_at_full_effect == 0:
        return None
    return impact(confusion, settings).review_cost / saved_at_full_effect


def reference_strategies(test: Confusion) -> tuple[Strategy, Strategy]:
    """Alerting on no incident and on every incident of the same test split."""
    breaches, others = test.breaches, test.incidents - test.breaches
    return (
        Strategy(NO_MODEL, "No model: alert on nothing", None, Confusion(0, 0, breaches, others)),
        Strategy(
            ALERT_ON_EVERYTHING, "Alert on every incident", None, Confusion(breaches, others, 0, 0)
        ),
    )


def assumptions(
    settings: BusinessImpactSettings,
    model_version: str,
    window: EvaluationWindow,
    test: Confusion,
) -> list[str]:
    """Each assumption behind the figures, as a sentence naming its value and its config key."""
    s, currency = settings, settings.currency
    per_alert = s.review_minutes / 60 * s.engineer_hour_cost
    return [
        f"An intervention prevents {s.intervention_effect * 100:g} % of the true breaches it is "
        "alerted to (`business_impact.intervention_effect`); a breach not alerted on is never "
        "prevented.",
        f"Reviewing one alert, true or false, takes an engineer {s.review_minutes:g} minutes "
        f"(`business_impact.review_minutes`) at {s.engineer_hour_cost:,g} {currency} an hour "
        f"(`business_impact.engineer_hour_cost`): {per_alert:,.2f} {currency} per alert.",
        f"One SLA breach costs {s.breach_cost:,g} {currency} (`business_impact.breach_cost`); "
        "a prevented breach saves all of it, and the intervention costs nothing beyond the review.",
        "The net benefit is the breach cost avoided less the review cost, against alerting on "
        "nothing. Costs not set here (tooling, the intervention's own work, alert fatigue) are "
        "left out.",
        f"The counts are the breach model's (`ml/sla_breach_model` version `{model_version}`) on "
        f"its test split: {test.incidents:,} incidents with a known outcome (one still open and "
        f"within its SLA has none), opened from {window.first_opened} to {window.last_opened} "
        f"({window.days:.2f} days), of which {test.breaches:,} breached. The thresholds were "
        "tuned on the validation split, never on these incidents.",
        f"Figures per {s.period_days} days (`business_impact.period_days`) are the test "
        f"window's times {s.period_days}/{window.days:.2f}: incidents are assumed to arrive, and "
        "to breach, as they did in the test window.",
    ]


def _shared_test_split(strategies: list[Strategy]) -> Confusion:
    """The first strategy's confusion, once every strategy is seen to count the same incidents."""
    first = strategies[0]
    for other in strategies[1:]:
        totals = (other.confusion.incidents, other.confusion.breaches)
        if totals != (first.confusion.incidents, first.confusion.breaches):
            raise ValueError(
                f"{other.name} counts {other.confusion} and {first.name} {first.confusion}: "
                "every strategy must count the same test incidents"
            )
    return first.confusion


def business_impact(
    strategies: list[Strategy],
    window: EvaluationWindow,
    settings: BusinessImpactSettings,
    model_version: str,
) -> BusinessImpact:
    """Each strategy's impact in the test window and per period, between the two references."""
    if window.days <= 0:
        raise ValueError(
            f"the test incidents were all opened at {window.first_opened}: a window of no time "
            f"cannot be scaled to {settings.period_days} days"
        )
    test = _shared_test_split(strategies)
    no_model, everything = reference_strategies(test)
    per_period = settings.period_days / window.days
    impacts = []
    for strategy in [no_model, *strategies, everything]:
        in_test_window = impact(strategy.confusion, settings)
        impacts.append(
            StrategyImpact(
                strategy,
                in_test_window,
                in_test_window.scaled(per_period),
                break_even_effect(strategy.confusion, settings),
            )
        )
    return BusinessImpact(
        model_version, window, settings, assumptions(settings, model_version, window, test), impacts
    )


def breach_model_strategies(breach_summary: dict[str, Any]) -> list[Strategy]:
    """The breach model's three valid-tuned thresholds, with their confusion on test."""
    own = breach_summary["settings"]["sla_breach"]
    descriptions = {
        "max_f1": "Alert at the highest F1 (threshold tuned on valid)",
        "recall_at_least": f"Alert at recall {own['recall_target']:g} (threshold tuned on valid)",
        "top_fraction": f"Alert on the riskiest {own['alert_fraction'] * 100:g} % "
        "(threshold tuned on valid)",
    }
    return [
        Strategy(rule, descriptions[rule], t["threshold"], Confusion(**t["confusion"]))
        for rule, t in breach_summary["metrics"]["thresholds"].items()
    ]


def breach_model_impact(
    breach_summary: dict[str, Any], settings: BusinessImpactSettings
) -> BusinessImpact:
    """The business impact of the breach model whose summary (the model asset's output) is given."""
    window = breach_summary["metrics"].get("test_window")
    if window is None:
        raise ValueError(
            f"the breach model version {breach_summary['version']} records no test window, so "
            "its figures cannot be scaled to a period: materialise ml/sla_breach_model again"
        )
    return business_impact(
        breach_model_strategies(breach_summary),
        EvaluationWindow(**window),
        settings,
        breach_summary["version"],
    )


def headline_figures(report: BusinessImpact) -> dict[str, float]:
    """Per model strategy, the figures per period worth plotting across runs."""
    period = f"per_{report.settings.period_days}_days"
    figures = {}
    for s in (s for s in report.strategies if not s.strategy.is_reference):
        name = s.strategy.name
        figures[f"net_benefit_{period}_at_{name}"] = s.per_period.net_benefit
        figures[f"breaches_prevented_{period}_at_{name}"] = s.per_period.breaches_prevented
        if s.break_even_effect is not None:
            figures[f"break_even_effect_at_{name}"] = s.break_even_effect
    return figures
