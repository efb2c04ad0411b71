"""The `incident-intel` console script."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="materialise the whole graph, then start the UI")
    run.add_argument("--days", type=int, default=30, help="how many recent daily partitions")
    run.add_argument("--no-ui", action="store_true", help="stop after the summary")
    run.set_defaults(handler=lambda a: _run(a))
    materialize = subparsers.add_parser(
        "materialize",
        help="`dagster asset materialize` on this project, showing progress instead of events",
    )
    materialize.add_argument("--select", required=True, help="an asset selection, e.g. '*'")
    window = materialize.add_mutually_exclusive_group()
    window.add_argument("--partition", help="one day, YYYY-MM-DD")
    window.add_argument("--partition-range", help="FIRST...LAST, as one single-run backfill")
    materialize.add_argument(
        "--in-process",
        action="store_true",
        help="run the steps one after another in one process, loading the code once: faster "
        "for bronze, silver and scoring; the models train side by side without it",
    )
    materialize.set_defaults(handler=lambda a: _materialize(a))
    sql = subparsers.add_parser(
        "sql",
        help="query the lake beside the pipeline, e.g. 'select count(*) from silver.incidents'",
    )
    sql.add_argument("query", help="one SQL statement over silver.* and gold.*")
    sql.set_defaults(handler=lambda a: _sql(a))
    dev = subparsers.add_parser("dev", help="start the Dagster UI only")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(handler=lambda a: _dev(a))


def _run(args: argparse.Namespace) -> None:
    from incident_intel.run.layers import run

    if args.days < 1:
        raise SystemExit("--days must be at least 1")
    run(args.days, ui=not args.no_ui)


def _materialize(args: argparse.Namespace) -> None:
    from incident_intel.run.layers import materialize

    window = (
        ["--partition", args.partition]
        if args.partition
        else ["--partition-range", args.partition_range]
        if args.partition_range
        else []
    )
    if not materialize(args.select, window, in_process=args.in_process):
        raise SystemExit(1)


def _sql(args: argparse.Namespace) -> None:
    import duckdb

    from incident_intel.settings import data_dir
    from incident_intel.storage.paths import LakePaths
    from incident_intel.storage.reader import lake_reader

    with lake_reader(LakePaths(data_dir())) as reader:
        try:
            reader.sql(args.query).show(max_rows=50)
        except duckdb.Error as error:
            raise SystemExit(f"query failed: {error}") from None


def _dev(args: argparse.Namespace) -> None:
    from incident_intel.run.instance import serve_ui

    serve_ui(port=args.port)


def _add_serve(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="the scoring API on the promoted models (bearer token from INCIDENT_INTEL_API_TOKEN)",
    )
    serve.add_argument("--host", help="the address to listen on (default: serve.host)")
    serve.add_argument("--port", type=int, help="the port to listen on (default: serve.port)")
    serve.set_defaults(handler=lambda a: _serve(a))


def _serve(args: argparse.Namespace) -> None:
    from incident_intel.api.server import serve

    serve(args.host, args.port)


def build_parser() -> argparse.ArgumentParser:
    from incident_intel.bench.cli import add_bench_parser
    from incident_intel.simulator.cli import add_simulator_parser

    parser = argparse.ArgumentParser(prog="incident-intel", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_simulator_parser(subparsers)
    _add_run(subparsers)
    _add_serve(subparsers)
    add_bench_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main(sys.argv[1:])
