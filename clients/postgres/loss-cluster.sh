#!/usr/bin/env bash
# A second PostgreSQL 15 cluster, `pcloss` on port 5439, that the connection-loss test may stop
# and start while the main cluster (which other tests use) keeps running. Idempotent.
#   loss-cluster.sh up DB     # create the cluster if missing, start it, (re)create DB owned by `parse`
#   loss-cluster.sh stop      # stop it (fast shutdown: open connections are cut)
#   loss-cluster.sh start     # start it again
set -euo pipefail
name=pcloss port=5439
version=$(ls /etc/postgresql | sort -V | tail -1)
conf=/etc/postgresql/$version/$name
case ${1:?usage: loss-cluster.sh up DB|stop|start} in
up)
  db=${2:?usage: loss-cluster.sh up DB}
  [[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "loss-cluster.sh: bad database name $db" >&2; exit 2; }
  [[ -d $conf ]] || pg_createcluster "$version" "$name" --port "$port" >/dev/null
  if ! grep -q 'parse-compat-trust' "$conf/pg_hba.conf"; then
    # First match wins in pg_hba.conf: put the rule before the packaged ones.
    sed -i '0,/^host/s//host    all             parse           127.0.0.1\/32            trust # parse-compat-trust\nhost/' "$conf/pg_hba.conf"
  fi
  sed -i "s/^#listen_addresses = 'localhost'/listen_addresses = '127.0.0.1'/" "$conf/postgresql.conf"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop -m fast >/dev/null 2>&1 || true
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
  for _ in $(seq 1 30); do
    su postgres -c "psql -p $port -qAt -c 'select 1'" >/dev/null 2>&1 && break
    sleep 1
  done
  su postgres -c "psql -p $port -qAt -c \"select 1 from pg_roles where rolname='parse'\"" | grep -q 1 ||
    su postgres -c "psql -p $port -q -c \"CREATE ROLE parse LOGIN SUPERUSER\""
  su postgres -c "psql -p $port -q -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)' -c 'CREATE DATABASE $db OWNER parse'" 2>&1 | grep -v NOTICE || true
  ;;
stop) pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop -m fast ;;
start) pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start ;;
*) echo "usage: loss-cluster.sh up DB|stop|start" >&2; exit 2 ;;
esac
