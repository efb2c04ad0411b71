"""`incident-intel bench …`: the benchmarks' command lines; each prints one JSON line."""

from __future__ import annotations

import argparse
import itertools
import json
from datetime import date
from pathlib import Path

DEFAULT_TEST_DAYS = 14


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: expected YYYY-MM-DD") from None


def _cutoff_list(text: str) -> list[date]:
    """Comma-separated days, each later than the one before: one backtest draw each."""
    days = [_iso_day(part) for part in text.split(",") if part.strip()]
    if not days:
        raise argparse.ArgumentTypeError("name at least one cutoff, YYYY-MM-DD")
    if any(later <= earlier for earlier, later in itertools.pairwise(days)):
        raise argparse.ArgumentTypeError(
            f"{text!r}: list the cutoffs in increasing order, each once"
        )
    return days


def _positive_days(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days, 1 or more")
    return int(text)


def add_bench_parser(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser("bench", help="benchmarks; each prints one JSON line")
    names = bench.add_subparsers(dest="bench_name", required=True)
    ingest = names.add_parser("ingest", help="source -> bronze -> silver throughput")
    ingest.add_argument("--incidents", type=int, default=20_000, help="incidents in the pulled day")
    ingest.add_argument("--history", default="10000,1000000", help="silver sizes to compare")
    ingest.set_defaults(handler=_bench_ingest)
    log = names.add_parser(
        "servicenow-log", help="the whole graph replaying a ServiceNow CSV event-log export"
    )
    log.add_argument("--events", required=True, type=Path, help="the CSV export (.csv or .gz)")
    split = log.add_mutually_exclusive_group(required=True)
    split.add_argument("--cutoff", type=_iso_day, help="YYYY-MM-DD: train before it, test from it")
    split.add_argument(
        "--cutoffs",
        type=_cutoff_list,
        help="YYYY-MM-DD,YYYY-MM-DD,… in increasing order: a rolling-origin backtest, "
        "one train/test draw per cutoff, the daily layers built once",
    )
    log.add_argument(
        "--test-days",
        type=_positive_days,
        help="test on the N days from each cutoff (default with --cutoffs: "
        f"{DEFAULT_TEST_DAYS}; with --cutoff: everything from it)",
    )
    log.add_argument(
        "--no-audit",
        action="store_true",
        help="pull the current state only, as a user who may not read sys_audit",
    )
    log.set_defaults(handler=_bench_servicenow_log)
    drift = names.add_parser(
        "drift",
        help="the breach model's drift, day by day after its training, on a replayed export",
    )
    drift.add_argument("--events", required=True, type=Path, help="the CSV export (.csv or .gz)")
    drift.add_argument(
        "--train-until",
        required=True,
        type=_iso_day,
        help="YYYY-MM-DD: the models learn and are tested on what opened before it",
    )
    drift.add_argument(
        "--test-days",
        type=_positive_days,
        default=DEFAULT_TEST_DAYS,
        help=f"the last N days before --train-until test the models (default {DEFAULT_TEST_DAYS})",
    )
    drift.add_argument(
        "--days", required=True, type=_positive_days, help="score the N days from --train-until"
    )
    drift.set_defaults(handler=_bench_drift)
    train = names.add_parser("train", help="the whole graph on N synthetic incidents, timed")
    train.add_argument("--incidents", type=int, default=20_000)
    train.set_defaults(handler=_bench_train)
    triage = names.add_parser("triage", help="triage model vs TF-IDF baseline on a ticket CSV")
    triage.add_argument("--csv", required=True, help="labelled tickets (.csv or .csv.gz)")
    triage.add_argument("--text-columns", default="title,body")
    triage.add_argument("--label-column", required=True)
    triage.add_argument("--seed", type=int, default=42)
    triage.set_defaults(handler=_bench_triage)
    embed = names.add_parser("embed", help="sentence embeddings per second on this machine")
    embed.add_argument("--texts", type=int, default=2000)
    embed.add_argument("--backend", default="auto")
    embed.add_argument(
        "--triage-csv", help="also compare triage top-1 with fp32 on this labelled CSV"
    )
    embed.add_argument("--label-column", default="category")
    embed.set_defaults(handler=_bench_embed)
    serve = names.add_parser(
        "serve", help="the scoring API on loopback under load: latency, throughput, memory"
    )
    serve.add_argument("--singles", type=int, default=300, help="sequential /predict calls")
    serve.add_argument("--seconds", type=float, default=20, help="how long the 8 clients run")
    serve.set_defaults(handler=_bench_serve)
    dashboard = names.add_parser(
        "dashboard", help="the dashboard's build time, and each view's load in headless Chromium"
    )
    dashboard.add_argument("--loads", type=int, default=5, help="loads of the first view timed")
    dashboard.add_argument(
        "--screenshots", type=Path, help="save each view's first screen here (docs/, say)"
    )
    dashboard.set_defaults(handler=_bench_dashboard)
    partition = names.add_parser(
        "partition",
        help="one daily partition of bronze and silver through the Dagster command line, and "
        "the code location's import time",
    )
    partition.add_argument(
        "--day", type=_iso_day, help="the partition, YYYY-MM-DD (default: a fixed day)"
    )
    partition.set_defaults(handler=_bench_partition)
    faults = names.add_parser(
        "faults", help="a fault matrix against the simulator; silver vs ground truth"
    )
    faults.add_argument("--only", default="", help="comma-separated scenario names")
    faults.set_defaults(handler=_bench_faults)


def _bench_ingest(args: argparse.Namespace) -> None:
    from incident_intel.bench.ingest_bench import run_ingest_bench

    histories = [int(h) for h in args.history.split(",") if h]
    _print_json(run_ingest_bench(incidents=args.incidents, histories=histories))


def _bench_servicenow_log(args: argparse.Namespace) -> None:
    from incident_intel.bench.servicenow_log_bench import (
        run_servicenow_log_backtest,
        run_servicenow_log_bench,
    )

    audit = not args.no_audit
    if args.cutoffs:
        test_days = args.test_days or DEFAULT_TEST_DAYS
        _print_json(run_servicenow_log_backtest(args.events, args.cutoffs, test_days, audit))
    else:
        _print_json(run_servicenow_log_bench(args.events, args.cutoff, args.test_days, audit))


def _bench_drift(args: argparse.Namespace) -> None:
    from incident_intel.bench.drift_bench import run_drift_bench

    _print_json(run_drift_bench(args.events, args.train_until, args.test_days, args.days))


def _bench_train(args: argparse.Namespace) -> None:
    from incident_intel.bench.train_bench import run_train_bench

    _print_json(run_train_bench(args.incidents))


def _bench_triage(args: argparse.Namespace) -> None:
    from incident_intel.bench.triage_bench import run_triage_bench

    columns = [c.strip() for c in args.text_columns.split(",") if c.strip()]
    _print_json(run_triage_bench(args.csv, columns, args.label_column, seed=args.seed))


def _bench_serve(args: argparse.Namespace) -> None:
    from incident_intel.bench.serve_bench import run_serve_bench

    _print_json(run_serve_bench(singles=args.singles, seconds=args.seconds))


def _bench_embed(args: argparse.Namespace) -> None:
    from incident_intel.bench.embed_bench import bench_embed, compare_backends_on_triage

    figures = bench_embed(n_texts=args.texts, backend=args.backend)
    if args.triage_csv:
        figures["triage"] = compare_backends_on_triage(
            args.triage_csv, label_column=args.label_column, backend=args.backend
        )
    _print_json(figures)


def _bench_dashboard(args: argparse.Namespace) -> None:
    from incident_intel.bench.dashboard_bench import run_dashboard_bench

    _print_json(run_dashboard_bench(loads=args.loads, screenshots=args.screenshots))


def _bench_partition(args: argparse.Namespace) -> None:
    from incident_intel.bench.partition_bench import DEFAULT_DAY, run_partition_bench

    _print_json(run_partition_bench(args.day or DEFAULT_DAY))


def _bench_faults(args: argparse.Namespace) -> None:
    from incident_intel.bench.faults_bench import run_faults_bench

    only = [name.strip() for name in args.only.split(",") if name.strip()]
    _print_json(run_faults_bench(only or None))


def _print_json(figures: dict) -> None:
    print(json.dumps(figures, sort_keys=True, default=str), flush=True)
