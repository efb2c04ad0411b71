"""The users (sys_user) of the synthetic instance: callers, then the members of each group.

Drawn from a fixed seed, independent of the simulator seed, so that users' sys_ids and names
stay stable across runs and seeds, as they would on a real instance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from incident_intel.silver.extract import stable_id
from incident_intel.simulator.catalog import GROUPS, LOCATIONS

FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Priya",
    "Mark",
    "Aisha",
    "Paul",
    "Wei",
    "Steven",
    "Sofia",
    "Andrew",
    "Fatima",
    "Kenji",
    "Olga",
    "Carlos",
    "Ingrid",
    "Ahmed",
    "Chloe",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Patel",
    "Nguyen",
    "Kim",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Tanaka",
    "Kowalski",
    "Okafor",
    "Novak",
)
N_CALLERS = 1500
MEMBERS_PER_GROUP = 8
_USERS_SEED = 20260101


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    login: str
    location: int

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@cache
def people() -> tuple[Person, ...]:
    """Callers followed by the members of each group, in group order."""
    rand = random.Random(_USERS_SEED)
    needed = N_CALLERS + len(GROUPS) * MEMBERS_PER_GROUP
    pairs = rand.sample([(f, last) for f in FIRST_NAMES for last in LAST_NAMES], needed)
    logins: set[str] = set()
    result = []
    for first, last in pairs:
        login = f"{first[0]}{last}".lower()
        while login in logins:
            login = f"{first[0]}{last}{rand.randint(1, 99)}".lower()
        logins.add(login)
        result.append(Person(first, last, login, rand.randrange(len(LOCATIONS))))
    return tuple(result)


def user_sys_id(person: Person) -> str:
    return stable_id("sys_user", person.login)
