import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.breach.baselines import (
    DefaultCatBoostBaseline,
    LogisticBaseline,
    PriorityRateBaseline,
)
from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.ml.breach.metrics import pr_auc
from incident_intel_tests.ml.support import make_incidents

CATS = ["priority", "assignment_group"]


@pytest.fixture(scope="module")
def data():
    return make_incidents(1200, seed=1), make_incidents(400, seed=2), make_incidents(400, seed=3)


def _model(**params) -> SlaBreachClassifier:
    return SlaBreachClassifier(cat_features=CATS, iterations=200, learning_rate=0.1, **params)


@pytest.fixture(scope="module")
def fitted(data) -> SlaBreachClassifier:
    (X, y, _), (Xv, yv, _), _ = data
    return _model().fit(X, y, Xv, yv)


def test_predict_proba_shape_and_range(fitted, data) -> None:
    X_test = data[2][0]
    proba = fitted.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert fitted.best_iteration_ >= 0


def test_same_seed_same_model(fitted, data) -> None:
    (X, y, _), (Xv, yv, _), (Xt, _, _) = data
    again = _model().fit(X, y, Xv, yv)
    assert np.array_equal(again.predict_proba(Xt), fitted.predict_proba(Xt))


def test_columns_are_matched_by_name(fitted, data) -> None:
    X_test = data[2][0]
    shuffled = X_test[list(reversed(X_test.columns))]
    assert np.array_equal(fitted.predict_proba(shuffled), fitted.predict_proba(X_test))
    with pytest.raises(ValueError, match="missing feature"):
        fitted.predict_proba(X_test.drop(columns="priority"))


def test_platt_keeps_ranking_and_beats_baseline(fitted, data) -> None:
    (X, y, _), _, (Xt, yt, _) = data
    raw, calibrated = fitted.raw_score(Xt), fitted.predict_proba(Xt)[:, 1]
    assert np.array_equal(np.argsort(raw, kind="stable"), np.argsort(calibrated, kind="stable"))
    baseline = PriorityRateBaseline().fit(X, y)
    assert pr_auc(yt, calibrated) > pr_auc(yt, baseline.predict_proba(Xt)[:, 1])


def test_isotonic_option(data) -> None:
    (X, y, _), (Xv, yv, _), (Xt, _, _) = data
    proba = _model(calibration="isotonic").fit(X, y, Xv, yv).predict_proba(Xt)
    assert proba.shape == (len(Xt), 2)
    with pytest.raises(ValueError):
        SlaBreachClassifier(calibration="beta")


def test_valid_needs_both_classes(data) -> None:
    (X, y, _), (Xv, _, _), _ = data
    with pytest.raises(ValueError, match="both classes"):
        _model().fit(X, y, Xv, np.zeros(len(Xv), dtype=int))


def test_without_durations_the_blend_leaves_the_duration_model_out(fitted) -> None:
    assert fitted.duration_ is None
    assert fitted.blend_["duration"] == 0.0
    assert all(key.endswith("/0") for key in fitted.valid_auc_by_blend_)


@pytest.fixture(scope="module")
def with_durations(data) -> SlaBreachClassifier:
    (X, y, hours), (Xv, yv, hours_valid), _ = data
    hours = hours.copy()
    hours[::10] = np.nan  # unresolved incidents train no duration
    return _model().fit(X, y, Xv, yv, hours_train=hours, hours_valid=hours_valid)


def test_durations_add_a_duration_model_to_the_blend(with_durations, data) -> None:
    Xt = data[2][0]
    model = with_durations
    assert model.duration_ is not None
    assert model.blend_ in model.blends
    assert len(model.valid_auc_by_blend_) == len(model.blends)
    assert model.duration_half_life_ in model.half_lives
    proba = model.predict_proba(Xt)[:, 1]
    assert ((proba > 0) & (proba < 1)).all()


@pytest.mark.parametrize("which", ["without", "with"])
def test_explanations_add_up_to_the_blended_score(which, fitted, with_durations, data) -> None:
    model = fitted if which == "without" else with_durations
    Xt = data[2][0].head(50)
    phi, expected = model.shap_values(Xt)
    assert phi.shape == (50, len(model.feature_names_))
    np.testing.assert_allclose(phi.sum(axis=1) + expected, model.raw_score(Xt), atol=1e-6)


def test_too_few_durations_leave_the_duration_model_out(data) -> None:
    (X, y, hours), (Xv, yv, hours_valid), _ = data
    few = np.full(len(hours_valid), np.nan)
    few[:10] = hours_valid[:10]
    model = _model(half_lives=[None]).fit(X, y, Xv, yv, hours_train=hours, hours_valid=few)
    assert model.duration_ is None


def test_blends_are_checked() -> None:
    with pytest.raises(ValueError, match="summing to 1"):
        SlaBreachClassifier(blends=[{"catboost": 0.5, "linear": 0.25, "duration": 0.0}])
    with pytest.raises(ValueError, match="summing to 1"):
        SlaBreachClassifier(blends=[{"catboost": 1.0}])


def test_a_model_saved_before_the_duration_model_still_scores(fitted, data) -> None:
    Xt = data[2][0]
    share = fitted.blend_["catboost"]
    assert fitted.blend_["linear"] == pytest.approx(1.0 - share)
    state = {
        k: v
        for k, v in fitted.__dict__.items()
        if k not in ("blend_", "blends", "valid_auc_by_blend_", "duration_")
    }
    state |= {
        "catboost_share_": share,
        "catboost_shares": [share],
        "valid_auc_by_catboost_share_": {},
    }
    old = SlaBreachClassifier.__new__(SlaBreachClassifier)
    old.__setstate__(state)
    np.testing.assert_array_equal(old.predict_proba(Xt), fitted.predict_proba(Xt))


def test_priority_rate_baseline() -> None:
    X = pd.DataFrame({"priority": ["1", "1", "2", "2", "2", "3"]})
    baseline = PriorityRateBaseline().fit(X, [1, 1, 0, 0, 1, 0])
    proba = baseline.predict_proba(pd.DataFrame({"priority": ["1", "2", "9", None]}))
    assert proba.shape == (4, 2)
    assert proba[:, 1] == pytest.approx([1.0, 1 / 3, 0.5, 0.5])


def test_logistic_baseline(data) -> None:
    (X, y, _), _, (Xt, yt, _) = data
    proba = LogisticBaseline(cat_features=CATS).fit(X, y).predict_proba(Xt)
    assert proba.shape == (len(Xt), 2)
    assert pr_auc(yt, proba[:, 1]) > yt.mean()


def test_logistic_baseline_numeric_only(data) -> None:
    (X, y, _), _, (Xt, _, _) = data
    numeric = ["reassignment_count", "group_backlog"]
    proba = LogisticBaseline().fit(X[numeric], y).predict_proba(Xt[numeric])
    assert proba.shape == (len(Xt), 2)


def test_default_catboost_baseline() -> None:
    (X, y, _), (Xt, yt, _) = make_incidents(300, seed=7), make_incidents(200, seed=8)
    baseline = DefaultCatBoostBaseline(cat_features=CATS, seed=3).fit(X, y)
    assert baseline.model_.tree_count_ == 1000  # the library's default, no early stopping
    proba = baseline.predict_proba(Xt[list(reversed(Xt.columns))])  # columns matched by name
    assert proba.shape == (len(Xt), 2)
    assert pr_auc(yt, proba[:, 1]) > yt.mean()
