#!/usr/bin/env bash
# A throwaway S3-compatible object store for the server's S3 evidence tests
# (and benchmarks): moto's server (PyPI `moto[server]`, 5.x), which speaks
# the S3 REST API on a loopback port. Debian has no MinIO; PyPI is reachable
# wherever CI runs.
#
#   eval "$(bash scripts/s3.sh start DIR)"   # exports ZHIFA_TEST_S3_URL, AWS_*
#   bash scripts/s3.sh stop DIR              # stops it and removes DIR
#   bash scripts/s3.sh install               # only the venv (scripts/setup.sh)
#
# start: creates the venv if absent (MOTO_VENV, default
# ~/.cache/zhifa/tools/moto-venv, outside the clone so CI reuses it), starts
# `moto_server` on 127.0.0.1 on a free port, waits until it answers, creates
# the bucket `zhifa-test`, then prints the export lines: the evidence URL
# tests put their own prefix under, the endpoint, throwaway credentials (moto
# accepts any) and AWS_ALLOW_HTTP=true (loopback only). Log: DIR/moto.log.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && { [ -n "$dir" ] || [ "$cmd" = install ]; } || { echo "usage: s3.sh start|stop DIR | install" >&2; exit 2; }

venv="${MOTO_VENV:-$HOME/.cache/zhifa/tools/moto-venv}"
bucket="zhifa-test"
# Debian's interpreter first (python3-venv, scripts/setup.sh); any python3 else.
py="/usr/bin/python3"
[ -x "$py" ] || py="$(command -v python3)"

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ensure_venv() {
  if [ -x "$venv/bin/moto_server" ]; then
    return
  fi
  echo "s3.sh: installing moto[server] into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$py" -m venv "$venv" >&2 || { echo "s3.sh: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5.1,<6' >&2 \
    || { rm -rf "$venv"; echo "s3.sh: pip install moto[server] failed" >&2; exit 1; }
}

case "$cmd" in
  install)
    ensure_venv
    ;;
  start)
    ensure_venv
    mkdir -p "$dir"
    for _ in $(seq 1 20); do
      port=$(( 20000 + RANDOM % 30000 ))
      port_free "$port" || continue
      # One process (no reloader): its pid is all `stop` needs to end.
      "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 < /dev/null &
      echo $! >"$dir/moto.pid"
      for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
          curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$port/$bucket" \
            || { echo "s3.sh: could not create bucket $bucket" >&2; exit 1; }
          echo "export ZHIFA_TEST_S3_URL=s3://$bucket/t"
          echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$port"
          echo "export AWS_ACCESS_KEY_ID=zhifa-test"
          echo "export AWS_SECRET_ACCESS_KEY=zhifa-test-secret"
          echo "export AWS_REGION=us-east-1"
          echo "export AWS_ALLOW_HTTP=true"
          exit 0
        fi
        kill -0 "$(cat "$dir/moto.pid")" 2>/dev/null || break
        sleep 0.2
      done
      kill "$(cat "$dir/moto.pid")" 2>/dev/null || true
    done
    echo "s3.sh: moto_server did not start; its log:" >&2
    cat "$dir/moto.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/moto.pid" ]; then
      pid="$(cat "$dir/moto.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: s3.sh start|stop DIR" >&2
    exit 2
    ;;
esac
