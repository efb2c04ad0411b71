import numpy as np

from incident_intel.ml.triage.estimator import TriageClassifier
from incident_intel.ml.triage.shared import SharedParts, share_equal_parts
from incident_intel_tests.ml.triage.test_estimator import make_tickets


def _fitted(labels_from: int, seed: int = 42) -> TriageClassifier:
    """A model on the same tickets as every other, with its own labels (as triage's targets)."""
    texts, labels, embeddings, cats = make_tickets(300, 0)
    labels = np.roll(labels, labels_from)
    return TriageClassifier(cat_features=["contact_type"], seed=seed).fit(
        texts, labels, embeddings, cats
    )


def test_models_on_the_same_tickets_share_their_parts_and_predict_as_alone() -> None:
    models = [_fitted(0), _fitted(7)]
    texts, _, embeddings, cats = make_tickets(40, 5)
    alone = [m.predict_proba(texts, embeddings, cats) for m in models]

    share_equal_parts(models)
    assert models[0].word_vectorizer_ is models[1].word_vectorizer_
    assert models[0].neighbour_embeddings_ is models[1].neighbour_embeddings_
    shared = SharedParts()
    together = [m.predict_proba(texts, embeddings, cats, shared) for m in models]
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


def test_parts_are_not_shared_across_other_inputs_or_tickets() -> None:
    model, other = _fitted(0), TriageClassifier().fit(*make_tickets(300, 3)[:3])
    share_equal_parts([model, other])
    assert model.word_vectorizer_ is not other.word_vectorizer_
    texts, _, embeddings, cats = make_tickets(20, 5)
    shared = SharedParts()
    first = model.predict_proba(texts, embeddings, cats, shared)
    changed = model.predict_proba(texts[::-1], embeddings[::-1].copy(), cats[::-1], shared)
    # Equal to rounding, not bit for bit: BLAS may sum a reordered batch in another order (it
    # does on AVX-512 cores). Parts cached for the first inputs would differ in the first digit.
    np.testing.assert_allclose(changed, first[::-1], rtol=1e-5, atol=1e-9)
