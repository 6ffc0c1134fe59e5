#!/usr/bin/env bash
# Desktop app figures for docs/BENCHMARKS.md, under Xvfb on a fresh data
# folder: cold start to the first usable screen (the sign-in screen's first
# request, traced by the app), idle memory 10 s later (PSS of the app and
# its WebKit processes), and the release binary's size.
#   bash scripts/bench-app.sh [PATH/TO/zhifa-app]   (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
app="$(readlink -f "${1:-$CARGO_TARGET_DIR/release/zhifa-app}")"
runs="${RUNS:-5}"
echo "binary: $app"
echo "size: $(stat -c %s "$app") bytes; stripped: $(strip -o /tmp/zhifa-app.stripped "$app" && stat -c %s /tmp/zhifa-app.stripped) bytes"
for i in $(seq "$runs"); do
  data="$(mktemp -d)"
  ZHIFA_DATA="$data" ZHIFA_KEYSTORE=file ZHIFA_STARTUP_TRACE=1 NO_AT_BRIDGE=1 \
    xvfb-run -a -s '-screen 0 1024x1280x24' bash -c '
      "$0" 2> "$1/stderr" & pid=$!
      for _ in $(seq 300); do grep -q "first screen" "$1/stderr" && break; sleep 0.05; done
      sed -n "s/.*first screen after \([0-9]*\) ms/start_ms=\1/p" "$1/stderr"
      if [ "$2" = 1 ]; then
        sleep 10
        # The app and every process it started (WebKit web and network processes).
        pids="$pid"; frontier="$pid"
        while [ -n "$frontier" ]; do
          next=""; for q in $frontier; do next="$next $(pgrep -P "$q" | tr "\n" " ")"; done
          frontier="$(echo $next)"; pids="$pids $frontier"
        done
        total=0
        for p in $pids; do
          k=$(awk "/^Pss:/ {print \$2}" /proc/$p/smaps_rollup 2>/dev/null || echo 0)
          total=$((total + ${k:-0}))
        done
        names=""; for p in $pids; do names="$names $(cat /proc/$p/comm 2>/dev/null)"; done
        echo "idle_pss_kib=$total (processes:$names)"
      fi
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    ' "$app" "$data" "$i"
  rm -rf "$data"
done
