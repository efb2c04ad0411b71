"""Groups, locations, contact types and close codes of the synthetic instance, and sys_ids.

The catalogue is fixed (independent of the simulator seed) so that reference sys_ids and display
names stay stable across runs and seeds, as they would on a real instance.
"""

from __future__ import annotations

from incident_intel.silver.extract import stable_id

GROUPS = (
    "Service Desk",
    "Network Operations",
    "Database Administration",
    "Windows Server Team",
    "Linux Server Team",
    "Identity & Access",
    "Email & Collaboration",
    "End User Computing",
    "ERP Application Support",
    "CRM Application Support",
    "Security Operations",
    "Storage & Backup",
)
SERVICE_DESK = GROUPS.index("Service Desk")

CONTACT_TYPES = ("phone", "email", "self-service", "walk-in", "monitoring")
CONTACT_WEIGHTS = (0.25, 0.25, 0.3, 0.05, 0.15)

LOCATIONS = (
    "London HQ",
    "Manchester Office",
    "New York Office",
    "Chicago Office",
    "Dallas Data Centre",
    "Frankfurt Office",
    "Paris Office",
    "Madrid Office",
    "Singapore Office",
    "Sydney Office",
    "Toronto Office",
    "Bangalore Office",
    "Remote",
)

CLOSE_CODES = (
    "Solved (Permanently)",
    "Solved (Workaround)",
    "Solved Remotely (Permanently)",
    "Not Solved (Not Reproducible)",
    "Not Solved (Too Costly)",
    "Closed/Resolved by Caller",
)
CLOSE_CODE_WEIGHTS = (0.55, 0.2, 0.1, 0.07, 0.02, 0.06)


def group_sys_id(name: str) -> str:
    return stable_id("sys_user_group", name)


def location_sys_id(name: str) -> str:
    return stable_id("cmn_location", name)


def ci_sys_id(name: str) -> str:
    return stable_id("cmdb_ci", name)
