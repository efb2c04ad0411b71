"""`incident-intel bench servicenow-log`: one cutoff, or a backtest over several."""

import json
from datetime import date

import pytest

from incident_intel.bench import servicenow_log_bench
from incident_intel.bench.cli import DEFAULT_TEST_DAYS
from incident_intel.bench.servicenow_log_bench import export_days
from incident_intel.cli import build_parser, main

BENCH = ["bench", "servicenow-log", "--events", "log.csv.gz"]


def _parse(*args: str):
    return build_parser().parse_args([*BENCH, *args])


def _refused(capsys, *args: str) -> str:
    with pytest.raises(SystemExit):
        _parse(*args)
    return capsys.readouterr().err


def test_cutoffs_are_read_in_order():
    args = _parse("--cutoffs", "2016-03-15, 2016-03-25,2016-04-01", "--test-days", "7")
    assert args.cutoffs == [date(2016, 3, 15), date(2016, 3, 25), date(2016, 4, 1)]
    assert (args.cutoff, args.test_days) == (None, 7)


def test_one_cutoff_tests_everything_from_it_unless_told():
    args = _parse("--cutoff", "2016-04-01")
    assert (args.cutoff, args.cutoffs, args.test_days) == (date(2016, 4, 1), None, None)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((), "one of the arguments --cutoff --cutoffs is required"),
        (("--cutoff", "2016-04-01", "--cutoffs", "2016-04-01"), "not allowed with argument"),
        (("--cutoffs", "2016-04-01,2016-03-25"), "in increasing order, each once"),
        (("--cutoffs", "2016-03-25,2016-03-25"), "in increasing order, each once"),
        (("--cutoffs", "2016-03-25,2016-02-30"), "'2016-02-30' is not a date: expected YYYY-MM-DD"),
        (("--cutoff", "1/4/2016"), "'1/4/2016' is not a date"),
        (("--cutoffs", ","), "name at least one cutoff"),
        (("--cutoffs", "2016-03-25", "--test-days", "0"), "'0' is not a whole number of days"),
        (("--cutoffs", "2016-03-25", "--test-days", "two"), "'two' is not a whole number"),
    ],
)
def test_bad_cutoffs_are_refused_with_the_reason(capsys, args, error):
    assert error in _refused(capsys, *args)


@pytest.fixture
def calls(monkeypatch) -> list[tuple]:
    """The bench's two entry points, recording what the command line handed them."""
    seen: list[tuple] = []

    def backtest(events, cutoffs, test_days, audit):
        seen.append(("backtest", cutoffs, test_days, audit))
        return {"cutoffs": []}

    def one(events, cutoff, test_days, audit):
        seen.append(("one", cutoff, test_days, audit))
        return {"cutoff": cutoff.isoformat()}

    monkeypatch.setattr(servicenow_log_bench, "run_servicenow_log_backtest", backtest)
    monkeypatch.setattr(servicenow_log_bench, "run_servicenow_log_bench", one)
    return seen


def test_cutoffs_run_the_backtest_with_the_default_window(calls, capsys):
    main([*BENCH, "--cutoffs", "2016-03-25,2016-04-01", "--no-audit"])
    assert calls == [("backtest", [date(2016, 3, 25), date(2016, 4, 1)], DEFAULT_TEST_DAYS, False)]
    assert json.loads(capsys.readouterr().out) == {"cutoffs": []}


def test_one_cutoff_runs_as_before(calls):
    main([*BENCH, "--cutoff", "2016-04-01"])
    main([*BENCH, "--cutoff", "2016-04-01", "--test-days", "14"])
    assert calls == [("one", date(2016, 4, 1), None, True), ("one", date(2016, 4, 1), 14, True)]


def test_a_cutoff_outside_the_export_is_refused_before_anything_runs(tmp_path):
    events = tmp_path / "log.csv"
    events.write_text("number,sys_updated_at\nINC1,29/2/2016 01:23\nINC1,5/4/2016 10:00\n")
    assert export_days(events, [date(2016, 3, 1), date(2016, 4, 5)]) == (
        date(2016, 2, 29),
        date(2016, 4, 5),
    )
    for outside in (date(2016, 2, 29), date(2016, 4, 6)):
        with pytest.raises(SystemExit, match=f"cutoff {outside} outside the export"):
            export_days(events, [date(2016, 3, 1), outside])
