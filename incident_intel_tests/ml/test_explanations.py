import re

import numpy as np
import pytest

from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.ml.explanations import (
    TEXT_FACTOR,
    breach_factors,
    explained_breach,
    explained_ttr,
    global_importance,
    ttr_factors,
)
from incident_intel.ml.resolution_time.estimator import ResolutionTimeRegressor
from incident_intel_tests.ml.support import make_incidents

CATS = ["priority", "assignment_group"]
EMBEDDING = [f"emb_{i}" for i in range(4)]


def with_embedding(X, seed: int):
    X = X.copy()
    rng = np.random.default_rng(seed)
    for column in EMBEDDING:
        X[column] = rng.normal(size=len(X))
    return X


@pytest.fixture(scope="module")
def data():
    (X, y, h), (Xv, yv, hv) = make_incidents(1000, 11), make_incidents(300, 12)
    return with_embedding(X, 0), y, h, with_embedding(Xv, 1), yv, hv


@pytest.fixture(scope="module")
def breach_model(data) -> SlaBreachClassifier:
    X, y, _, Xv, yv, _ = data
    model = SlaBreachClassifier(CATS, EMBEDDING, iterations=150, learning_rate=0.1)
    return model.fit(X, y, Xv, yv)


@pytest.fixture(scope="module")
def ttr_model(data) -> ResolutionTimeRegressor:
    X, _, h, Xv, _, hv = data
    model = ResolutionTimeRegressor(CATS, EMBEDDING, iterations=150, learning_rate=0.1)
    return model.fit(X, h, Xv, hv)


@pytest.mark.parametrize("which", ["breach", "ttr"])
def test_global_importance_groups_embeddings(which, breach_model, ttr_model, data) -> None:
    model = breach_model if which == "breach" else ttr_model
    importance = global_importance(model, data[3])
    assert set(importance["feature"]) == {*CATS, "reassignment_count", "group_backlog", TEXT_FACTOR}
    assert importance["mean_abs_shap"].is_monotonic_decreasing
    assert importance["feature"].iloc[0] in {"reassignment_count", "group_backlog", "priority"}


def test_breach_factors_read_as_probability_deltas(breach_model, data) -> None:
    Xv = data[3].head(20)
    factors = breach_factors(breach_model, Xv, k=3)
    assert len(factors) == 20 and all(len(row) == 3 for row in factors)
    pattern = re.compile(r"^[\w ]+( = .+)? \([+-]\d\.\d\d risk\)$")
    for row in factors:
        assert all(pattern.match(f.text) for f in row)
        assert all(abs(f.effect) <= 1 for f in row)
        effects = [abs(f.effect) for f in row]
        assert effects == sorted(effects, reverse=True)
    critical = Xv.index[Xv["priority"] == "1 - Critical"]
    if len(critical):
        first = factors[list(Xv.index).index(critical[0])]
        assert any(f.text.startswith("priority = 1 - Critical (+") for f in first)


def test_ttr_factors_in_hours(ttr_model, data) -> None:
    factors = ttr_factors(ttr_model, data[3].head(5), k=2)
    assert all(len(row) == 2 for row in factors)
    assert all(f.text.endswith(" h)") for row in factors for f in row)


def test_one_pass_gives_the_models_own_predictions(breach_model, ttr_model, data) -> None:
    X = data[3].head(20)
    risk, factors = explained_breach(breach_model, X, k=2)
    np.testing.assert_allclose(risk, breach_model.predict_proba(X)[:, 1], rtol=1e-6, atol=1e-9)
    assert [len(row) for row in factors] == [2] * 20
    centre, _ = explained_ttr(ttr_model, X)
    np.testing.assert_allclose(centre, ttr_model.predict_log(X), rtol=1e-6, atol=1e-9)
