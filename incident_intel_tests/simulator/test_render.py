from __future__ import annotations

import pytest

from incident_intel.simulator.canonical import columns
from incident_intel.simulator.render import api_fields, record_renderer

FIELDS = api_fields()
BASE = "http://sim.test"
GROUP_ID = "a" * 32
VERSION = {
    **dict.fromkeys(columns()),
    "sys_id": "f" * 32,
    "number": "INC0000000001",
    "state": "In Progress",
    "priority": "3",
    "impact": "2",
    "urgency": "1",
    "assignment_group": GROUP_ID,
    "assignment_group_display": "Network Operations",
    "made_sla": "true",
}
GROUP_LINK = f"{BASE}/api/now/table/sys_user_group/{GROUP_ID}"


def render(mode: str, exclude_link: bool = False, fields: list[str] | None = None, **changes):
    selected = [FIELDS[f] for f in fields] if fields else list(FIELDS.values())
    return record_renderer(selected, mode, BASE + "/", exclude_link)({**VERSION, **changes})


def test_api_field_names_follow_the_mapping():
    assert "caller_id" in FIELDS
    assert "caller" not in FIELDS
    assert set(render("false")) == set(FIELDS)


def test_display_value_false_gives_api_values_and_reference_links():
    record = render("false")
    assert record["state"] == "2"
    assert record["priority"] == "3"
    assert record["made_sla"] == "true"
    assert record["resolved_at"] == ""
    assert record["assignment_group"] == {"link": GROUP_LINK, "value": GROUP_ID}
    assert record["assigned_to"] == ""


def test_display_value_true_gives_labels():
    record = render("true")
    assert record["state"] == "In Progress"
    assert record["priority"] == "3 - Moderate"
    assert record["impact"] == "2 - Medium"
    assert record["urgency"] == "1 - High"
    assert record["assignment_group"] == {"display_value": "Network Operations", "link": GROUP_LINK}
    assert record["assigned_to"] == ""


def test_display_value_all_gives_both():
    record = render("all")
    assert record["state"] == {"display_value": "In Progress", "value": "2"}
    assert record["priority"] == {"display_value": "3 - Moderate", "value": "3"}
    assert record["number"] == {"display_value": "INC0000000001", "value": "INC0000000001"}
    assert record["assignment_group"] == {
        "display_value": "Network Operations",
        "link": GROUP_LINK,
        "value": GROUP_ID,
    }
    assert record["assigned_to"] == {"display_value": "", "value": ""}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("false", GROUP_ID),
        ("true", "Network Operations"),
        ("all", {"display_value": "Network Operations", "value": GROUP_ID}),
    ],
)
def test_exclude_reference_link_drops_links(mode, expected):
    assert render(mode, exclude_link=True)["assignment_group"] == expected


def test_unknown_choice_values_pass_through_verbatim():
    record = render("all", state="-100", priority="9")
    assert record["state"] == {"display_value": "-100", "value": "-100"}
    assert record["priority"] == {"display_value": "9", "value": "9"}


def test_fields_restrict_the_record():
    assert list(render("false", fields=["number", "state"])) == ["number", "state"]
