"""`incident-intel simulator serve`: the simulator in the foreground.

Flags override the `simulator:` section of the configuration, which supplies every default.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from datetime import date
from typing import Any

import uvicorn

from incident_intel.settings import ProjectSettings, SimulatorSection
from incident_intel.simulator.app import create_app
from incident_intel.simulator.replay import ReplayIncidentStore
from incident_intel.simulator.server import bind
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings, http_url
from incident_intel.simulator.store import IncidentStore
from incident_intel.simulator.synthetic import SyntheticIncidentStore

SETTING_FLAGS = (
    "host",
    "port",
    "seed",
    "incidents_per_day",
    "start_date",
    "username",
    "password",
    "token",
    "rate_limit_per_second",
    "rate_limit_burst",
    "base_url",
)
FAULT_FLAGS = tuple(f.name for f in dataclasses.fields(FaultSettings))


def add_simulator_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `simulator serve` to an argparse subparsers object; sets `handler` to run it."""
    simulator = subparsers.add_parser("simulator", help="the ServiceNow Table API simulator")
    commands = simulator.add_subparsers(dest="simulator_command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the incident, sys_audit and sys_audit_delete tables on HTTP"
    )
    serve.add_argument("--mode", choices=("synthetic", "replay"), default="synthetic")
    serve.add_argument("--csv", help="ServiceNow CSV export to replay (with --mode replay)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--seed", type=int)
    serve.add_argument("--incidents-per-day", type=float)
    serve.add_argument("--start-date", type=date.fromisoformat, help="first opening day")
    serve.add_argument("--username")
    serve.add_argument("--password")
    serve.add_argument("--token")
    serve.add_argument(
        "--rate-limit", dest="rate_limit_per_second", type=float, help="requests per second"
    )
    serve.add_argument("--rate-limit-burst", type=int)
    serve.add_argument(
        "--base-url", help="URL clients reach the simulator at (default: the bound address)"
    )
    serve.add_argument(
        "--forbid-audit-to",
        dest="audit_forbidden_users",
        action="append",
        metavar="USER",
        help="answer 403 to USER on sys_audit and sys_audit_delete (repeatable; adds to the "
        "config's audit_access)",
    )
    faults = serve.add_argument_group("faults (all off by default)")
    faults.add_argument("--fault-seed", dest="seed_faults", type=int)
    faults.add_argument("--error-rate", type=float)
    faults.add_argument("--latency-ms", type=float)
    faults.add_argument("--latency-rate", type=float, help="share of requests delayed")
    faults.add_argument("--truncated-body-rate", type=float)
    faults.add_argument("--update-during-paging-rate", type=float)
    faults.add_argument("--duplicate-row-rate", type=float)
    faults.add_argument("--short-page-rate", type=float)
    serve.set_defaults(handler=serve_command)
    return simulator


def settings_from_args(args: argparse.Namespace, section: SimulatorSection) -> SimulatorSettings:
    base = SimulatorSettings.from_section(section)
    fault_values = {
        name: getattr(args, "seed_faults" if name == "seed" else name, None) for name in FAULT_FLAGS
    }
    faults = dataclasses.replace(
        base.faults, **{k: v for k, v in fault_values.items() if v is not None}
    )
    overrides = {name: getattr(args, name) for name in SETTING_FLAGS}
    forbidden = (*base.audit_forbidden_users, *(args.audit_forbidden_users or ()))
    return dataclasses.replace(
        base,
        faults=faults,
        audit_forbidden_users=tuple(dict.fromkeys(forbidden)),
        **{k: v for k, v in overrides.items() if v is not None},
    )


def build_store(args: argparse.Namespace, settings: SimulatorSettings) -> IncidentStore:
    if args.mode == "replay":
        if not args.csv:
            raise SystemExit("--mode replay needs --csv PATH")
        return ReplayIncidentStore(args.csv)
    return SyntheticIncidentStore(settings.seed, settings.incidents_per_day, settings.start_date)


def serve_command(args: argparse.Namespace) -> None:
    settings = settings_from_args(args, ProjectSettings.load().simulator)
    # Bound first, so that links name the real port even when the port asked for is 0.
    sock = bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(build_store(args, settings), settings, settings.link_base(port)),
        access_log=False,
    )
    # Given a socket, uvicorn does not say where it listens.
    logging.getLogger("uvicorn.error").info("Serving on %s", http_url(settings.host, port))
    uvicorn.Server(config).run(sockets=[sock])
