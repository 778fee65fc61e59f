#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for tests and benchmarks.
#   scripts/pg-cluster.sh start DIR   -> prints the superuser URL (postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres)
#   scripts/pg-cluster.sh stop DIR
#   scripts/pg-cluster.sh halt DIR / resume DIR   -> stops the server at once (as a crash would) / starts it again
# The cluster runs as the unprivileged `postgres` user, listens on 127.0.0.1 and a free port, and keeps
# everything (data, socket, log) under DIR. TLS is on with a throwaway self-signed certificate (CN
# localhost), and the role `tls_only` (made by the tests that need it) may connect over TLS only (tests of the TLS modes).
# PG_LISTEN=<address> listens there instead of 127.0.0.1 and accepts password logins from anywhere (a
# cluster inside a test's network namespace, reached through a tunnel).
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

start() {
  local dir=$1 bin port password
  bin=$(bindir)
  mkdir -p "$dir"
  chmod 755 "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$password" > "$dir/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir/pwfile"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  port=$(free_port)
  as_postgres openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
  { echo "hostnossl all tls_only 127.0.0.1/32 reject"; cat "$dir/data/pg_hba.conf"; } > "$dir/hba" \
    && cat "$dir/hba" > "$dir/data/pg_hba.conf" && rm -f "$dir/hba"
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '${PG_LISTEN:-127.0.0.1}'
port = $port
unix_socket_directories = '$dir'
wal_level = logical
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 1000
ssl = on
CONF
  [[ -n ${PG_LISTEN:-} ]] && echo "host all all 0.0.0.0/0 scram-sha-256" >> "$dir/data/pg_hba.conf"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres:$password@${PG_LISTEN:-127.0.0.1}:$port/postgres"
}

stop() {
  local dir=$1
  [[ -d $dir/data ]] || return 0
  as_postgres "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

halt() {
  as_postgres "$(bindir)/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null
}

resume() {
  as_postgres "$(bindir)/pg_ctl" -D "$1/data" -l "$1/server.log" -w start >/dev/null || { cat "$1/server.log" >&2; exit 1; }
}

case ${1:-} in
  start) start "${2:?directory}" ;;
  stop) stop "${2:?directory}" ;;
  halt) halt "${2:?directory}" ;;
  resume) resume "${2:?directory}" ;;
  *) echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
