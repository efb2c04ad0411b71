"""Figures across the cutoffs of a backtest: the mean and the worst of each, and a table of them.

One cutoff is one draw; the worst cutoff says how far a claim can fall on another draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

HIGHER_IS_BETTER = frozenset(
    {
        "roc_auc",
        "pr_auc",
        "f1_at_max_f1",
        "r2",
        "top1_accuracy",
        "top3_accuracy",
        "macro_f1",
        "coverage_at_target_precision",
        "silhouette",
        "category_purity",
        "group_purity",
        "advantage",
        "advantage_low",
        "advantage_high",
    }
)
LOWER_IS_BETTER = frozenset(
    {"brier", "mae_hours", "rmse_hours", "median_ae_hours", "davies_bouldin"}
)
NOMINAL_COVERAGE = "interval_coverage"
# Not model figures: the baselines' own, the history's split counts, the pass flags, and the
# breach blend's weights (chosen per cutoff; their mean is no model's).
NOT_SUMMARISED = frozenset({"baselines", "split", "gates_passed", "sla_breach_blend"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _model_figures(figures: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], float]]:
    """(path, value) of every number in a cutoff's sections, such as (sla_breach, roc_auc)."""

    def walk(
        tree: dict[str, Any], path: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], float]]:
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from walk(value, (*path, key))
            elif _is_number(value) and math.isfinite(value):
                yield (*path, key), float(value)

    sections = {k: v for k, v in figures.items() if isinstance(v, dict) and k not in NOT_SUMMARISED}
    return walk(sections, ())


def _worst(name: str, values: list[float], nominal_coverage: float) -> float | None:
    if name in HIGHER_IS_BETTER:
        return min(values)
    if name in LOWER_IS_BETTER:
        return max(values)
    if name == NOMINAL_COVERAGE:
        return max(values, key=lambda v: abs(v - nominal_coverage))
    return None  # a count or a base rate: neither better nor worse


def summarise(cutoffs: list[dict[str, Any]], nominal_coverage: float) -> dict[str, Any]:
    """For each model figure and gate advantage: its mean over the cutoffs, and its worst.

    Worst is the minimum where higher is better, the maximum for errors, and for interval
    coverage the value farthest from `nominal_coverage`. Cutoffs without a figure (training
    blocked) do not count towards it; `gates_passed` counts the cutoffs whose gate passed, and
    `gates_won_beyond_noise` those where the model beat its strongest baseline beyond noise.
    """
    values: dict[tuple[str, ...], list[float]] = {}
    for figures in cutoffs:
        for path, value in _model_figures(figures):
            values.setdefault(path, []).append(value)
    summary: dict[str, Any] = {
        "cutoffs": len(cutoffs),
        "cutoffs_trained": sum("gates_passed" in figures for figures in cutoffs),
    }
    for path, found in values.items():
        entry: dict[str, float] = {"mean": round(sum(found) / len(found), 4)}
        worst = _worst(path[-1], found, nominal_coverage)
        if worst is not None:
            entry["worst"] = round(worst, 4)
        node = summary
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = entry
    passed: dict[str, int] = {}
    for figures in cutoffs:
        for model, ok in figures.get("gates_passed", {}).items():
            passed[model] = passed.get(model, 0) + int(ok)
    summary["gates_passed"] = passed
    won: dict[str, int] = {}
    for figures in cutoffs:
        for metric, gate in figures.get("gates", {}).items():
            won[metric] = won.get(metric, 0) + int(bool(gate.get("beyond_noise")))
    summary["gates_won_beyond_noise"] = won
    return summary


HEADLINE = (
    ("breach ROC AUC", "sla_breach", "roc_auc"),
    ("breach PR AUC", "sla_breach", "pr_auc"),
    ("Brier", "sla_breach", "brier"),
    ("TTR MAE h", "resolution_time", "mae_hours"),
    ("coverage", "resolution_time", "interval_coverage"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def headline_table(backtest: dict[str, Any]) -> str:
    """The headline figures of each cutoff, then their mean and worst, as aligned text."""
    cutoffs, summary = backtest["cutoffs"], backtest["summary"]
    triage = sorted({k for figures in cutoffs for k in figures if k.startswith("triage_")})
    columns = [*HEADLINE, *((f"{k[len('triage_') :]} top-1", k, "top1_accuracy") for k in triage)]
    header = ["cutoff", "test", *(label for label, _, _ in columns), "gates passed"]
    rows = []
    for figures in cutoffs:
        passed = figures.get("gates_passed")
        gates = f"{sum(passed.values())}/{len(passed)}" if passed else figures.get("training")
        rows.append(
            [
                figures["cutoff"],
                figures["split"].get("test", 0),
                *(figures.get(section, {}).get(name) for _, section, name in columns),
                gates,
            ]
        )
    for statistic in ("mean", "worst"):
        rows.append(
            [
                statistic,
                None,
                *(
                    summary.get(section, {}).get(name, {}).get(statistic)
                    for _, section, name in columns
                ),
                None,
            ]
        )
    return text_table(header, rows)


def text_table(header: list[str], rows: list[list[Any]]) -> str:
    """Rows under a header as right-aligned text columns; floats to three places, or one."""
    cells = [header, *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    )
