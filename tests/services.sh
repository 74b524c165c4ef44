#!/usr/bin/env bash
# What `make test` needs from a Debian machine: the system packages (installed when run as
# root, otherwise named with the command to run), and PostgreSQL and Redis answering on
# loopback as the tests' default URLs expect. The tests start Dovecot themselves.
set -euo pipefail

PYTHON=${PYTHON:-python3}
PG_PORT=5432
REDIS_PORT=6379
# The password of the default TEST_POSTGRES_URL (tests/conftest.py).
PG_PASSWORD=postgres

fail() {
  echo "make test: $*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

if ! command -v dpkg >/dev/null 2>&1; then
  echo "make test: not a Debian system; install PostgreSQL, Redis, Dovecot (IMAP), Chromium" \
    "and CJK fonts yourself (the tests that lack them are skipped)." >&2
  exit 0
fi

# --- packages -----------------------------------------------------------------------------
packages=(postgresql redis-server dovecot-imapd chromium fonts-noto-cjk poppler-utils)
# Debian's python3 needs python3-venv to give a virtualenv its pip; another Python may not.
"$PYTHON" -c 'import ensurepip' >/dev/null 2>&1 || packages+=(python3-venv)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  is_root || fail "missing Debian packages; install them with:
    sudo apt-get install -y ${missing[*]}"
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- PostgreSQL and Redis -----------------------------------------------------------------
pg_up() { pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }

if ! pg_up; then
  # The cluster on the tests' port (pg_lsclusters: version, name, port, ...).
  read -r version cluster _ < <(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port') ||
    fail "no PostgreSQL cluster is set up on port $PG_PORT (see pg_lsclusters)"
  start=(pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start)
  is_root || fail "PostgreSQL is not running; start it with:
    sudo ${start[*]}"
  "${start[@]}"
fi
if ! redis_up; then
  # Any user may run this one: no persistence, nothing written to disk.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    >/dev/null
fi
for _ in $(seq 1 30); do
  pg_up && redis_up && break
  sleep 1
done
pg_up || fail "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"
redis_up || fail "Redis does not answer on 127.0.0.1:$REDIS_PORT"

# A freshly installed cluster lets postgres in only through its Unix socket: the tests
# connect over TCP with a password.
if ! PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 \
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  sql="ALTER USER postgres PASSWORD '$PG_PASSWORD'"
  is_root || fail "PostgreSQL refuses postgres:$PG_PASSWORD over TCP; set the password with:
    sudo -u postgres psql -p $PG_PORT -c \"$sql\""
  su postgres -c "psql -q -p $PG_PORT -c \"$sql\""
fi
