"""Short descriptions, descriptions and close notes of synthetic incidents.

Text names the subcategory's subjects and symptoms (so the right group is learnable from it),
varies through templates and synonyms, carries occasional typos and signatures, and plants
personal data from `pii` that scrubbing has to remove.
"""

from __future__ import annotations

import random

from incident_intel.simulator import pii
from incident_intel.simulator.subcategories import Subcategory
from incident_intel.simulator.users import Person

TYPO_RATE_SHORT = 0.06
TYPO_RATE_DESCRIPTION = 0.12
PII_RATE = 0.4
SECOND_PII_RATE = 0.25
SIGNATURE_RATE = 0.45

SHORT_TEMPLATES = (
    "{s} {p}",
    "{S} {p}",
    "{S} - {p}",
    "Issue with {s}: {p}",
    "{S} {p} since this morning",
    "URGENT - {s} {p}",
    "{S} {p} for the whole team",
    "Problem with {s}",
    "{S} not working",
    "{S} {p} again",
)
INQUIRY_TEMPLATES = (
    "How do I {s}?",
    "Question about {s}",
    "Need help with {s}",
    "Quick question: {s}",
    "Info needed on {s}",
)
GREETINGS = ("Hi,", "Hello team,", "Hi Service Desk,", "Good morning,", "", "Dear IT,", "Hey,")
SINCE = (
    " since this morning",
    " since yesterday",
    " after the latest update",
    " intermittently",
    " since I came back from leave",
    "",
    "",
)
TRIED = (
    "I have restarted my laptop.",
    "Already cleared the cache.",
    "Tried another browser, same result.",
    "Logged out and back in, no change.",
    "Checked the cables.",
    "A colleague has the same issue.",
    "",
)
# What a caller who will be hard to reach says: such incidents go on hold awaiting them.
HARD_TO_REACH = (
    "I am travelling this week, so replies may be slow.",
    "I am out of office from tomorrow.",
    "Please call me back after my leave.",
    "I will need to check with my manager first.",
)
# What the caller says about the impact, by the incident's priority: a service desk agent reads
# it to set the priority. Neighbouring priorities share a phrase, as callers overstate and
# understate, and some say nothing of it.
IMPACT_BY_PRIORITY = {
    1: (
        "Production is down for everyone.",
        "Customers cannot place orders.",
        "The whole site is affected.",
        "",
    ),
    2: (
        "The whole team is affected.",
        "We need this for month-end close.",
        "I have a customer demo this afternoon.",
        "The whole site is affected.",
        "",
    ),
    3: (
        "This is blocking me from working.",
        "A few of us are affected.",
        "I have a customer demo this afternoon.",
        "",
    ),
    4: (
        "This is slowing me down.",
        "I can work around it for now.",
        "A few of us are affected.",
        "",
    ),
    5: (
        "Not urgent but annoying.",
        "No rush on this one.",
        "Whenever someone has time.",
        "I can work around it for now.",
        "",
    ),
}
SIGN_OFFS = ("Thanks,", "Regards,", "Kind regards,", "Cheers,", "Many thanks,")
TITLES = ("Finance Analyst", "Sales Manager", "HR Partner", "Engineer", "Team Lead", "")
SIGNATURE_CONTACTS = ("phone_international", "phone_parenthesised", "phone_uk", "email_corp")
ALERT_SEVERITIES = ("critical", "major", "minor", "warning")


def typo(rand: random.Random, text: str) -> str:
    """Swap two adjacent letters, or drop one, in a random word of four letters or more."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rand.choice(candidates)
    word = words[i]
    j = rand.randrange(1, len(word) - 1)
    if rand.random() < 0.5:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    else:
        word = word[:j] + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def short_description(rand: random.Random, sub: Subcategory) -> str:
    subject = rand.choice(sub.subjects)
    if sub.category == "inquiry":
        text = rand.choice(INQUIRY_TEMPLATES).format(s=subject)
    else:
        text = rand.choice(SHORT_TEMPLATES).format(
            s=subject, S=_capitalised(subject), p=rand.choice(sub.problems)
        )
    return typo(rand, text) if rand.random() < TYPO_RATE_SHORT else text


def _pii_sentence(rand: random.Random, caller: Person) -> str:
    kind = rand.choice(tuple(pii.GENERATORS))
    return rand.choice(pii.SENTENCES[kind]).format(pii.GENERATORS[kind](rand, caller))


def _signature(rand: random.Random, caller: Person) -> str:
    lines = [rand.choice(SIGN_OFFS), caller.name]
    title = rand.choice(TITLES)
    if title:
        lines.append(title)
    if rand.random() < 0.6:
        lines.append(pii.GENERATORS[rand.choice(SIGNATURE_CONTACTS)](rand, caller))
    return "\n".join(lines)


def _alert(rand: random.Random, sub: Subcategory, ci: str | None, caller: Person) -> str:
    host = ci or rand.choice(sub.subjects)
    return (
        f"[{rand.choice(ALERT_SEVERITIES).upper()}] Monitoring alert: {rand.choice(sub.subjects)} "
        f"{rand.choice(sub.problems)} on {host}. Source {pii.ipv4(rand, caller)}. "
        "Auto-generated by the event management rule."
    )


def description(
    rand: random.Random,
    sub: Subcategory,
    caller: Person,
    contact_type: str,
    ci: str | None,
    priority: int,
    on_hold: bool,
) -> str:
    if contact_type == "monitoring" and sub.category != "inquiry":
        return _alert(rand, sub, ci, caller)
    subject = rand.choice(sub.subjects)
    if sub.category == "inquiry":
        problem = f"Could you tell me about {subject}?"
    else:
        problem = f"{_capitalised(subject)} {rand.choice(sub.problems)}{rand.choice(SINCE)}."
    parts = [
        rand.choice(GREETINGS),
        problem,
        rand.choice(HARD_TO_REACH if on_hold else TRIED),
        rand.choice(IMPACT_BY_PRIORITY[priority]),
    ]
    if rand.random() < PII_RATE:
        parts.append(_pii_sentence(rand, caller))
        if rand.random() < SECOND_PII_RATE:
            parts.append(_pii_sentence(rand, caller))
    body = " ".join(p for p in parts if p)
    if rand.random() < TYPO_RATE_DESCRIPTION:
        body = typo(rand, body)
    if rand.random() < SIGNATURE_RATE:
        body = f"{body}\n\n{_signature(rand, caller)}"
    return body


def close_notes(rand: random.Random, sub: Subcategory, close_code: str) -> str:
    if close_code == "Not Solved (Not Reproducible)":
        return "Could not reproduce the issue; the caller confirmed it works now."
    if close_code == "Closed/Resolved by Caller":
        return "Caller reports the issue resolved itself."
    if close_code == "Not Solved (Too Costly)":
        return "Fix not economical; workaround documented and caller informed."
    return rand.choice(sub.fixes)
