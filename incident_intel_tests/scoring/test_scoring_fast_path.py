"""Scoring from column arrays gives what the pandas and scikit-learn route gives, on real rows.

The scorer builds its model inputs as plain arrays and calls CatBoost and the linear models
without pandas or scikit-learn's per-call checks. Each part is pinned here against the route
the models were trained and evaluated on, for incidents of the trained lake's test split
(nulls, unseen values and incidents without text included).
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from incident_intel.ml.explanations import explained_breach, explained_ttr
from incident_intel.ml.tabular import catboost_pool, prediction_pool, prepare_frame
from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.ml.triage.categoricals import categorical_columns
from incident_intel.ml.triage.logistic import logistic_proba
from incident_intel.ml.triage.training import field_strings, triage_inputs
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.scoring.scorer import IncidentScorer
from incident_intel.scoring.tabular_inputs import tabular_columns
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS

pytestmark = pytest.mark.slow
TRIAGE_TARGETS = ("category", "assignment_group", "priority")


@pytest.fixture(scope="module")
def lake(trained_lake):
    """The promoted models, and test-split rows with a few made harder: no text, a null
    field, a value no model has seen."""
    root, _ = trained_lake
    paths = LakePaths(root)
    models = PromotedModels.load(ModelStore(paths.models))
    rows = pl.read_parquet(paths.table_file(INCIDENT_FEATURES)).filter(pl.col("split") == "test")
    rows = rows.head(120).with_row_index("position")
    rows = rows.with_columns(
        pl.when(pl.col("position") % 9 == 0).then(None).otherwise(pl.col(name)).alias(name)
        for name in ("short_description", "description", "location")
    ).with_columns(
        pl.when(pl.col("position") % 11 == 0)
        .then(pl.lit("never seen"))
        .otherwise(pl.col("cmdb_ci"))
        .alias("cmdb_ci")
    )
    embeddings = pl.read_parquet(paths.table_file(INCIDENT_TEXT_EMBEDDINGS))
    embeddings = embeddings.join(
        rows.filter(pl.col("short_description").is_not_null()).select("sys_id"), on="sys_id"
    ).select("sys_id", "embedding")
    return models, rows.drop("position"), embeddings


def _frame(bundle: dict, rows: pl.DataFrame, embeddings: pl.DataFrame) -> pd.DataFrame:
    """The model inputs as the models were trained on them: a pandas frame from polars."""
    text = list(bundle["estimator"].embedding_columns)
    X = rows.select(c for c in bundle["feature_columns"] if c not in text).to_pandas()
    reduced = bundle["embedding_reducer"].transform(embedding_matrix(rows, embeddings))
    return pd.concat([X, pd.DataFrame(reduced, columns=text, index=X.index)], axis=1)


@pytest.mark.parametrize("name", ["breach", "resolution_time"])
def test_catboost_reads_the_same_inputs_from_arrays_as_from_frames(lake, name):
    models, rows, embeddings = lake
    bundle = getattr(models, name).estimator
    model = bundle["estimator"]
    frame = _frame(bundle, rows, embeddings)
    columns = tabular_columns(bundle, rows, embedding_matrix(rows, embeddings))
    assert isinstance(columns["priority"], np.ndarray)
    reference = catboost_pool(frame, model.cat_features, model.feature_names_)
    ours = model.pool(columns)
    np.testing.assert_array_equal(model.model_.predict(ours), model.model_.predict(reference))
    np.testing.assert_array_equal(
        model.model_.get_feature_importance(ours, type="ShapValues"),
        model.model_.get_feature_importance(reference, type="ShapValues"),
    )


def test_breach_linear_part_and_calibration_match_scikit_learn(lake):
    models, rows, embeddings = lake
    bundle = models.breach.estimator
    model = bundle["estimator"]
    frame = _frame(bundle, rows, embeddings)
    columns = tabular_columns(bundle, rows, embedding_matrix(rows, embeddings))
    linear = model.linear_
    design = linear.columns_.transform(
        prepare_frame(frame, linear.cat_features, linear.feature_names_)
    )
    np.testing.assert_allclose(
        linear.decision_function(columns), linear.model_.decision_function(design), atol=1e-9
    )
    raw = model.raw_score(columns)
    np.testing.assert_allclose(
        model.proba_from_raw(raw), model.calibrator_.predict_proba(raw.reshape(-1, 1))[:, 1]
    )


def test_explanations_read_arrays_as_frames(lake):
    models, rows, embeddings = lake
    matrix = embedding_matrix(rows, embeddings)
    for bundle, explain in (
        (models.breach.estimator, explained_breach),
        (models.resolution_time.estimator, explained_ttr),
    ):
        score, factors = explain(bundle["estimator"], tabular_columns(bundle, rows, matrix))
        expected_score, expected = explain(bundle["estimator"], _frame(bundle, rows, embeddings))
        np.testing.assert_allclose(score, expected_score, rtol=1e-12)
        assert [[f.text for f in row] for row in factors] == [
            [f.text for f in row] for row in expected
        ]


@pytest.mark.parametrize("target", TRIAGE_TARGETS)
def test_triage_parts_match_scikit_learn_and_catboost_on_frames(lake, target):
    models, rows, embeddings = lake
    model = models.triage.estimator[target]
    inputs = triage_inputs(rows, embeddings, target)
    ours = categorical_columns(field_strings(rows), model.cat_features)
    frame = pd.DataFrame(categorical_columns(inputs["cats"], model.cat_features), dtype=object)
    for name in model.cat_features:
        assert ours[name].tolist() == frame[name].tolist()
    features = model._features(inputs["texts"], inputs["embeddings"], ours, fit=False)
    np.testing.assert_allclose(
        logistic_proba(model.model_, features), model.model_.predict_proba(features), rtol=1e-12
    )
    fields = model.fields_model_
    if fields is not None:
        np.testing.assert_array_equal(
            fields.model_.predict_proba(prediction_pool(ours, fields.fields, fields.fields)),
            fields.model_.predict_proba(
                catboost_pool(frame[fields.fields], fields.fields, fields.fields)
            ),
        )


def test_the_scorer_gives_what_the_frame_route_gives(lake):
    models, rows, embeddings = lake
    scored = IncidentScorer(models).score(rows, embeddings)

    breach = models.breach.estimator
    risk, factors = explained_breach(breach["estimator"], _frame(breach, rows, embeddings))
    np.testing.assert_allclose(scored["breach_probability"].to_numpy(), risk, rtol=1e-12)
    assert scored["breach_factors"].to_list() == [[f.text for f in row] for row in factors]

    ttr = models.resolution_time.estimator
    centre = ttr["estimator"].predict_log(_frame(ttr, rows, embeddings))
    np.testing.assert_allclose(
        scored["ttr_hours"].to_numpy(), ttr["estimator"].hours(centre), rtol=1e-12
    )

    for target in TRIAGE_TARGETS:
        decided = models.triage.estimator[target].decide(**triage_inputs(rows, embeddings, target))
        suggestions = scored[f"{target}_suggestions"].to_list()
        assert [[s["label"] for s in row] for row in suggestions] == decided[
            ["label_1", "label_2", "label_3"]
        ].values.tolist()
        np.testing.assert_allclose(
            [[s["confidence"] for s in row] for row in suggestions],
            decided[["confidence_1", "confidence_2", "confidence_3"]].to_numpy(dtype=float),
            rtol=1e-9,
        )
        assert scored[f"{target}_action"].to_list() == decided["action"].tolist()
