import polars as pl
import pytest

from incident_intel.gold.scrubbing import EMAIL, IP, PHONE, USER_ID, scrub, scrub_many, scrub_series


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail first.last@corp-example.com now", f"mail {EMAIL} now"),
        ("cc jdoe@example.org.", f"cc {EMAIL}."),
        ("call +1 555-013-2245 asap", f"call {PHONE} asap"),
        ("call (555) 013-2245", f"call {PHONE}"),
        ("call 555.013.2245.", f"call {PHONE}."),
        ("desk +44 20 7946 0958 today", f"desk {PHONE} today"),
        ("ext 555-0132, thanks", f"ext {PHONE}, thanks"),
        ("phone: 555 013 2245", f"phone: {PHONE}"),
        ("+1 555-013-2245 at 10:45", f"{PHONE} at 10:45"),
        ("host 10.24.3.17 down", f"host {IP} down"),
        ("gw 192.168.0.254.", f"gw {IP}."),
        ("user id: jdoe42 locked", f"user id: {USER_ID} locked"),
        ("userid=AB12345", f"userid={USER_ID}"),
        ("uid: x123456", f"uid: {USER_ID}"),
        ("login jdoe42 fails", f"login {USER_ID} fails"),
        ("Username: jsmith", f"Username: {USER_ID}"),
        ("for EMP-004521 please", f"for {USER_ID} please"),
        (
            "jdoe@example.org (uid: x123456) on 10.24.3.17 called 555-0132",
            f"{EMAIL} (uid: {USER_ID}) on {IP} called {PHONE}",
        ),
    ],
)
def test_scrub_replaces_pii(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "INC0012345 reopened",
        "see INC0012345, PRB0040012 and CHG0301234",
        "upgrade to v2.3.1 failed",
        "after login v2.3.1 crashes",
        "build 10.0.19045.2965 installed",
        "since 2026-01-03 at 10:45",
        "on 03/01/2026 10:45:12 UTC",
        "error 0x80070005 access denied",
        "login failed after password reset",
        "user cannot login to outlook",
        "disk 95% full, 120 GB of 500 GB used",
        "retry 3 of 5 at 12:30",
        "port 8443 closed",
        "ticket count 1234567 rows",
    ],
)
def test_scrub_keeps_non_pii(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize("text", [None, ""])
def test_scrub_empty(text: str | None) -> None:
    assert scrub(text) == ""


def test_scrub_is_idempotent() -> None:
    once = scrub("user id: jdoe42 mailed jdoe@example.org from 10.0.0.1, call 555-0132")
    assert scrub(once) == once


def test_vectorised_helpers() -> None:
    texts = ["jdoe@example.org", None, "ok"]
    assert scrub_many(texts) == [EMAIL, "", "ok"]
    out = scrub_series(pl.Series("description", texts))
    assert out.name == "description"
    assert out.to_list() == [EMAIL, "", "ok"]
