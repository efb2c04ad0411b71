from datetime import date

import pytest
import yaml

from incident_intel.settings import (
    DEFAULT_CONFIG_PATH,
    FeatureSettings,
    ModelSettings,
    ProjectSettings,
    SettingsError,
)


def _config(**sections) -> dict:
    """The shipped configuration with whole sections replaced."""
    return {**yaml.safe_load(DEFAULT_CONFIG_PATH.read_text()), **sections}


def test_the_shipped_config_loads_whole():
    settings = ProjectSettings.load(DEFAULT_CONFIG_PATH)
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())
    assert settings.partitions_start_date == date.fromisoformat(raw["partitions_start_date"])
    assert settings.features.horizon_minutes == raw["features"]["horizon_minutes"]
    assert settings.models.triage.targets == raw["models"]["triage"]["targets"]
    assert settings.feedback.retrain_after == raw["feedback"]["retrain_after"]
    resource = settings.resource()
    assert resource.features.model_dump() == settings.features.model_dump()
    assert resource.models.model_dump() == settings.models.model_dump()
    assert resource.feedback.model_dump() == settings.feedback.model_dump()
    assert resource.business_impact.model_dump() == settings.business_impact.model_dump()
    assert resource.drift.model_dump() == settings.drift.model_dump()


def test_defaults_fill_the_keys_a_section_leaves_out():
    settings = ProjectSettings.from_mapping(_config(features={}, models={}))
    assert settings.features == FeatureSettings()
    assert settings.models == ModelSettings()


@pytest.mark.parametrize(
    "section",
    [
        "source",
        "simulator",
        "silver",
        "features",
        "models",
        "feedback",
        "business_impact",
        "serve",
        "drift",
    ],
)
def test_a_deleted_section_is_named_not_replaced_by_defaults(section):
    config = _config()
    del config[section]
    with pytest.raises(SettingsError, match=f"{section}: required, but missing"):
        ProjectSettings.from_mapping(config)


def test_a_misspelt_key_is_refused_with_a_did_you_mean():
    with pytest.raises(SettingsError) as refused:
        ProjectSettings.from_mapping(_config(features={"horizon_minute": 30}), source="cfg.yaml")
    message = str(refused.value)
    assert message.startswith("cfg.yaml is not valid")
    assert "features.horizon_minute: unknown key; did you mean 'horizon_minutes'?" in message


def test_a_misspelt_nested_key_and_section_are_both_named():
    with pytest.raises(SettingsError) as refused:
        ProjectSettings.from_mapping(
            _config(model={"seed": 1}, features={"split": {"test_fraktion": 0.2}})
        )
    message = str(refused.value)
    assert "model: unknown key; did you mean 'models'?" in message
    assert "features.split.test_fraktion: unknown key; did you mean 'test_fraction'?" in message


def test_a_bad_value_names_its_key_and_the_value():
    with pytest.raises(SettingsError) as refused:
        ProjectSettings.from_mapping(_config(features={"horizon_minutes": "soon"}))
    message = str(refused.value)
    assert "features.horizon_minutes: 'soon' is not allowed" in message
    assert "integer" in message


@pytest.mark.parametrize(
    ("sections", "named"),
    [
        ({"partitions_start_date": "someday"}, "partitions_start_date: 'someday'"),
        ({"features": {"split": {"test_start": "2026-13-01"}}}, "features.split.test_start"),
        ({"models": {"triage": {"targets": ["urgency"]}}}, "models.triage.targets: ['urgency']"),
        ({"source": {"page_size": 0}}, "source.page_size: 0 is not allowed"),
        ({"feedback": {"retrain_after": 0}}, "feedback.retrain_after: 0 is not allowed"),
        ({"drift": {"retrain_at": "INFO"}}, "drift.retrain_at: 'INFO'"),
        ({"drift": {"warn_above": 0.3}}, "error_above 0.25 must be above warn_above 0.3"),
    ],
)
def test_other_bad_values_name_their_key(sections, named):
    with pytest.raises(SettingsError, match="is not valid") as refused:
        ProjectSettings.from_mapping(_config() | sections)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    ("key", "value", "bound"),
    [
        ("intervention_effect", 1.5, "less than or equal to 1"),
        ("intervention_effect", -0.1, "greater than or equal to 0"),
        ("review_minutes", -5, "greater than or equal to 0"),
        ("engineer_hour_cost", -60, "greater than or equal to 0"),
        ("breach_cost", -1, "greater than or equal to 0"),
        ("period_days", 0, "greater than 0"),
        ("currency", "", "at least 1 character"),
    ],
)
def test_a_business_impact_assumption_out_of_range_names_its_key_and_bound(key, value, bound):
    with pytest.raises(SettingsError, match="is not valid") as refused:
        ProjectSettings.from_mapping(_config(business_impact={key: value}))
    message = str(refused.value)
    assert f"business_impact.{key}: {value!r} is not allowed: " in message
    assert bound in message


def test_business_impact_assumptions_at_their_bounds_are_allowed():
    settings = ProjectSettings.from_mapping(
        _config(
            business_impact={
                "intervention_effect": 1,
                "review_minutes": 0,
                "engineer_hour_cost": 0,
                "breach_cost": 0,
            }
        )
    )
    assert settings.business_impact.intervention_effect == 1.0
    assert settings.business_impact.currency == "EUR"


@pytest.mark.parametrize(
    ("split", "problem"),
    [
        ({"test_start": "2016-04-01", "test_end": "2016-04-01"}, "must be after test_start"),
        ({"test_start": "2016-04-01", "test_end": "2016-03-15"}, "must be after test_start"),
        ({"test_end": "2016-04-15"}, "test_end needs test_start"),
        ({"test_start": "2016-04-01", "test_end": "2016-04-31"}, "features.split.test_end"),
    ],
)
def test_a_test_end_must_close_a_test_window_that_starts_earlier(split, problem):
    with pytest.raises(SettingsError, match="is not valid") as refused:
        ProjectSettings.from_mapping(_config(features={"split": split}))
    assert problem in str(refused.value)


def test_a_test_end_after_the_start_is_read_as_a_date():
    settings = ProjectSettings.from_mapping(
        _config(features={"split": {"test_start": "2016-04-01", "test_end": "2016-04-15"}})
    )
    assert settings.features.test_end_date == date(2016, 4, 15)
    assert ProjectSettings.load(DEFAULT_CONFIG_PATH).features.test_end_date is None


def test_a_missing_start_date_is_named():
    with pytest.raises(SettingsError, match="partitions_start_date: required, but missing"):
        ProjectSettings.from_mapping({})


def test_a_missing_file_says_which_variable_to_set(tmp_path):
    with pytest.raises(SettingsError, match="INCIDENT_INTEL_CONFIG"):
        ProjectSettings.load(tmp_path / "absent.yaml")
