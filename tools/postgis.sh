#!/usr/bin/env bash
# A PostgreSQL + PostGIS server on loopback for the PostGIS workspace tests (Debian's packages).
# Installs postgresql and postgis when missing, starts the cluster when it is down, creates the
# role and database `planmap_test` with the postgis extension, and prints the database URL.
# Uses sudo when not root. Safe to run again.
set -euo pipefail

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  echo "installing postgresql and postgis" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-postgis >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      postgresql "postgresql-$(ls /usr/lib/postgresql | sort -V | tail -1)-postgis-3" >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  $sudo pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  # Its messages ("Removed stale pid file.") go to stderr: callers capture stdout as the URL.
  $sudo pg_ctlcluster "$version" main start >&2
fi

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
psql_admin() { as_postgres psql -p "$port" -qtA -v ON_ERROR_STOP=1 "$@"; }

psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'planmap_test'" | grep -q 1 \
  || psql_admin -c "CREATE ROLE planmap_test LOGIN PASSWORD 'planmap_test'"
psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'planmap_test'" | grep -q 1 \
  || psql_admin -c "CREATE DATABASE planmap_test OWNER planmap_test"
psql_admin -d planmap_test -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2

echo "postgresql://planmap_test:planmap_test@127.0.0.1:$port/planmap_test"
