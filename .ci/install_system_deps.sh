#!/usr/bin/env bash
# Installs the system packages the test suite needs, and nothing else:
#   - PostgreSQL server binaries (initdb, pg_ctl), for the integration test that runs the
#     docker-compose instance config (deploy/dagster.postgres.yaml) against a real server;
#   - docker-compose, to validate docker-compose.yaml when the Docker CLI has no compose plugin;
#   - Chromium, which playwright drives headless in the browser tests (never playwright's own
#     browser download).
#
# Idempotent: what is already there is not installed again. It never fails the build just
# because it cannot install (not root, no apt-get): the tests that need the tools then say what
# is missing.
set -euo pipefail

log() { printf 'install_system_deps: %s\n' "$*"; }

has_pg_ctl() {
    command -v pg_ctl >/dev/null 2>&1 && return 0
    # Debian keeps the server binaries off PATH, one folder per major version.
    compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}

has_compose() {
    command -v docker-compose >/dev/null 2>&1 && return 0
    command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1
}

has_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

missing=()
has_pg_ctl || missing+=(postgresql)
has_compose || missing+=(docker-compose)
has_chromium || missing+=(chromium)

if [[ ${#missing[@]} -eq 0 ]]; then
    log "PostgreSQL, docker compose and Chromium are present; nothing to do"
    exit 0
fi
if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]}, and cannot install them here (needs root and apt-get)"
    exit 0
fi

log "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps Debian's post-install hook from starting a cluster service we never use:
# the tests start their own throwaway server on a random port.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy_rc" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
    chmod +x "$policy_rc"
    created_policy=1
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ "$created_policy" -eq 1 ]]; then
    rm -f "$policy_rc"
fi
has_pg_ctl && log "PostgreSQL: $(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | head -1)"
has_compose && log "docker compose: available"
if has_chromium; then
    log "Chromium: $(command -v chromium || command -v chromium-browser)"
fi
