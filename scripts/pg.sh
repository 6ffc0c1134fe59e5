#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the server's PostgreSQL tests (and
# benchmarks), from Debian's postgresql package (scripts/setup.sh).
#
#   eval "$(bash scripts/pg.sh start DIR)"   # exports ZHIFA_TEST_PG_URL
#   bash scripts/pg.sh stop DIR              # stops it and removes DIR
#
# start: initdb into DIR/data (trust authentication, UTF-8), listens only
# on 127.0.0.1 on a free port (and a socket in DIR), waits until it
# accepts connections, then prints the export line. As root it runs the
# cluster as the `postgres` system user (PostgreSQL refuses to run as
# root), with DIR owned by that user. Server log: DIR/server.log.
# PG_BIN overrides the binaries' folder (default: the newest
# /usr/lib/postgresql/*/bin). PG_OPTS adds server settings, e.g. the
# benchmark's "-c shared_buffers=1GB -c max_wal_size=8GB" (docs/BENCHMARKS.md).
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|stop DIR" >&2; exit 2; }

bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin/initdb" ] || { echo "pg.sh: PostgreSQL binaries not found (apt-get install postgresql, or set PG_BIN)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || { echo "pg.sh: no 'postgres' system user to run the cluster as (apt-get install postgresql)" >&2; exit 1; }
      chown postgres: "$dir"
      chmod 700 "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    for _ in $(seq 1 20); do
      port=$(( 20000 + RANDOM % 30000 ))
      port_free "$port" || continue
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
          -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200 ${PG_OPTS:-}" \
          start >/dev/null; then
        echo "export ZHIFA_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    echo "pg.sh: PostgreSQL did not start; its log:" >&2
    cat "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 \
        || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg.sh start|stop DIR" >&2
    exit 2
    ;;
esac
