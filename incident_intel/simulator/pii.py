"""Personal data planted in synthetic incident text, in the exact formats scrubbing must catch.

Every generator takes a `random.Random` and the person the text is about, so that a caller's
own e-mail address or login shows up in their ticket the way it does in real ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from incident_intel.simulator.users import Person

ORG_DOMAIN = "example.org"
CORP_DOMAIN = "corp-example.com"


def corp_email(rand: random.Random, person: Person) -> str:
    return f"{person.first.lower()}.{person.last.lower()}@{CORP_DOMAIN}"


def org_email(rand: random.Random, person: Person) -> str:
    return f"{person.first[0].lower()}{person.last.lower()}@{ORG_DOMAIN}"


# 555-01xx numbers and the Ofcom 020 7946 0xxx range are reserved for fiction.
def phone_international(rand: random.Random, person: Person) -> str:
    return f"+1 555-01{rand.randint(0, 9)}-{rand.randint(0, 9999):04d}"


def phone_parenthesised(rand: random.Random, person: Person) -> str:
    return f"(555) 01{rand.randint(0, 9)}-{rand.randint(0, 9999):04d}"


def phone_dotted(rand: random.Random, person: Person) -> str:
    return f"555.01{rand.randint(0, 9)}.{rand.randint(0, 9999):04d}"


def phone_uk(rand: random.Random, person: Person) -> str:
    return f"+44 20 7946 0{rand.randint(0, 999):03d}"


def phone_local(rand: random.Random, person: Person) -> str:
    return f"555-01{rand.randint(0, 99):02d}"


def ipv4(rand: random.Random, person: Person) -> str:
    return f"10.{rand.randint(0, 255)}.{rand.randint(0, 255)}.{rand.randint(1, 254)}"


def _login(rand: random.Random, person: Person) -> str:
    return f"{person.login}{rand.randint(1, 99)}"


def user_id_label(rand: random.Random, person: Person) -> str:
    return f"user id: {_login(rand, person)}"


def user_id_assignment(rand: random.Random, person: Person) -> str:
    letters = f"{person.first[0]}{person.last[0]}".upper()
    return f"userid={letters}{rand.randint(0, 99999):05d}"


def uid(rand: random.Random, person: Person) -> str:
    return f"uid: x{rand.randint(0, 999999):06d}"


def login(rand: random.Random, person: Person) -> str:
    return f"login {_login(rand, person)}"


def employee_id(rand: random.Random, person: Person) -> str:
    return f"EMP-{rand.randint(0, 999999):06d}"


Generator = Callable[[random.Random, Person], str]

GENERATORS: dict[str, Generator] = {
    "email_corp": corp_email,
    "email_org": org_email,
    "phone_international": phone_international,
    "phone_parenthesised": phone_parenthesised,
    "phone_dotted": phone_dotted,
    "phone_uk": phone_uk,
    "phone_local": phone_local,
    "ipv4": ipv4,
    "user_id_label": user_id_label,
    "user_id_assignment": user_id_assignment,
    "uid": uid,
    "login": login,
    "employee_id": employee_id,
}

# Where each kind sits naturally in a ticket; `{}` is the planted value.
SENTENCES: dict[str, tuple[str, ...]] = {
    "email_corp": ("Please reply to {}.", "cc {} on updates."),
    "email_org": ("My personal address is {} if work mail is down.", "Contact {} for details."),
    "phone_international": ("Call me on {}.", "Best number to reach me: {}."),
    "phone_parenthesised": ("You can reach me at {}.", "Mobile {}."),
    "phone_dotted": ("Phone: {}.", "Ring {} any time today."),
    "phone_uk": ("I'm in the London office, {}.", "Call {} please."),
    "phone_local": ("Extension {}.", "Desk phone {}."),
    "ipv4": ("The affected machine is {}.", "Source IP {} shows in the logs."),
    "user_id_label": ("My {} in case you need it.", "Affected account, {}."),
    "user_id_assignment": ("Account details: {}.", "Logged as {} in the portal."),
    "uid": ("Unix account {}.", "The job runs as {}."),
    "login": ("Tried {} but it fails.", "Please check {} in AD."),
    "employee_id": ("Employee number {}.", "My badge says {}."),
}


def pii_samples() -> dict[str, str]:
    """One sample of each planted format, keyed by kind (for tests of scrubbing)."""
    rand = random.Random(0)
    person = Person("John", "Doe", "jdoe", 0)
    return {kind: generate(rand, person) for kind, generate in GENERATORS.items()}
