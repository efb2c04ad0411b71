import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.resolution_time.baselines import (
    DefaultCatBoostBaseline,
    MedianByPriorityBaseline,
)
from incident_intel.ml.resolution_time.estimator import ResolutionTimeRegressor, conformal_quantile
from incident_intel.ml.resolution_time.metrics import regression_report, residuals_by_group
from incident_intel_tests.ml.support import make_incidents


@pytest.fixture(scope="module")
def data():
    return make_incidents(1500, seed=4), make_incidents(600, seed=5), make_incidents(1000, seed=6)


@pytest.fixture(scope="module")
def fitted(data) -> ResolutionTimeRegressor:
    (X, _, h), (Xv, _, hv), _ = data
    model = ResolutionTimeRegressor(
        cat_features=["priority", "assignment_group"], iterations=300, learning_rate=0.1
    )
    return model.fit(X, h, Xv, hv)


def test_predict_and_interval_shapes(fitted, data) -> None:
    Xt = data[2][0]
    hours = fitted.predict(Xt)
    lo, hi = fitted.predict_interval(Xt, coverage=0.8)
    assert hours.shape == lo.shape == hi.shape == (len(Xt),)
    assert (hours >= 0).all()
    assert ((lo <= hours) & (hours <= hi)).all()


def test_conformal_interval_covers_new_data(fitted, data) -> None:
    Xt, _, ht = data[2]
    lo, hi = fitted.predict_interval(Xt, coverage=0.8)
    report = regression_report(ht, fitted.predict(Xt), lo, hi)
    assert 0.74 <= report["interval_coverage"] <= 0.88
    narrow_lo, narrow_hi = fitted.predict_interval(Xt, coverage=0.5)
    assert (narrow_hi - narrow_lo <= hi - lo).all()


def test_beats_median_by_priority(fitted, data) -> None:
    (X, _, h), _, (Xt, _, ht) = data
    baseline = MedianByPriorityBaseline().fit(X, h)
    model_mae = regression_report(ht, fitted.predict(Xt))["mae_hours"]
    assert model_mae < regression_report(ht, baseline.predict(Xt))["mae_hours"]


def test_negative_hours_rejected(data) -> None:
    (X, _, h), (Xv, _, hv), _ = data
    with pytest.raises(ValueError, match="non-negative"):
        ResolutionTimeRegressor(["priority", "assignment_group"], iterations=10).fit(X, -h, Xv, hv)


def test_text_columns_must_be_declared_categorical(data) -> None:
    (X, _, h), (Xv, _, hv), _ = data
    with pytest.raises(ValueError, match="'priority' is not numeric"):
        ResolutionTimeRegressor(iterations=10).fit(X, h, Xv, hv)


def test_conformal_quantile_is_finite_sample() -> None:
    residuals = np.arange(1, 10, dtype=float)  # n = 9
    assert conformal_quantile(residuals, 0.8) == 8.0  # ceil(10 * 0.8) = 8th smallest
    assert conformal_quantile(residuals, 0.99) == 9.0
    with pytest.raises(ValueError):
        conformal_quantile(residuals, 1.0)


def test_median_by_priority_baseline() -> None:
    X = pd.DataFrame({"priority": ["1", "1", "1", "2", "2"]})
    baseline = MedianByPriorityBaseline().fit(X, [1.0, 2.0, 3.0, 10.0, 20.0])
    new = pd.DataFrame({"priority": ["1", "2", "7"]})
    assert baseline.predict(new) == pytest.approx([2.0, 15.0, 3.0])
    lo, hi = baseline.predict_interval(new, coverage=0.8)
    assert lo == pytest.approx([1.2, 11.0, 1.4])
    assert hi == pytest.approx([2.8, 19.0, 16.0])


def test_regression_metrics() -> None:
    report = regression_report([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], lo=[0, 0, 3], hi=[2, 2, 5])
    assert report["mae_hours"] == pytest.approx(1.0)
    assert report["rmse_hours"] == pytest.approx(np.sqrt(5 / 3))
    assert report["median_ae_hours"] == 1.0
    assert report["interval_coverage"] == pytest.approx(1.0)
    grouped = residuals_by_group([1.0, 2.0, 4.0], [1.0, 3.0, 2.0], ["a", "a", "b"])
    assert grouped.set_index("group")["mean_residual_hours"].to_dict() == {"a": 0.5, "b": -2.0}


def test_default_catboost_baseline() -> None:
    (X, _, h), (Xt, _, ht) = make_incidents(300, seed=7), make_incidents(200, seed=8)
    baseline = DefaultCatBoostBaseline(["priority", "assignment_group"], seed=3).fit(X, h)
    assert baseline.model_.tree_count_ == 1000  # the library's default, no early stopping
    predicted = baseline.predict(Xt)
    assert predicted.shape == (len(Xt),) and (predicted >= 0).all()
    assert regression_report(ht, predicted)["mae_hours"] < np.abs(ht - np.median(h)).mean()
