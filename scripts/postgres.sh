#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL for the sample CRM silo, with its JDBC driver.
# Idempotent: safe to run before every demo or test run. Needs root or passwordless sudo for apt-get.
set -euo pipefail

PGPORT="${GOLDEN_RECORD_PGPORT:-5432}"
DB_USER="golden_record"
DB_PASSWORD="golden_record"
DB_NAME="crm"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -f /usr/share/java/postgresql.jar ]; then
  echo "installing postgresql and libpostgresql-jdbc-java (Debian packages) ..."
  "$(dirname "$0")/apt-install.sh" postgresql libpostgresql-jdbc-java
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  as_root pg_createcluster "$version" main -p "$PGPORT" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  as_root pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 30); do
  if as_root su postgres -c "pg_isready -q -h 127.0.0.1 -p $PGPORT"; then break; fi
  sleep 1
done

psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $PGPORT -tAc \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
  psql_admin "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
  psql_admin "CREATE DATABASE $DB_NAME OWNER $DB_USER"
fi
echo "postgresql $version is up on 127.0.0.1:$PGPORT (database $DB_NAME, user $DB_USER)"
