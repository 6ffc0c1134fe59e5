#!/usr/bin/env bash
# The main job: build the UI and start the desktop app (Tauri) on the
# embedded defaults — the sample catalogue, the sample officers with
# 张建国 (OFF-LX-01) enrolled with the sample PIN 246813 — in the per-user
# data folder (or $ZHIFA_DATA), with a local `zhifa-server --demo`
# alongside: the app enrols its store with the server's one-time code at
# start, takes its number leases from it and syncs in the background.
# Where no display exists it says so, runs the headless walk-through (a
# catalogue search and one whole simple-procedure case with `zhifa demo`)
# and prints how to open the same screens in a browser with `zhifa web`
# (ZHIFA_WEB=1 starts it right away).
#   bash scripts/run.sh   (set-up included: scripts/setup.sh runs first)
set -euo pipefail
cd "$(dirname "$0")/.."
# Set-up first: installs whatever is missing (Debian packages, Rust
# components, crates, npm packages) and is quick and quiet when all is there,
# so this one command is all a fresh Debian machine needs.
bash scripts/setup.sh
source scripts/env.sh

echo "== building the UI (ui/dist) and the centre's web console (console/dist, embedded in zhifa-server)"
(cd ui && npm run -s build)
(cd console && npm run -s build)

# The central service on loopback, on its embedded defaults: SQLite in
# its own data folder, the sample catalogue published, fresh one-time
# enrolment codes for the sample officers in demo-enrolment.json.
SERVER_DATA="${ZHIFA_SERVER_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/zhifa-server}"
SERVER_ADDR="${ZHIFA_SERVER_LISTEN:-127.0.0.1:8780}"
start_sync_server() {
  cargo build --locked --release -q -p zhifa-server
  mkdir -p "$SERVER_DATA"
  rm -f "$SERVER_DATA/demo-enrolment.json"
  "$CARGO_TARGET_DIR/release/zhifa-server" serve --data "$SERVER_DATA" --listen "$SERVER_ADDR" --demo \
    >"$SERVER_DATA/server.log" 2>&1 &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
  # The officers' codes are written first, the console accounts (`staff`)
  # right after.
  for _ in $(seq 1 100); do
    grep -q '"staff"' "$SERVER_DATA/demo-enrolment.json" 2>/dev/null && break
    sleep 0.1
  done
  echo "== zhifa-server --demo on http://$SERVER_ADDR (pid $SERVER_PID, data $SERVER_DATA, log server.log)"
  console_signin
}

# The centre's web console and the demo reviewer's sign-in (password and
# the secret for an authenticator app; every account is in the file).
console_signin() {
  python3 - "$SERVER_DATA/demo-enrolment.json" "http://$SERVER_ADDR/console/" <<'PY' || true
import json, sys
staff = json.load(open(sys.argv[1])).get("staff", [])
r = next((s for s in staff if s["username"] == "demo-reviewer"), None)
if r:
    print(f"== 指挥中心控制台 {sys.argv[2]}  登录名 {r['username']}  密码 {r['password']}")
    print(f"   动态验证码：在身份验证器中添加密钥 {r['totp_secret']}（或扫描 {r['otpauth_url']} 的二维码）")
    print(f"   其他角色的账号见 {sys.argv[1]} 的 staff")
PY
}

# The one-time code of sample officer 张建国 (OFF-LX-01) from the server.
demo_code() {
  python3 -c 'import json,sys; print(next(o["code"] for o in json.load(open(sys.argv[1]))["officers"] if o["id"]=="OFF-LX-01"))' \
    "$SERVER_DATA/demo-enrolment.json"
}

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "== building the desktop app (release; the first build takes several minutes)"
  cargo build --locked --release -q -p zhifa-app --features tauri/custom-protocol
  start_sync_server
  # The app enrols its own store (in its data folder) with the server's
  # one-time code for 张建国 at start, unless it is enrolled already, and
  # then syncs in the background: at start, at sign-in, after each case,
  # when the connection returns and every minute.
  export ZHIFA_SERVER_URL="http://$SERVER_ADDR"
  ZHIFA_ENROL_CODE="$(demo_code)"
  export ZHIFA_ENROL_CODE
  echo "== starting 掌上执法 — sign in as 张建国 with the sample PIN 246813; it syncs with $ZHIFA_SERVER_URL"
  # Not exec: the server is stopped (EXIT trap) when the app closes.
  "$CARGO_TARGET_DIR/release/zhifa-app"
  exit $?
fi

echo "== no display found (DISPLAY/WAYLAND_DISPLAY unset): the desktop app needs one."
cargo build --locked --release -q -p zhifa-cli
zhifa="$CARGO_TARGET_DIR/release/zhifa"
"$zhifa" catalogue import schema/catalogue/sample/chongqing-sample.json
"$zhifa" settings get township | grep -q '未设置' && "$zhifa" settings set township 500112108
echo "== zhifa catalogue search zdjy"
"$zhifa" catalogue search zdjy --limit 5
start_sync_server
echo "== zhifa enrol (this device, as 张建国, with the server's one-time code)"
"$zhifa" enrol --server "http://$SERVER_ADDR" --code "$(demo_code)" \
  || echo "(enrolment refused — see the message above; the demo still runs offline)"
echo "== zhifa sync (first sync: the sample catalogue and this device's number leases from the server)"
"$zhifa" sync || echo "(sync failed — the demo still runs offline)"
echo "== zhifa demo (a whole simple-procedure case, headless)"
"$zhifa" demo
echo "== zhifa sync (push the case, its evidence and numbers; pull inbox, catalogue, leases)"
"$zhifa" sync || echo "(sync failed — the case stays in the outbox and goes with the next sync)"
"$CARGO_TARGET_DIR/release/zhifa-server" --data "$SERVER_DATA" case list
echo
echo "To use the app's screens in a browser on this machine instead, run:"
echo "  $zhifa web --sample --listen 127.0.0.1:8765"
echo "and open the URL it prints first (it carries the access token); sign in as 张建国 with PIN 246813."
if [ -n "${ZHIFA_WEB:-}" ]; then
  exec "$zhifa" web --sample --listen 127.0.0.1:8765
fi
