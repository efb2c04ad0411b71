import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.triage.actions import AUTO_ROUTE, ESCALATE, HUMAN_REVIEW
from incident_intel.ml.triage.baselines import DefaultCatBoostBaseline, TfidfLinearBaseline
from incident_intel.ml.triage.estimator import TriageClassifier
from incident_intel.ml.triage.labels import OTHER
from incident_intel.ml.triage.metrics import triage_report

VOCAB = {
    "network": "vpn wifi router switch latency packet dns firewall",
    "email": "outlook mailbox smtp exchange calendar inbox attachment spam",
    "access": "password locked account mfa login permission reset token",
    "hardware": "laptop screen keyboard battery printer dock mouse charger",
}


def make_tickets(n: int, seed: int, noise: float = 0.3, rare: int = 2):
    """Texts, labels, class-correlated fake embeddings and a field; plus `rare` odd labels."""
    rng = np.random.default_rng(seed)
    classes = list(VOCAB)
    labels = rng.choice(classes, size=n)
    centres = np.random.default_rng(99).normal(size=(len(classes), 16))
    texts, embeddings = [], []
    for label in labels:
        own = VOCAB[label].split()
        other = VOCAB[rng.choice(classes)].split()
        words = [rng.choice(own) if rng.random() > noise else rng.choice(other) for _ in range(8)]
        texts.append("user reports " + " ".join(words))
        vector = centres[classes.index(label)] + rng.normal(scale=2.0, size=16)
        embeddings.append(vector / np.linalg.norm(vector))
    labels = labels.astype(object)
    labels[:rare] = "printer-firmware"  # too rare to learn: folds into "other"
    cats = pd.DataFrame({"contact_type": rng.choice(["email", "phone", None], size=n)})
    return texts, labels, np.asarray(embeddings, dtype=np.float32), cats


@pytest.fixture(scope="module")
def splits():
    return make_tickets(400, 0), make_tickets(200, 1), make_tickets(200, 2)


@pytest.fixture(scope="module")
def model(splits) -> TriageClassifier:
    train, valid, _ = splits
    triage = TriageClassifier(cat_features=["contact_type"], min_class_count=5)
    return triage.fit(*train).calibrate(*valid)


def test_rare_classes_fold_into_other(model, splits) -> None:
    assert "printer-firmware" in model.folded_classes_
    assert OTHER in model.classes_
    assert set(model.classes_) == {*VOCAB, OTHER}
    assert list(model.fold_labels(["network", "printer-firmware", "never-seen"])) == [
        "network",
        OTHER,
        OTHER,
    ]


