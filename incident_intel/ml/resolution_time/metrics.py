"""Regression metrics for resolution time in hours, with interval coverage and grouped residuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import r2_score


def regression_report(y_true, y_pred, lo=None, hi=None) -> dict[str, float]:
    """MAE, RMSE, median AE and R² in hours; with an interval, its coverage and median width."""
    y = np.asarray(y_true, dtype=float)
    pred = np.asarray(y_pred, dtype=float)
    errors = np.abs(y - pred)
    report = {
        "mae_hours": float(errors.mean()),
        "rmse_hours": float(np.sqrt(((y - pred) ** 2).mean())),
        "median_ae_hours": float(np.median(errors)),
        "r2": float(r2_score(y, pred)) if len(y) > 1 else float("nan"),
        "n": len(y),
    }
    if lo is not None and hi is not None:
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        report["interval_coverage"] = float(((y >= lo) & (y <= hi)).mean())
        report["interval_median_width_hours"] = float(np.median(hi - lo))
    return report


def residuals_by_group(y_true, y_pred, groups) -> pd.DataFrame:
    """Per group: count, MAE, and mean and median residual (prediction minus truth) in hours.

    A positive mean residual means the group's times are over-predicted.
    """
    frame = pd.DataFrame(
        {
            "group": np.asarray(groups, dtype=object),
            "residual": np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float),
        }
    )
    frame["abs_residual"] = frame["residual"].abs()
    grouped = frame.groupby("group", sort=True, dropna=False)
    return pd.DataFrame(
        {
            "n": grouped.size(),
            "mae_hours": grouped["abs_residual"].mean(),
            "mean_residual_hours": grouped["residual"].mean(),
            "median_residual_hours": grouped["residual"].median(),
        }
    ).reset_index()
