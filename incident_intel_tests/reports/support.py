"""A breach model's summary, as its asset returns it, holding only what the reports read."""

from typing import Any

CONFUSIONS = {
    "max_f1": {"tp": 60, "fp": 40, "fn": 40, "tn": 860},
    "recall_at_least": {"tp": 80, "fp": 160, "fn": 20, "tn": 740},
    "top_fraction": {"tp": 9, "fp": 1, "fn": 91, "tn": 899},
}
THRESHOLDS = {"max_f1": 0.41, "recall_at_least": 0.2, "top_fraction": 0.9}


def breach_summary(days: float = 5.0) -> dict[str, Any]:
    """1,000 test incidents, 100 of them breached, opened over `days` days."""
    return {
        "version": "abc123",
        "settings": {"sla_breach": {"recall_target": 0.8, "alert_fraction": 0.01}},
        "metrics": {
            "test_window": {
                "first_opened": "2026-01-20 00:00:00",
                "last_opened": "2026-01-25 00:00:00",
                "days": days,
            },
            "thresholds": {
                rule: {"rule": rule, "threshold": THRESHOLDS[rule], "confusion": confusion}
                for rule, confusion in CONFUSIONS.items()
            },
        },
    }