def test_top_k_shapes_and_order(model, splits) -> None:
    texts, _, embeddings, cats = splits[2]
    labels, confidences = model.predict_top_k(texts, embeddings, cats, k=3)
    assert labels.shape == confidences.shape == (len(texts), 3)
    assert (np.diff(confidences, axis=1) <= 0).all()
    proba = model.predict_proba(texts, embeddings, cats)
    assert proba.shape == (len(texts), len(model.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(labels[:, 0], model.predict(texts, embeddings, cats))


def test_learns_and_beats_chance(model, splits) -> None:
    texts, y, embeddings, cats = splits[2]
    labels, confidences = model.predict_top_k(texts, embeddings, cats)
    report = triage_report(model.fold_labels(y), labels, confidences)
    assert report["top1_accuracy"] > 0.8
    assert report["top3_accuracy"] >= report["top1_accuracy"]
    assert {row["label"] for row in report["per_class"]} >= set(VOCAB)


def test_embeddings_and_fields_are_required_once_fitted(model, splits) -> None:
    texts, _, embeddings, cats = splits[2]
    with pytest.raises(ValueError, match="embeddings"):
        model.predict_proba(texts, None, cats)
    with pytest.raises(ValueError, match="categorical"):
        model.predict_proba(texts, embeddings, None)


def test_decision_bands(model, splits) -> None:
    texts, y, embeddings, cats = splits[2]
    decisions = model.decide(texts, embeddings, cats)
    assert list(decisions.columns) == [
        "label_1",
        "label_2",
        "label_3",
        "confidence_1",
        "confidence_2",
        "confidence_3",
        "action",
    ]
    assert set(decisions["action"]) <= {AUTO_ROUTE, HUMAN_REVIEW, ESCALATE}
    auto = decisions["action"] == AUTO_ROUTE
    assert auto.any()
    assert (decisions.loc[auto, "label_1"] == model.fold_labels(y)[auto]).mean() >= 0.85
    for label in model.classes_:
        assert model.review_thresholds_[label] <= model.auto_thresholds_[label]


def test_actions_follow_thresholds(model) -> None:
    model_label = "network"
    auto, review = model.auto_thresholds_[model_label], model.review_thresholds_[model_label]
    assert np.isfinite(auto)
    actions = model.actions([model_label] * 3, [auto, (auto + review) / 2, review / 2])
    expected_middle = HUMAN_REVIEW if review < auto else AUTO_ROUTE
    assert list(actions) == [AUTO_ROUTE, expected_middle, ESCALATE]
    assert model.actions([OTHER], [1.0])[0] != AUTO_ROUTE


def test_decide_requires_calibration(splits) -> None:
    texts, y, *_ = splits[0]
    uncalibrated = TriageClassifier(char_ngrams=None).fit(texts, y)
    with pytest.raises(RuntimeError, match="calibrate"):
        uncalibrated.decide(texts)


def test_same_seed_same_model(splits) -> None:
    texts, y, embeddings, _ = splits[0]
    a = TriageClassifier(char_ngrams=None).fit(texts, y, embeddings)
    b = TriageClassifier(char_ngrams=None).fit(texts, y, embeddings)
    assert np.array_equal(a.predict_proba(texts, embeddings), b.predict_proba(texts, embeddings))


def test_baseline_ignores_embeddings_and_fields(splits) -> None:
    train, valid, test = splits
    baseline = TfidfLinearBaseline().fit(*train).calibrate(*valid)
    labels, _ = baseline.predict_top_k(test[0], k=3)
    assert labels.shape == (len(test[0]), 3)
    assert baseline.decide(test[0])["action"].isin([AUTO_ROUTE, HUMAN_REVIEW, ESCALATE]).all()


def _fields(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Structured fields that give the class away most of the time, and the labels."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(list(VOCAB), size=n).astype(object)
    noisy = np.where(rng.random(n) < 0.8, labels, rng.choice(list(VOCAB), size=n))
    fields = pd.DataFrame(
        {
            "subcategory": [f"{label}-{rng.integers(3)}" for label in noisy],
            "contact_type": rng.choice(["email", "phone", None], size=n),
        }
    )
    labels[:2] = "printer-firmware"  # too rare to learn: folds into "other"
    return fields, labels


def test_default_catboost_baseline_on_fields() -> None:
    (X, y), (Xt, yt) = _fields(200, 0), _fields(100, 1)
    baseline = DefaultCatBoostBaseline(min_class_count=5, seed=3).fit(X, y)
    assert baseline.model_.tree_count_ == 1000  # the library's default, no early stopping
    assert set(baseline.classes_) == {*VOCAB, OTHER}
    assert baseline.folded_classes_ == ["printer-firmware"]
    labels, confidences = baseline.predict_top_k(Xt, k=3)
    assert labels.shape == confidences.shape == (len(Xt), 3)
    assert (np.diff(confidences, axis=1) <= 0).all()
    truth = baseline.fold_labels(yt)
    assert triage_report(truth, labels, confidences)["top1_accuracy"] > 0.6


def _fields_model(X: pd.DataFrame, y, **settings) -> TriageClassifier:
    model = TriageClassifier(cat_features=list(X.columns), min_class_count=5, **settings)
    return model.fit(["ticket"] * len(X), y, cats=X)


def test_default_catboost_baseline_is_taken_from_the_triage_model_that_fitted_it() -> None:
    (X, y), (Xt, _) = _fields(200, 0), _fields(100, 1)
    model = _fields_model(X, y)
    taken = DefaultCatBoostBaseline(min_class_count=5, seed=model.seed).fit(X, y, fitted_by=model)
    fitted = DefaultCatBoostBaseline(min_class_count=5, seed=model.seed).fit(X, y)
    assert taken.model_ is model.fields_model_.model_
    assert list(taken.classes_) == list(fitted.classes_)
    assert taken.folded_classes_ == fitted.folded_classes_ == ["printer-firmware"]
    assert np.array_equal(taken.predict_proba(Xt), fitted.predict_proba(Xt))


@pytest.mark.parametrize(
    ("settings", "baseline_seed", "constant_field"),
    [
        ({"fields_iterations": 50}, 42, False),  # not the library's 1000 trees
        ({}, 7, False),  # another seed
        ({}, 42, True),  # a field constant in training, which the fields part leaves out
    ],
)
def test_default_catboost_baseline_fits_its_own_where_the_triage_models_fields_part_differs(
    settings, baseline_seed, constant_field
) -> None:
    X, y = _fields(200, 0)
    if constant_field:
        X = X.assign(channel="portal")
    model = _fields_model(X, y, **settings)
    baseline = DefaultCatBoostBaseline(min_class_count=5, seed=baseline_seed)
    baseline.fit(X, y, fitted_by=model)
    assert baseline.model_ is not model.fields_model_.model_
    assert baseline.model_.tree_count_ == 1000


def test_triage_report_bands() -> None:
    report = triage_report(
        ["a", "b", "a", "c"],
        np.array([["a", "b"], ["a", "b"], ["a", "c"], ["b", "c"]], dtype=object),
        actions=[AUTO_ROUTE, HUMAN_REVIEW, AUTO_ROUTE, ESCALATE],
    )
    assert report["top1_accuracy"] == 0.5
    assert report["top3_accuracy"] == 1.0
    assert report["coverage_at_target_precision"] == 0.5
    assert report["precision_auto_route"] == 1.0
    assert report["top_confusions"][0]["count"] == 1


def _combined_fields(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Two fields whose combination, not either alone, gives the class (as site and service
    together name a team): one weight per value cannot learn it, trees can."""
    rng = np.random.default_rng(seed)
    site, service = rng.integers(4, size=n), rng.integers(4, size=n)
    labels = np.asarray(list(VOCAB), dtype=object)[(site + service) % 4]
    fields = pd.DataFrame({"site": [f"s{v}" for v in site], "service": [f"v{v}" for v in service]})
    return fields, labels


def test_fields_model_learns_combinations_the_linear_model_cannot() -> None:
    (X, y), (Xv, yv), (Xt, yt) = (
        _combined_fields(n, seed) for n, seed in ((400, 0), (150, 1), (150, 2))
    )
    same_text = {n: ["ticket"] * n for n in (400, 150)}
    model = TriageClassifier(cat_features=list(X.columns), min_class_count=5, fields_iterations=200)
    model.fit(same_text[400], y, cats=X).calibrate(same_text[150], yv, cats=Xv)
    scores = model.valid_top1_by_fields_share_
    assert set(scores) == {"0.0", "0.25", "0.5", "0.75", "1.0"}
    assert scores[str(model.fields_share_)] == max(scores.values()) > scores["0.0"] + 0.3
    assert (model.predict(same_text[150], cats=Xt) == yt).mean() > 0.9


def test_fields_that_never_vary_leave_no_fields_model(splits) -> None:
    train, valid, _ = splits
    texts, labels, embeddings, _ = train
    constant = pd.DataFrame({"contact_type": ["email"] * len(texts)})
    model = TriageClassifier(cat_features=["contact_type"], min_class_count=5)
    model.fit(texts, labels, embeddings, constant)
    assert model.fields_model_ is None
    model.calibrate(*valid[:3], pd.DataFrame({"contact_type": ["email"] * len(valid[0])}))
    assert model.fields_share_ == 0.0
