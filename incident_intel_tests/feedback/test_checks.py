import polars as pl

from incident_intel.feedback.checks import incidents_known

NAMES = {"sys_id": pl.String, "number": pl.String}
INCIDENTS = pl.DataFrame({"sys_id": ["s1", "s2"], "number": ["INC1", "INC2"]})


def _named(*incidents: tuple[str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(incidents, schema=NAMES, orient="row")


def test_feedback_naming_known_incidents_by_either_name_passes():
    outcome = incidents_known(_named(("s1", None), (None, "INC2"), (None, "INC2")), INCIDENTS)
    assert outcome.passed and outcome.description is None
    assert outcome.metadata["naming_unknown_incidents"] == 0


def test_feedback_naming_unknown_incidents_is_counted_and_named():
    feedback = _named(("s1", None), ("s9", None), (None, "INC9"), (None, "INC9"), (None, "INC1"))
    outcome = incidents_known(feedback, INCIDENTS)
    assert not outcome.passed
    assert outcome.metadata == {
        "feedback": 5,
        "naming_unknown_incidents": 3,
        "unknown_incidents": 2,
    }
    assert outcome.description.startswith("3 of 5 feedback name 2 incident(s)")
    assert "(s9, INC9)" in outcome.description


def test_before_silver_holds_any_incident_all_feedback_is_unknown():
    outcome = incidents_known(_named(("s1", None)), pl.DataFrame(schema=NAMES))
    assert not outcome.passed and outcome.metadata["unknown_incidents"] == 1
