import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.breach.linear import OneHotLogisticRegression


@pytest.fixture
def fitted():
    rng = np.random.default_rng(3)
    n = 400
    X = pd.DataFrame(
        {
            "group": rng.choice(["a", "b", "c", None], n),
            "priority": rng.choice(["1", "2", "3"], n),
            "backlog": np.where(rng.random(n) < 0.1, np.nan, rng.poisson(5, n)),
        }
    )
    y = (X["group"].eq("a") | (X["backlog"] > 6)).astype(int) ^ (rng.random(n) < 0.1)
    return OneHotLogisticRegression(["group", "priority"]).fit(X, y), X


def test_scores_match_the_fitted_transformer_and_regression(fitted):
    model, X = fitted
    new = X.head(50).assign(group=["z", *X["group"].head(49)])
    reference = model.model_.decision_function(model.columns_.transform(model._frame(new)))
    np.testing.assert_allclose(model.decision_function(new), reference, atol=1e-9)
    np.testing.assert_allclose(
        model.predict_proba(new)[:, 1], 1 / (1 + np.exp(-reference)), atol=1e-9
    )


def test_shap_values_add_up_to_the_log_odds_and_centre_on_training(fitted):
    model, X = fitted
    phi, expected = model.shap_values(X)
    np.testing.assert_allclose(expected + phi.sum(axis=1), model.decision_function(X))
    np.testing.assert_allclose(phi.mean(axis=0), 0.0, atol=1e-9)
