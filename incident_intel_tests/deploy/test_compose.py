"""The deployment files: docker-compose.yaml, the Dockerfile, both instance configs, workspaces.

Nothing here needs a server or a Docker engine. `docker compose config` runs where a compose CLI
is installed; the structural checks below run everywhere and keep the files consistent with
each other (service names, ports, env vars the instance config reads, build targets).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.workspace.config_schema import ensure_workspace_config

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
LOCAL_INSTANCE_YAML = REPO_ROOT / "dagster.yaml"
POSTGRES_INSTANCE_YAML = REPO_ROOT / "deploy" / "dagster.postgres.yaml"
LOCAL_WORKSPACE = REPO_ROOT / "workspace.yaml"
DOCKER_WORKSPACE = REPO_ROOT / "workspace.docker.yaml"
INSTALL_SCRIPT = REPO_ROOT / ".ci" / "install_system_deps.sh"

EXPECTED_SERVICES = {"postgres", "simulator", "user-code", "webserver", "daemon", "api"}
# Services whose processes build a DagsterInstance from deploy/dagster.postgres.yaml.
DAGSTER_SERVICES = ("user-code", "webserver", "daemon")
TOKEN_VARIABLE = "INCIDENT_INTEL_API_TOKEN"


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _env_refs(node: Any) -> set[str]:
    """Every variable a Dagster config reads through `{env: VAR}`."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return set().union(*(_env_refs(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_env_refs(v) for v in node)) if node else set()
    return set()


def _compose_default(value: str) -> str:
    """`${VAR:-default}` -> default; a literal stays as it is."""
    match = re.fullmatch(r"\$\{(\w+):-([^}]*)\}", value)
    return match.group(2) if match else value


def _compose_required(value: str) -> str | None:
    """`${VAR:?message}` -> VAR, a variable compose refuses to run without; else None."""
    match = re.fullmatch(r"\$\{(\w+):\?[^}]+\}", value)
    return match.group(1) if match else None


def _option(command: list[str], *flags: str) -> str:
    for i, arg in enumerate(command):
        if arg in flags:
            return command[i + 1]
    raise AssertionError(f"none of {flags} in {command}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _load_yaml(COMPOSE_FILE)


def _compose_cli() -> list[str] | None:
    if shutil.which("docker") is None and shutil.which("docker-compose") is None:
        pytest.skip("the docker CLI is not installed")
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


# --- docker compose ------------------------------------------------------------------------


def _environment_without(*variables: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in variables}


def test_docker_compose_config_validates() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("the docker CLI has no compose plugin (`docker compose` is unavailable)")
    env = _environment_without("SERVICENOW_INSTANCE_URL", "DAGSTER_POSTGRES_PASSWORD")
    env[TOKEN_VARIABLE] = "compose-test-token"
    check = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr or check.stdout

    rendered = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "config"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=True,
    )
    services = yaml.safe_load(rendered.stdout)["services"]
    assert set(services) == EXPECTED_SERVICES
    user_code_env = services["user-code"]["environment"]
    assert user_code_env["SERVICENOW_INSTANCE_URL"] == ""
    assert user_code_env["INCIDENT_INTEL_SIMULATOR_URL"] == "http://simulator:8765"
    assert user_code_env["DAGSTER_POSTGRES_HOST"] == "postgres"
    assert services["api"]["environment"][TOKEN_VARIABLE] == "compose-test-token"


