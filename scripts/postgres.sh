#!/usr/bin/env bash
# A local PostgreSQL for the tests that need one (the pass-through test's real Parse Server):
# installed from Debian's packages when missing, started, with a `parse` role that may connect
# from 127.0.0.1 without a password. Idempotent.
#
#   scripts/postgres.sh                 # make sure the server runs
#   scripts/postgres.sh fresh NAME      # ... and (re)create database NAME, owned by `parse`
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  echo "postgres.sh: installing postgresql" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
conf=/etc/postgresql/$version/main
if ! grep -q 'parse-compat-trust' "$conf/pg_hba.conf"; then
  # First match wins in pg_hba.conf: put the rule before the packaged ones.
  sed -i '0,/^host/s//host    all             parse           127.0.0.1\/32            trust # parse-compat-trust\nhost/' "$conf/pg_hba.conf"
  reload=1
fi
sed -i "s/^#listen_addresses = 'localhost'/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
elif [[ -n ${reload:-} ]]; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qAt -c 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qAt -c \"select 1 from pg_roles where rolname='parse'\"" | grep -q 1 ||
  su postgres -c "psql -q -c \"CREATE ROLE parse LOGIN SUPERUSER PASSWORD 'parse'\""
if [[ ${1:-} == fresh ]]; then
  db=${2:?usage: postgres.sh fresh NAME}
  [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "postgres.sh: bad database name $db" >&2; exit 2; }
  su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' -c 'CREATE DATABASE $db OWNER parse'" 2>&1 | grep -v NOTICE || true
fi
