#!/usr/bin/env bash
# The desktop app's WebDriver smoke test: under Xvfb, tauri-driver wraps
# Debian's WebKitWebDriver, which starts the app on a fresh data folder
# (sample defaults, file key: a headless session has no Secret Service).
#   [ZHIFA_SERVER_BIN=PATH/TO/zhifa-server] bash scripts/webdriver.sh PATH/TO/zhifa-app
set -euo pipefail
cd "$(dirname "$0")/.."
app="$(readlink -f "$1")"
driver="${TAURI_DRIVER:-$HOME/.cache/zhifa/tools/bin/tauri-driver}"
[ -x "$driver" ] || driver="$(command -v tauri-driver)" || { echo "webdriver: tauri-driver missing (run scripts/setup.sh)" >&2; exit 1; }
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
port="${WEBDRIVER_PORT:-4444}"
export ZHIFA_DATA="$data" ZHIFA_KEYSTORE=file NO_AT_BRIDGE=1
# With ZHIFA_SERVER_BIN, a local `zhifa-server --demo` runs alongside and
# the app enrols with it at start (as scripts/run.sh does): the smoke test
# then checks the sync screen's live state arrives through Tauri events.
if [ -n "${ZHIFA_SERVER_BIN:-}" ]; then
  mkdir -p "$data/server"
  "$ZHIFA_SERVER_BIN" serve --data "$data/server" --listen 127.0.0.1:0 --demo >"$data/server.out" 2>"$data/server.log" &
  server_pid=$!
  trap 'kill $server_pid 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 100); do [ -s "$data/server/demo-enrolment.json" ] && [ -s "$data/server.out" ] && break; sleep 0.1; done
  ZHIFA_SERVER_URL="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["listening"])' "$data/server.out")"
  ZHIFA_ENROL_CODE="$(python3 -c 'import json,sys; print(next(o["code"] for o in json.load(open(sys.argv[1]))["officers"] if o["id"]=="OFF-LX-01"))' "$data/server/demo-enrolment.json")"
  export ZHIFA_SERVER_URL ZHIFA_ENROL_CODE
  # The app's own store lives beside the server's, not inside it.
  export ZHIFA_DATA="$data/app"
fi
xvfb-run -a -s '-screen 0 1024x1280x24' bash -c '
  "$0" --port "$1" --native-port "$(( $1 + 1 ))" --native-driver /usr/bin/WebKitWebDriver > "$3/driver.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/status" >/dev/null 2>&1 && break; sleep 0.1; done
  node ui/e2e/tauri.webdriver.mjs "$2" "http://127.0.0.1:$1"; rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ $rc -eq 0 ] || cat "$3/driver.log" >&2
  exit $rc
' "$driver" "$port" "$app" "$data"
