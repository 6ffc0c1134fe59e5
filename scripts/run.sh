#!/usr/bin/env bash
# The main job: build the UI and start the desktop app (Tauri) on the
# embedded defaults — the sample catalogue, the sample officers with
# 张建国 (OFF-LX-01) enrolled with the sample PIN 246813, the sample
# township's number leases — in the per-user data folder (or $ZHIFA_DATA).
# Where no display exists it says so, runs the headless walk-through (a
# catalogue search and one whole simple-procedure case with `zhifa demo`)
# and prints how to open the same screens in a browser with `zhifa web`
# (ZHIFA_WEB=1 starts it right away).
#   bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

echo "== building the UI (ui/dist)"
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
(cd ui && npm run -s build)

# Hook for the central service: once the sync issue lands, a local
# `zhifa-server --demo` starts here alongside the app.
start_sync_server() {
  if cargo metadata --no-deps --format-version 1 2>/dev/null | grep -q '"name":"zhifa-server"' \
    && "$CARGO_TARGET_DIR/release/zhifa-server" --help 2>/dev/null | grep -q -- '--demo'; then
    "$CARGO_TARGET_DIR/release/zhifa-server" --demo &
    echo "== zhifa-server --demo started (pid $!)"
  else
    echo "== (no local sync server yet: it arrives with the sync issue; the app keeps every record in its outbox)"
  fi
}

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "== building the desktop app (release; the first build takes several minutes)"
  cargo build --locked --release -q -p zhifa-app --features tauri/custom-protocol
  start_sync_server
  echo "== starting 掌上执法 — sign in as 张建国 with the sample PIN 246813"
  exec "$CARGO_TARGET_DIR/release/zhifa-app"
fi

echo "== no display found (DISPLAY/WAYLAND_DISPLAY unset): the desktop app needs one."
cargo build --locked --release -q -p zhifa-cli
zhifa="$CARGO_TARGET_DIR/release/zhifa"
"$zhifa" catalogue import schema/catalogue/sample/chongqing-sample.json
"$zhifa" settings get township | grep -q '未设置' && "$zhifa" settings set township 500112108
echo "== zhifa catalogue search zdjy"
"$zhifa" catalogue search zdjy --limit 5
echo "== zhifa demo (a whole simple-procedure case, headless)"
"$zhifa" demo
echo
echo "To use the app's screens in a browser on this machine instead, run:"
echo "  $zhifa web --sample --ui ui/dist --listen 127.0.0.1:8765"
echo "and open the URL it prints first (it carries the access token); sign in as 张建国 with PIN 246813."
if [ -n "${ZHIFA_WEB:-}" ]; then
  exec "$zhifa" web --sample --ui ui/dist --listen 127.0.0.1:8765
fi
