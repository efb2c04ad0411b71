"""Priority as a triage target: proposed from the caller's words, never from impact and urgency."""

import numpy as np
import polars as pl
import pytest

from incident_intel.ml.triage.training import known_fields, train_triage
from incident_intel.settings import ModelSettings

WORDS = {
    "2": ["the whole team is affected", "production is down", "blocking everyone"],
    "3": ["slowing me down", "a few of us affected", "can work around it"],
    "4": ["not urgent", "no rush", "whenever someone has time"],
}


def _features(n: int, seed: int) -> pl.DataFrame:
    """Incidents whose priority shows in their text and, exactly, in impact and urgency."""
    rng = np.random.default_rng(seed)
    priority = rng.choice(list(WORDS), size=n, p=[0.2, 0.5, 0.3])
    # A caller's words match the priority four times in five.
    said = np.where(rng.random(n) < 0.8, priority, rng.choice(list(WORDS), size=n))
    text = [f"printer {rng.choice(WORDS[p])} since monday" for p in said]
    split = np.select(
        [np.arange(n) < 0.7 * n, np.arange(n) < 0.85 * n], ["train", "valid"], default="test"
    )
    return pl.DataFrame(
        {
            "sys_id": [f"s{i}" for i in range(n)],
            "number": [f"INC{i:07d}" for i in range(n)],
            "short_description": text,
            "description": [""] * n,
            "priority": priority,
            "impact": priority,
            "urgency": priority,
            "category": rng.choice(["hardware", "software"], size=n),
            "subcategory": rng.choice(["printer", "laptop"], size=n),
            "contact_type": rng.choice(["phone", "email"], size=n),
            "location": rng.choice(["Lisbon", "Porto"], size=n),
            "cmdb_ci": [None] * n,
            "final_category": ["hardware"] * n,
            "final_assignment_group": ["Service Desk"] * n,
            "split": split,
        }
    )


def test_impact_and_urgency_are_hidden_from_the_priority_model() -> None:
    fields = known_fields("priority")
    assert {"priority", "impact", "urgency"}.isdisjoint(fields)
    assert "category" in fields


@pytest.fixture(scope="module")
def trained():
    settings = ModelSettings(triage={"targets": ["priority"], "min_class_count": 5})
    return train_triage(_features(900, seed=3), None, "priority", settings)


def test_priority_is_learnt_from_the_text(trained) -> None:
    model = trained.metrics["model"]
    assert trained.target == "priority"
    assert trained.metrics["classes"] == 3
    # The words match four times in five; the fields say nothing about the priority.
    assert model["top1_accuracy"] > 0.7
    assert trained.metrics["baselines"]["catboost_default"]["top1_accuracy"] < 0.6
    # The gate holds it to the strongest baseline, here the one that reads the text.
    assert trained.gate.metric == "priority_top1_accuracy"
    assert trained.gate.baseline == "tfidf_linear"


def test_priority_suggestions_carry_actions(trained) -> None:
    routing = trained.metrics["model"]["routing_by_class"]
    assert {row["predicted"] for row in routing} <= set(WORDS)
    assert sum(row["predicted_n"] for row in routing) == 135
