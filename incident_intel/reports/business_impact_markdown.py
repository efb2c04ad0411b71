"""The business impact report in markdown: its assumptions first, then the figures they make."""

from __future__ import annotations

from incident_intel.reports import markdown
from incident_intel.reports.business_impact import BusinessImpact, StrategyImpact

# Each figure of an Impact and its row label; money figures are labelled with the currency.
FIGURES = (
    ("alerts", "alerts"),
    ("breaches_caught", "true breaches alerted on"),
    ("breaches_prevented", "breaches prevented"),
    ("review_hours", "review hours"),
    ("review_cost", "review cost"),
    ("breach_cost_avoided", "breach cost avoided"),
    ("net_benefit", "net benefit"),
)
MONEY = {"review_cost", "breach_cost_avoided", "net_benefit"}


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def _figure(name: str, value: float) -> str:
    # Counts in the test window are whole; scaled to a period they are not.
    whole = name in MONEY or float(value).is_integer()
    return f"{value:,.0f}" if whole else f"{value:,.1f}"


def _break_even(effect: float | None) -> str:
    if effect is None:
        return "none"
    if effect > 1:
        return f"{_percent(effect)}, out of reach"
    return _percent(effect)


def _label(name: str, label: str, currency: str) -> str:
    return f"{label} ({currency})" if name in MONEY else label


def _threshold(s: StrategyImpact) -> str:
    return "—" if s.strategy.threshold is None else f"{s.strategy.threshold:.3f}"


def _comparison(report: BusinessImpact) -> str:
    currency, days = report.settings.currency, report.settings.period_days
    rows = [
        [
            s.strategy.description,
            _threshold(s),
            _figure("alerts", s.per_period.alerts),
            _figure("breaches_prevented", s.per_period.breaches_prevented),
            _figure("review_hours", s.per_period.review_hours),
            _figure("net_benefit", s.per_period.net_benefit),
            _break_even(s.break_even_effect),
        ]
        for s in report.strategies
    ]
    return f"## Per {days} days, side by side\n\n" + markdown.table(
        [
            "strategy",
            "threshold",
            "alerts",
            "breaches prevented",
            "review hours",
            f"net benefit ({currency})",
            "break-even effect",
        ],
        rows,
    )


def _break_even_sentence(s: StrategyImpact) -> str:
    effect = s.break_even_effect
    if effect is None:
        return (
            "The intervention effect does not enter the net benefit: no breach is alerted on, "
            "or a breach costs nothing."
        )
    if effect > 1:
        return (
            f"Break-even at an intervention effect of {_percent(effect)}: even preventing every "
            "alerted breach would not pay for reviewing the alerts."
        )
    return (
        f"Break-even at an intervention effect of {_percent(effect)}: above it, the breaches "
        "prevented pay for reviewing the alerts."
    )


def _strategy_section(s: StrategyImpact, report: BusinessImpact) -> str:
    window, days = report.window, report.settings.period_days
    confusion = s.strategy.confusion

    def row(name: str, label: str) -> list[str]:
        return [
            _label(name, label, report.settings.currency),
            _figure(name, getattr(s.in_test_window, name)),
            _figure(name, getattr(s.per_period, name)),
        ]

    return "\n\n".join(
        [
            f"## {s.strategy.description}",
            f"On test: {confusion.tp:,} true and {confusion.fp:,} false alerts, "
            f"{confusion.fn:,} breaches not alerted on"
            + ("." if s.strategy.threshold is None else f" (threshold {_threshold(s)})."),
            markdown.table(
                ["figure", f"test window ({window.days:.2f} days)", f"per {days} days"],
                [row(name, label) for name, label in FIGURES],
            ),
            _break_even_sentence(s),
        ]
    )


def markdown_report(report: BusinessImpact) -> str:
    assumptions = "\n".join(f"- {sentence}" for sentence in report.assumptions)
    sections = [
        "# Business impact of SLA-breach alerts",
        "## Assumptions",
        assumptions,
        _comparison(report),
        *(_strategy_section(s, report) for s in report.strategies),
    ]
    return "\n\n".join(sections) + "\n"
