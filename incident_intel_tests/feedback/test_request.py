import pytest
from pydantic import ValidationError

from incident_intel.feedback.request import FeedbackIn


def _errors(**fields) -> list[dict]:
    with pytest.raises(ValidationError) as refused:
        FeedbackIn(**{"feedback_id": "f-1", "sys_id": "abc", **fields})
    return refused.value.errors()


@pytest.mark.parametrize(
    ("field", "value", "typed"),
    [
        ("assignment_group", " Network ", "Network"),
        ("category", "database", "database"),
        ("sla_breached", False, False),
        ("ttr_hours", 3, 3.0),
        ("ttr_hours", 0.25, 0.25),
    ],
)
def test_each_field_takes_its_kind_of_value(field, value, typed):
    feedback = FeedbackIn(feedback_id="f-1", number="INC0001", field=field, value=value)
    assert feedback.value == typed and type(feedback.value) is type(typed)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("assignment_group", True, "assignment_group takes the name of the group"),
        ("category", "   ", "category takes the category the incident belongs to"),
        ("sla_breached", "yes", "sla_breached takes true or false, not 'yes'"),
        ("sla_breached", 1.0, "sla_breached takes true or false"),
        ("ttr_hours", -2, "ttr_hours takes the hours the incident took to resolve"),
        ("ttr_hours", 0, "a positive number"),
        ("ttr_hours", True, "ttr_hours takes"),
        ("ttr_hours", "4", "ttr_hours takes"),
        ("ttr_hours", float("inf"), "ttr_hours takes"),
    ],
)
def test_a_value_that_does_not_fit_its_field_is_refused_naming_both(field, value, said):
    [error] = _errors(field=field, value=value)
    assert error["loc"] == ("value",)
    assert said in error["msg"]


def test_an_unknown_field_names_the_fields_allowed():
    [error] = _errors(field="priority", value="1")
    assert error["loc"] == ("field",)
    assert "'assignment_group', 'category', 'sla_breached' or 'ttr_hours'" in error["msg"]


@pytest.mark.parametrize(
    "incident", [{}, {"sys_id": "abc", "number": "INC0001"}], ids=["neither", "both"]
)
def test_the_incident_is_named_by_exactly_one_of_sys_id_or_number(incident):
    with pytest.raises(ValidationError) as refused:
        FeedbackIn(feedback_id="f-1", field="category", value="network", **incident)
    [error] = refused.value.errors()
    assert "name the incident by exactly one of sys_id or number" in error["msg"]


@pytest.mark.parametrize("feedback_id", ["", "  ", "x" * 129])
def test_the_feedback_id_is_1_to_128_characters(feedback_id):
    [error] = _errors(feedback_id=feedback_id, field="category", value="network")
    assert error["loc"] == ("feedback_id",)


def test_unknown_keys_are_refused():
    [error] = _errors(field="category", value="network", label="network")
    assert error["loc"] == ("label",) and error["type"] == "extra_forbidden"


def test_json_as_the_api_receives_it():
    feedback = FeedbackIn.model_validate_json(
        '{"feedback_id": "f-9", "number": "INC0042", "field": "sla_breached", "value": true,'
        ' "author": "ana", "comment": "breached while on hold"}'
    )
    assert (feedback.number, feedback.value, feedback.author) == ("INC0042", True, "ana")
