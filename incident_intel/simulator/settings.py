"""Settings of the simulator: where it listens, who may call it, and which faults it injects."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from incident_intel.settings import SimulatorSection


def _check_rate(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value}")


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"base_url must be an http(s) URL without query or fragment, got {url!r}")


def http_url(host: str, port: int) -> str:
    """The URL of a server listening on (host, port)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True)
class FaultSettings:
    """Seeded fault injection; every knob is off by default. Rates are per request."""

    seed: int = 0
    error_rate: float = 0.0
    latency_ms: float = 0.0
    # The share of requests delayed by latency_ms: below 1, a client sees sporadic timeouts.
    latency_rate: float = 1.0
    truncated_body_rate: float = 0.0
    update_during_paging_rate: float = 0.0
    duplicate_row_rate: float = 0.0
    short_page_rate: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name.endswith("_rate"):
                _check_rate(f.name, getattr(self, f.name))
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {self.latency_ms}")


@dataclass(frozen=True)
class SimulatorSettings:
    """Credentials are optional: with none set, the simulator serves without authentication."""

    host: str = "127.0.0.1"
    port: int = 0
    username: str | None = None
    password: str | None = None
    token: str | None = None
    rate_limit_per_second: float | None = None
    rate_limit_burst: int = 10
    max_page_size: int = 10000
    seed: int = 42
    incidents_per_day: float = 300
    start_date: date = date(2025, 12, 1)
    faults: FaultSettings = field(default_factory=FaultSettings)
    # Usernames that read `incident` but get 403 on sys_audit and sys_audit_delete, which need
    # an admin role on a real instance; "" is the anonymous caller of a simulator without auth.
    audit_forbidden_users: tuple[str, ...] = ()
    # Where clients reach the simulator (behind a proxy, say); None means the bound address.
    # Links never come from the request's Host header, which any caller can forge.
    base_url: str | None = None

    def __post_init__(self) -> None:
        if self.base_url is not None:
            _check_base_url(self.base_url)
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        if self.rate_limit_per_second is not None and self.rate_limit_per_second <= 0:
            raise ValueError("rate_limit_per_second must be positive (or None for no limit)")
        if self.rate_limit_burst < 1 or self.max_page_size < 1:
            raise ValueError("rate_limit_burst and max_page_size must be at least 1")

    @property
    def requires_auth(self) -> bool:
        return self.username is not None or self.token is not None

    def link_base(self, port: int) -> str:
        """What the links served start with, for a simulator bound to `port`."""
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        return http_url(self.host, port)

    def may_read_audit(self, user: str) -> bool:
        return user not in self.audit_forbidden_users

    @classmethod
    def from_section(cls, section: SimulatorSection) -> SimulatorSettings:
        """The `simulator:` section of the project settings; faults and limits come from flags."""
        return cls(
            host=section.host,
            port=section.port,
            username=section.username,
            password=section.password,
            seed=section.seed,
            incidents_per_day=section.incidents_per_day,
            start_date=date.fromisoformat(section.start_date),
            audit_forbidden_users=() if section.audit_access else (section.username or "",),
        )