def test_docker_compose_refuses_to_run_without_the_api_token() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("the docker CLI has no compose plugin (`docker compose` is unavailable)")
    for unset in (_environment_without(TOKEN_VARIABLE), {**os.environ, TOKEN_VARIABLE: ""}):
        check = subprocess.run(
            [*cli, "-f", str(COMPOSE_FILE), "config", "-q"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=unset,
            timeout=60,
            check=False,
        )
        assert check.returncode != 0
        assert f"set {TOKEN_VARIABLE}" in check.stderr + check.stdout


def test_compose_services_are_wired_together(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == EXPECTED_SERVICES
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"

    # The Docker workspace points at the code server's service name and port.
    (location,) = _load_yaml(DOCKER_WORKSPACE)["load_from"]
    grpc = location["grpc_server"]
    code_server = services["user-code"]["command"]
    assert grpc["host"] == "user-code"
    assert int(_option(code_server, "-p", "--port")) == grpc["port"]
    assert _option(code_server, "-h", "--host") == "0.0.0.0"
    assert _option(code_server, "-m", "--module-name") == "incident_intel.definitions"
    assert _option(code_server, "--location-name") == grpc["location_name"]

    # The source defaults to the simulator service, on the port it serves.
    simulator = services["simulator"]["command"]
    assert simulator[:3] == ["incident-intel", "simulator", "serve"]
    port = _option(simulator, "--port")
    code_env = services["user-code"]["environment"]
    assert code_env["INCIDENT_INTEL_SIMULATOR_URL"] == f"http://simulator:{port}"
    # A live instance gets no default credentials: the simulator's would leak to it.
    for variable in ("SERVICENOW_INSTANCE_URL", "SERVICENOW_USERNAME", "SERVICENOW_PASSWORD"):
        assert _compose_default(code_env[variable]) == "", variable

    assert any(p.endswith(":3000") for p in services["webserver"]["ports"])


def test_the_api_serves_the_shared_lake_behind_the_token(compose: dict[str, Any]) -> None:
    services = compose["services"]
    api = services["api"]
    assert api["build"]["target"] == "user_code"
    command = api["command"]
    assert command[:2] == ["incident-intel", "serve"]
    assert _option(command, "--host") == "0.0.0.0"
    port = _option(command, "--port")
    assert any(p.endswith(f":{port}") for p in api["ports"])

    # The same token as `incident-intel serve` outside compose, and never a default one.
    assert _compose_required(api["environment"][TOKEN_VARIABLE]) == TOKEN_VARIABLE

    # The code server's data volume, at the path both read as the data root: the API sees the
    # lake and the models the pipeline writes.
    mounts = dict(v.split(":")[:2] for v in api["volumes"])
    code_mounts = dict(v.split(":")[:2] for v in services["user-code"]["volumes"])
    assert mounts["incident_intel_data"] == code_mounts["incident_intel_data"]
    assert api["environment"]["INCIDENT_INTEL_DATA_DIR"] == mounts["incident_intel_data"]
    code_data_dir = services["user-code"]["environment"]["INCIDENT_INTEL_DATA_DIR"]
    assert api["environment"]["INCIDENT_INTEL_DATA_DIR"] == code_data_dir

    # /health is the one route open without the token, so the healthcheck can probe it.
    probe = " ".join(api["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/health" in probe


def test_compose_provides_what_the_postgres_instance_reads(compose: dict[str, Any]) -> None:
    services = compose["services"]
    needed = _env_refs(_load_yaml(POSTGRES_INSTANCE_YAML))
    assert {"DAGSTER_POSTGRES_USER", "DAGSTER_POSTGRES_PASSWORD", "DAGSTER_POSTGRES_DB"} <= needed
    for name in DAGSTER_SERVICES:
        env = services[name]["environment"]
        missing = needed - set(env)
        assert not missing, f"{name} lacks {sorted(missing)} that dagster.postgres.yaml reads"
        assert env["DAGSTER_POSTGRES_HOST"] == "postgres"

        # Data, compute logs and artifacts live on the named volume, at the paths in the env.
        mounts = dict(v.split(":")[:2] for v in services[name]["volumes"])
        data_root = mounts["incident_intel_data"]
        assert env["INCIDENT_INTEL_DATA_DIR"] == data_root
        assert env["DAGSTER_COMPUTE_LOG_DIR"].startswith(data_root + "/")
        assert env["DAGSTER_LOCAL_ARTIFACT_DIR"].startswith(data_root + "/")
    assert set(compose["volumes"]) == {"postgres_data", "incident_intel_data"}

    # The database the postgres service creates is the one Dagster connects to.
    pg_env = services["postgres"]["environment"]
    code_env = services["user-code"]["environment"]
    for pg_key, dagster_key in (
        ("POSTGRES_USER", "DAGSTER_POSTGRES_USER"),
        ("POSTGRES_PASSWORD", "DAGSTER_POSTGRES_PASSWORD"),
        ("POSTGRES_DB", "DAGSTER_POSTGRES_DB"),
    ):
        assert pg_env[pg_key] == code_env[dagster_key]


def test_dockerfile_builds_the_targets_compose_uses(compose: dict[str, Any]) -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, flags=re.MULTILINE | re.I)
    targets = {s["build"]["target"] for s in compose["services"].values() if "build" in s}
    assert targets <= set(stages), f"compose builds {targets}, Dockerfile has {stages}"
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert "https://download.pytorch.org/whl/cpu" in dockerfile
    assert "COPY deploy/dagster.postgres.yaml ${DAGSTER_HOME}/dagster.yaml" in dockerfile
    assert "COPY workspace.docker.yaml ${DAGSTER_HOME}/workspace.yaml" in dockerfile


# --- instance configs ------------------------------------------------------------------------


def test_local_dagster_yaml_is_a_sqlite_instance_under_dagster_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "data" / "dagster_home"
    home.mkdir(parents=True)
    shutil.copyfile(LOCAL_INSTANCE_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    @dg.asset(pool="warehouse")
    def warehouse_probe() -> None:
        """A trivial asset in the warehouse pool."""

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert not instance.telemetry_enabled
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.run_queue_config is not None
        # DuckDB's single writer is guarded per step by the warehouse pool, so whole runs need
        # no tag limit: a backfill and a model run may proceed side by side.
        assert not concurrency.run_queue_config.tag_concurrency_limits
        # The daemon fails dead runs and frees their pool slots.
        assert instance.run_monitoring_enabled
        assert "MONITORING" in instance.get_required_daemon_types()

        result = dg.materialize([warehouse_probe], instance=instance)
        assert result.success
        pool = instance.event_log_storage.get_concurrency_info("warehouse")
        assert (pool.slot_count, pool.using_default_limit) == (1, True)

    # Run, event-log and schedule storage all landed under DAGSTER_HOME.
    assert (home / "history" / "runs.db").is_file()
    assert (home / "history" / "runs" / f"{result.run_id}.db").is_file()
    assert (home / "schedules" / "schedules.db").is_file()


def test_postgres_dagster_yaml_is_a_valid_instance_config(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(POSTGRES_INSTANCE_YAML, home / "dagster.yaml")
    config, _ = dagster_instance_config(str(home))

    postgres_db = config["storage"]["postgres"]["postgres_db"]
    # Credentials and address come from the environment only, never from the file.
    for key in ("username", "password", "hostname", "db_name", "port"):
        assert set(postgres_db[key]) == {"env"}, f"postgres_db.{key} is not an env var"
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_launcher"]["class"] == "DefaultRunLauncher"
    assert config["telemetry"] == {"enabled": False}


def test_local_and_postgres_instances_share_run_monitoring() -> None:
    local = _load_yaml(LOCAL_INSTANCE_YAML)["run_monitoring"]
    assert _load_yaml(POSTGRES_INSTANCE_YAML)["run_monitoring"] == local
    assert local["enabled"] is True
    # A dead run's pool slots are freed; without this it keeps them until `dagster run delete`.
    assert local["free_slots_after_run_end_seconds"] > 0
    # A run whose death nobody saw is failed after a bounded time (0 would mean never), and the
    # daemon looks more often than its default of every two minutes.
    assert local["max_runtime_seconds"] > 0
    assert local["poll_interval_seconds"] < 120


def test_local_and_postgres_instances_share_concurrency_limits() -> None:
    local = _load_yaml(LOCAL_INSTANCE_YAML)["concurrency"]
    postgres = _load_yaml(POSTGRES_INSTANCE_YAML)["concurrency"]
    assert local["pools"] == postgres["pools"] == {"default_limit": 1, "granularity": "op"}
    # Only the number of concurrent runs differs; neither adds run-level limits of its own.
    assert set(local["runs"]) == set(postgres["runs"]) == {"max_concurrent_runs"}


@pytest.mark.parametrize("workspace", [LOCAL_WORKSPACE, DOCKER_WORKSPACE], ids=lambda p: p.name)
def test_workspace_files_are_valid(workspace: Path) -> None:
    ensure_workspace_config(_load_yaml(workspace), str(workspace))


def test_local_workspace_loads_the_definitions_module() -> None:
    (location,) = _load_yaml(LOCAL_WORKSPACE)["load_from"]
    assert location["python_module"]["module_name"] == "incident_intel.definitions"
    assert location["python_module"]["working_directory"] == "."


# --- system dependencies ---------------------------------------------------------------------


def test_install_system_deps_is_a_no_op_when_postgres_is_present() -> None:
    syntax = subprocess.run(["bash", "-n", str(INSTALL_SCRIPT)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    has_postgres = shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not has_postgres:
        pytest.skip("PostgreSQL is not installed; running the script here would install it")
    if _compose_cli() is None:
        pytest.skip("docker compose is not installed; running the script here would install it")
    run = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "nothing to do" in run.stdout
