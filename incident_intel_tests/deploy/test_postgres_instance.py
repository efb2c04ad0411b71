"""The docker-compose instance config (deploy/dagster.postgres.yaml) against a real PostgreSQL.

A throwaway server is started from the PostgreSQL binaries on this machine (Debian's `postgresql`
package, installed by `.ci/install_system_deps.sh`), on a random loopback port with password
authentication, and stopped at teardown. Runs, materializations and pool slots must land in
Postgres and be read back from it.
"""

import glob
import multiprocessing
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from dagster._core.launcher import DefaultRunLauncher
from dagster._core.run_coordinator import QueuedRunCoordinator

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_INSTANCE_YAML = REPO_ROOT / "deploy" / "dagster.postgres.yaml"

PROBE_TAG = "incident_intel/probe"
PARTITIONS = dg.DailyPartitionsDefinition(start_date="2026-01-01")

MISSING_POSTGRES = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under "
    "/usr/lib/postgresql/*/bin. Run `make test`, which installs them through "
    ".ci/install_system_deps.sh (Debian package `postgresql`), or run that script as root."
)


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    db: str

    def connect(self, db: str | None = None):
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=db or self.db,
        )


def _pg_bin_dir() -> Path | None:
    """The newest folder holding both initdb and pg_ctl, or None."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(cmd: list[str], as_user: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # cwd: postgres' tools complain when they cannot read the current directory (root's home).
    return subprocess.run(
        [*as_user, *cmd], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.fail(MISSING_POSTGRES, pytrace=False)

    # initdb refuses to run as root: run the server as the `postgres` OS user in a folder it owns.
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="incident_intel_pg_"))
    if os.geteuid() == 0:
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"Running as root but there is no `postgres` OS user. {MISSING_POSTGRES}")
        if shutil.which("runuser") is None:
            pytest.fail("Running as root needs `runuser` (util-linux) to drop to `postgres`")
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chown(root, pg_user.pw_uid, pg_user.pw_gid)

    data_dir = root / "data"
    log_file = root / "server.log"
    password = "dagster-test-password"
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    if as_user:
        os.chown(pwfile, pg_user.pw_uid, pg_user.pw_gid)

    init = _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "dagster",
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ],
        as_user,
        root,
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed ({init.returncode}):\n{init.stdout}\n{init.stderr}")

    port = 0
    started = False
    last_error = ""
    for _ in range(3):  # another process may take the free port between probe and bind
        port = _free_port()
        server_opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        start = _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-l",
                str(log_file),
                "-o",
                server_opts,
                "-w",
                "-t",
                "30",
                "start",
            ],
            as_user,
            root,
        )
        if start.returncode == 0:
            started = True
            break
        log_tail = log_file.read_text()[-2000:] if log_file.exists() else ""
        last_error = f"{start.stdout}\n{start.stderr}\n{log_tail}"
    if not started:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"pg_ctl could not start PostgreSQL:\n{last_error}")

    server = PostgresServer(
        host="127.0.0.1", port=port, user="dagster", password=password, db="dagster_test"
    )
    try:
        conn = server.connect(db="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {server.db}")
        conn.close()
        yield server
    finally:
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"],
            as_user,
            root,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_instance_env(
    postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A DAGSTER_HOME with deploy/dagster.postgres.yaml, its env vars pointed at the server."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(POSTGRES_INSTANCE_YAML, home / "dagster.yaml")
    for name, value in {
        "DAGSTER_HOME": str(home),
        "DAGSTER_POSTGRES_HOST": postgres_server.host,
        "DAGSTER_POSTGRES_PORT": str(postgres_server.port),
        "DAGSTER_POSTGRES_USER": postgres_server.user,
        "DAGSTER_POSTGRES_PASSWORD": postgres_server.password,
        "DAGSTER_POSTGRES_DB": postgres_server.db,
        "DAGSTER_COMPUTE_LOG_DIR": str(tmp_path / "compute_logs"),
        "DAGSTER_LOCAL_ARTIFACT_DIR": str(tmp_path / "artifacts"),
    }.items():
        monkeypatch.setenv(name, value)
    return home


@dg.asset(partitions_def=PARTITIONS, pool="warehouse")
def deploy_probe(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """A trivial partitioned asset in the warehouse pool, as the real writers are."""
    return dg.MaterializeResult(metadata={"partition": context.partition_key})


def test_postgres_instance_stores_runs_and_materializations(
    postgres_server: PostgresServer, postgres_instance_env: Path
) -> None:
    partition = "2026-01-02"
    with dg.DagsterInstance.from_config(str(postgres_instance_env)) as instance:
        assert instance.get_ref().storage_data.class_name == "DagsterPostgresStorage"
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert isinstance(instance.run_launcher, DefaultRunLauncher)
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.run_queue_config is not None
        # The warehouse pool, not a run tag, keeps DuckDB to one writer.
        assert not concurrency.run_queue_config.tag_concurrency_limits
        # The daemon fails dead runs and frees their pool slots.
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        assert instance.run_monitoring_max_runtime_seconds > 0

        result = dg.materialize(
            [deploy_probe],
            instance=instance,
            partition_key=partition,
            tags={PROBE_TAG: "true"},
        )
        assert result.success
        run_id = result.run_id

    # A fresh instance from the same file reads everything back from Postgres.
    with dg.DagsterInstance.from_config(str(postgres_instance_env)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags[PROBE_TAG] == "true"
        assert run.tags["dagster/partition"] == partition

        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=deploy_probe.key, asset_partitions=[partition]),
            limit=10,
        ).records
        assert [r.run_id for r in records] == [run_id]
        materialization = records[0].asset_materialization
        assert materialization is not None
        assert materialization.partition == partition

        pool = instance.event_log_storage.get_concurrency_info("warehouse")
        assert pool.slot_count == 1
        assert pool.claimed_slots == []

    # And the rows are really in the database this config points at.
    conn = postgres_server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT status, pipeline_name FROM runs WHERE run_id = %s", (run_id,))
            assert cur.fetchall() == [("SUCCESS", "__ephemeral_asset_job__")]
            cur.execute(
                "SELECT asset_key, partition FROM event_logs"
                " WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
                (run_id,),
            )
            assert cur.fetchall() == [('["deploy_probe"]', partition)]
            cur.execute(
                'SELECT "limit", using_default_limit FROM concurrency_limits'
                " WHERE concurrency_key = 'warehouse'"
            )
            assert cur.fetchall() == [(1, True)]
    finally:
        conn.close()


# --- the warehouse pool serialises writers across processes -----------------------------------


def _make_pool_writer(name: str, spans_file: str) -> dg.AssetsDefinition:
    @dg.asset(name=name, pool="warehouse")
    def writer() -> None:
        start = time.time()
        time.sleep(1.5)
        with open(spans_file, "a", encoding="utf-8") as handle:
            handle.write(f"{name} {start} {time.time()}\n")

    return writer


def _materialize_pool_writer(home: str, name: str, spans_file: str) -> tuple[str, bool]:
    """Runs in a spawned process: one run, one step, in the warehouse pool."""
    with dg.DagsterInstance.from_config(home) as instance:
        writer = _make_pool_writer(name, spans_file)
        result = dg.materialize([writer], instance=instance, tags={PROBE_TAG: name})
        return result.run_id, result.success


def _engine_messages(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [
        entry.message
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is not None
        and entry.dagster_event.event_type == dg.DagsterEventType.ENGINE_EVENT
    ]


def test_warehouse_pool_runs_one_step_at_a_time(
    postgres_instance_env: Path, tmp_path: Path
) -> None:
    spans_file = tmp_path / "spans.txt"
    # Two processes, two runs: pool slots are claimed through Postgres, as run workers in
    # different containers would claim them.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as workers:
        futures = [
            workers.submit(
                _materialize_pool_writer, str(postgres_instance_env), name, str(spans_file)
            )
            for name in ("writer_a", "writer_b")
        ]
        outcomes = [future.result(timeout=120) for future in futures]
    assert [success for _, success in outcomes] == [True, True]

    spans = sorted(
        (float(start), float(end), name)
        for name, start, end in (line.split() for line in spans_file.read_text().splitlines())
    )
    assert len(spans) == 2
    with dg.DagsterInstance.from_config(str(postgres_instance_env)) as instance:
        blocked = {
            run_id: [m for m in _engine_messages(instance, run_id) if "pool warehouse" in m]
            for run_id, _ in outcomes
        }
        pool = instance.event_log_storage.get_concurrency_info("warehouse")
    (_, first_end, _), (second_start, _, _) = spans
    assert second_start >= first_end, f"warehouse steps overlapped: {spans}; {blocked}; {pool}"
    # The later step waited for the pool's single slot, and both slots are free again.
    assert any(blocked.values()), f"no step was blocked by the warehouse pool: {blocked}"
    assert (pool.slot_count, pool.claimed_slots, pool.pending_steps) == (1, [], [])
