"""Reference data of the synthetic ServiceNow instance: groups, categories, CIs, people.

The catalogue is fixed (independent of the simulator seed) so that reference sys_ids and display
names stay stable across runs and seeds, as they would on a real instance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from incident_intel.silver.mapping import stable_id

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
MEMBERS_PER_GROUP = 8

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


@dataclass(frozen=True)
class Subcategory:
    category: str
    name: str
    group: str
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    cis: tuple[str, ...]
    fixes: tuple[str, ...]


def _sub(category, name, group, subjects, problems, cis, fixes) -> Subcategory:
    return Subcategory(category, name, group, subjects, problems, cis, fixes)


# The right group follows from (category, subcategory), and the text names the subcategory's
# subjects and symptoms, so a triage model can learn the group from the text.
# fmt: off
SUBCATEGORIES: tuple[Subcategory, ...] = (
    _sub("network", "vpn", "Network Operations",
         ("VPN", "GlobalProtect VPN", "remote access VPN", "VPN client"),
         ("keeps disconnecting", "cannot connect", "connects but internal sites do not load",
          "authentication fails", "is very slow when connected"),
         ("vpn-gw-01", "vpn-gw-02"),
         ("Re-provisioned the VPN profile; the user reconnected.",
          "Cleared a stuck session on the VPN gateway.")),
    _sub("network", "wireless", "Network Operations",
         ("Wi-Fi", "wireless network", "WiFi in the meeting room", "guest wifi"),
         ("drops every few minutes", "is not available on floor 3", "has a very weak signal",
          "will not authenticate"),
         ("wlc-hq-01", "ap-floor3-12"),
         ("Replaced the faulty access point.", "Adjusted channel plan on the controller.")),
    _sub("network", "dns", "Network Operations",
         ("DNS", "name resolution", "internal DNS"),
         ("is not resolving intranet sites", "returns the wrong address", "lookups time out"),
         ("dns-int-01", "dns-int-02"),
         ("Corrected the stale DNS record.", "Restarted the DNS service on the secondary.")),
    _sub("network", "lan", "Network Operations",
         ("network port", "LAN connection", "ethernet", "switch port"),
         ("has no connectivity", "shows no link light", "has intermittent packet loss",
          "is very slow"),
         ("sw-floor3-07", "sw-core-01"),
         ("Re-patched the port and enabled it on the switch.", "Replaced the patch cable.")),
    _sub("network", "firewall", "Security Operations",
         ("firewall", "firewall rule", "port on the firewall"),
         ("is blocking access to the vendor site", "needs a new rule for app traffic",
          "is dropping connections"),
         ("fw-edge-01", "fw-edge-02"),
         ("Added the approved firewall rule.", "Removed the conflicting deny rule.")),
    _sub("hardware", "laptop", "End User Computing",
         ("laptop", "notebook", "ThinkPad", "MacBook"),
         ("will not power on", "is not charging", "screen is flickering",
          "keyboard stopped working", "is running extremely slow", "is overheating"),
         ("Dell Latitude 7440", "Lenovo ThinkPad T14", "MacBook Pro 14"),
         ("Replaced the battery.", "Reimaged the laptop.", "Swapped the device for a loan unit.")),
    _sub("hardware", "desktop", "End User Computing",
         ("desktop PC", "workstation", "desktop"),
         ("shows a blue screen on boot", "has no display", "fan is very loud", "freezes randomly"),
         ("Dell OptiPlex 7010", "HP EliteDesk 800"),
         ("Replaced the failed memory module.", "Updated BIOS and graphics driver.")),
    _sub("hardware", "printer", "End User Computing",
         ("printer", "network printer", "printer on the 2nd floor", "label printer"),
         ("has a paper jam", "is not printing", "prints blank pages", "shows offline",
          "has jobs stuck in the queue"),
         ("prn-hq-2f-01", "prn-hq-3f-02", "prn-mnc-01"),
         ("Cleared the jam and replaced the fuser.", "Restarted the print spooler.")),
    _sub("hardware", "peripherals", "End User Computing",
         ("docking station", "monitor", "headset", "mouse", "webcam"),
         ("is not detected", "shows no signal", "stopped working", "is flickering"),
         ("Dell WD19 Dock", "Jabra Evolve2"),
         ("Replaced the peripheral.", "Updated the dock firmware.")),
    _sub("hardware", "storage", "Storage & Backup",
         ("SAN", "NAS share", "storage array", "file share"),
         ("has high latency", "volume is almost full", "share is not accessible", "quota exceeded"),
         ("netapp-01", "san-array-02", "fileshare-hq"),
         ("Extended the volume.", "Failed over to the partner controller.")),
    _sub("software", "windows server", "Windows Server Team",
         ("Windows server", "IIS", "Windows service", "scheduled task"),
         ("has high CPU", "service stopped", "patch failed to install", "disk is almost full",
          "rebooted unexpectedly"),
         ("win-app-03", "win-iis-01", "win-file-02"),
         ("Freed disk space and restarted the service.", "Reinstalled the failed patch.")),
    _sub("software", "linux server", "Linux Server Team",
         ("Linux server", "cron job", "RHEL host", "nginx"),
         ("filesystem is full", "has a high load average", "service is not starting",
          "ssh access denied", "hit a kernel panic"),
         ("lnx-web-01", "lnx-batch-02", "lnx-app-01"),
         ("Rotated the logs and cleaned /var.", "Restarted the service after a config fix.")),
    _sub("software", "erp", "ERP Application Support",
         ("SAP", "ERP", "SAP GUI", "purchase order approval", "invoice posting"),
         ("gives an error when posting", "transaction is very slow", "report is not generating",
          "cannot approve", "throws a short dump"),
         ("SAP ERP Production", "SAP BW"),
         ("Corrected the user's SAP role.", "Applied the SAP note and re-ran the job.")),
    _sub("software", "crm", "CRM Application Support",
         ("Salesforce", "CRM", "opportunity page", "case view", "CRM dashboard"),
         ("is not loading", "sync with Outlook is failing", "is missing records",
          "gives a permission error when saving"),
         ("Salesforce CRM",),
         ("Fixed the sharing rule.", "Re-authorised the Outlook integration.")),
    _sub("software", "office suite", "End User Computing",
         ("Excel", "Word", "Office", "OneDrive", "PowerPoint"),
         ("crashes on open", "cannot activate the licence", "files are not syncing",
          "add-in is missing"),
         ("Microsoft 365 Apps",),
         ("Repaired the Office installation.", "Reassigned the licence.")),
    _sub("software", "installation", "End User Computing",
         ("software install", "application install", "Visual Studio Code", "Adobe Reader"),
         ("is needed", "fails with error 1603", "requires a licence"),
         ("Software Center",),
         ("Installed the software via Software Center.", "Packaged and deployed the app.")),
    _sub("database", "oracle", "Database Administration",
         ("Oracle database", "Oracle DB", "ORA instance"),
         ("reports ORA-01555 snapshot too old", "tablespace is full", "listener is down",
          "has locks blocking sessions"),
         ("ora-prod-01", "ora-fin-02"),
         ("Added a datafile to the tablespace.", "Killed the blocking session.")),
    _sub("database", "sql server", "Database Administration",
         ("SQL Server", "MSSQL instance", "SQL agent job"),
         ("has deadlocks", "job failed overnight", "log file is full",
          "login failed for the service account"),
         ("sqlprd-01", "sqlprd-02"),
         ("Shrunk the log after a log backup.", "Reset the service account password.")),
    _sub("database", "postgresql", "Database Administration",
         ("PostgreSQL", "Postgres", "analytics database"),
         ("has replication lag", "connections are exhausted", "queries are slow",
          "autovacuum is not running"),
         ("pg-analytics-01", "pg-app-02"),
         ("Tuned the pool size.", "Added the missing index.")),
    _sub("database", "backup", "Storage & Backup",
         ("database backup", "nightly backup", "backup job", "restore request"),
         ("failed", "did not run", "needs a file restored", "is taking too long"),
         ("backup-srv-01", "netbackup-master"),
         ("Re-ran the backup job successfully.", "Restored the requested files.")),
    _sub("access", "password reset", "Service Desk",
         ("password", "AD password", "network password", "SAP password"),
         ("has expired", "needs a reset", "is forgotten", "reset is not working"),
         ("Active Directory",),
         ("Reset the password and confirmed login.", "Unlocked and reset the password.")),
    _sub("access", "account locked", "Identity & Access",
         ("account", "AD account", "user account"),
         ("is locked out", "is disabled", "locked after a password change"),
         ("Active Directory",),
         ("Unlocked the account and cleared cached credentials.", "Re-enabled the account.")),
    _sub("access", "permissions", "Identity & Access",
         ("access to the shared folder", "permissions", "access to the SharePoint site",
          "group membership"),
         ("is needed", "is denied", "needs additional rights"),
         ("Active Directory", "SharePoint Online"),
         ("Added the user to the approved group.", "Granted access after manager approval.")),
    _sub("access", "mfa", "Identity & Access",
         ("MFA", "Authenticator app", "two-factor", "Okta Verify"),
         ("is not receiving the push", "needs re-enrolment on a new phone", "codes are rejected"),
         ("Okta",),
         ("Reset the MFA factors.", "Re-enrolled the device.")),
    _sub("email", "outlook", "Email & Collaboration",
         ("Outlook", "Outlook client", "email client"),
         ("is not opening", "keeps asking for the password", "search is not working",
          "is stuck loading the profile"),
         ("Exchange Online",),
         ("Recreated the Outlook profile.", "Rebuilt the search index.")),
    _sub("email", "mailbox", "Email & Collaboration",
         ("mailbox", "shared mailbox", "inbox"),
         ("is full", "cannot send or receive", "needs access granted", "has missing emails"),
         ("Exchange Online",),
         ("Increased the mailbox quota.", "Granted full access to the shared mailbox.")),
    _sub("email", "distribution list", "Email & Collaboration",
         ("distribution list", "mailing list", "DL"),
         ("needs members added", "is not receiving emails", "needs to be created"),
         ("Exchange Online",),
         ("Updated the distribution list membership.", "Created the list.")),
    _sub("email", "teams", "Email & Collaboration",
         ("Teams", "Teams meeting", "Teams calls"),
         ("audio is not working", "cannot join meetings", "chat is not syncing",
          "screen sharing fails"),
         ("Microsoft Teams",),
         ("Cleared the Teams cache.", "Updated the Teams client.")),
    _sub("security", "phishing", "Security Operations",
         ("suspicious email", "phishing email", "email with a strange link"),
         ("was received", "link was clicked by mistake", "is being reported"),
         ("Exchange Online",),
         ("Purged the message tenant-wide and blocked the sender.",
          "Reset credentials after the click.")),
    _sub("security", "malware", "Security Operations",
         ("antivirus alert", "malware", "virus warning", "Defender alert"),
         ("was detected on the laptop", "popup keeps appearing", "quarantine failed"),
         ("Microsoft Defender",),
         ("Isolated and cleaned the endpoint.", "Reimaged the infected device.")),
    _sub("security", "vulnerability", "Security Operations",
         ("vulnerability scan finding", "CVE", "critical vulnerability"),
         ("needs patching on the server", "was reported by the scanner", "needs remediation"),
         ("Qualys",),
         ("Patched and rescanned; finding closed.", "Applied the vendor mitigation.")),
    _sub("security", "data leak", "Security Operations",
         ("sensitive data", "confidential file", "data exposure"),
         ("was sent to an external address", "was shared publicly", "may have leaked"),
         ("Microsoft Purview",),
         ("Revoked the sharing link and informed the DPO.", "Recalled the message.")),
    _sub("inquiry", "how to", "Service Desk",
         ("set up out of office", "connect to the printer", "share my calendar",
          "request a new laptop"),
         ("",),
         (),
         ("Sent the knowledge article.", "Walked the caller through the steps.")),
    _sub("inquiry", "general", "Service Desk",
         ("the IT policy", "the software catalogue", "my ticket status", "returning equipment"),
         ("",),
         (),
         ("Answered the question.", "Provided the requested information.")),
    _sub("inquiry", "other", "Service Desk",
         ("a new starter", "a leaver", "an office move"),
         ("",),
         (),
         ("Logged the request with the right team.", "Provided the form to the caller.")),
)
# fmt: on

CATEGORIES = tuple(dict.fromkeys(s.category for s in SUBCATEGORIES))
CATEGORY_WEIGHTS = {
    "network": 0.13,
    "hardware": 0.17,
    "software": 0.22,
    "database": 0.08,
    "access": 0.16,
    "email": 0.1,
    "security": 0.06,
    "inquiry": 0.08,
}

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
_CATALOG_SEED = 20260101


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
    rand = random.Random(_CATALOG_SEED)
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


def group_sys_id(name: str) -> str:
    return stable_id("sys_user_group", name)


def user_sys_id(person: Person) -> str:
    return stable_id("sys_user", person.login)


def location_sys_id(name: str) -> str:
    return stable_id("cmn_location", name)


def ci_sys_id(name: str) -> str:
    return stable_id("cmdb_ci", name)
