#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and make a role and database for the test suite. Prints the URL.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='syncwizard'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE syncwizard LOGIN PASSWORD 'syncwizard' CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='syncwizard_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O syncwizard syncwizard_test"
echo "postgresql+psycopg://syncwizard:syncwizard@127.0.0.1:5432/syncwizard_test"
