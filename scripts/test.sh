#!/usr/bin/env bash
# The README's test command: formatting, lints and every test — the Rust
# workspace (the server's storage tests on SQLite and on a throwaway
# PostgreSQL cluster, scripts/pg.sh), the UI (lint, type check, Vitest, build), the Playwright e2e
# of a whole case in Debian's Chromium against `zhifa web`, the centre's
# web console (lint, type check, generated API types up to date, Vitest,
# build — before the server is built, so it embeds the console — and its
# e2e against `zhifa-server serve --demo`), the Tauri
# shell's mock-runtime tests, and the desktop app's WebDriver smoke test
# under Xvfb. The evidence tests also run on a throwaway S3-compatible store
# (moto's server, scripts/s3.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Set-up first (idempotent; quick and quiet when everything is installed),
# so this one command is all a fresh Debian machine needs to run every test.
bash scripts/setup.sh
source scripts/env.sh

echo "== console: lint, type check, API types, unit tests, build (before cargo builds the server that embeds it)"
(cd console && npm run -s lint && npm run -s typecheck && npm run -s check:api && npm run -s test && npm run -s build)

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --all-targets -- -D warnings
echo "== PostgreSQL: a throwaway cluster for the server's PostgreSQL backend tests"
PG_DIR="$(mktemp -d /tmp/zhifa-pg.XXXXXX)"   # /tmp: the postgres user must reach it
S3_DIR="$(mktemp -d /tmp/zhifa-s3.XXXXXX)"
trap 'bash scripts/pg.sh stop "$PG_DIR"; bash scripts/s3.sh stop "$S3_DIR"' EXIT
PG_ENV="$(bash scripts/pg.sh start "$PG_DIR")"   # set -e: stops here if the cluster fails to start
eval "$PG_ENV"
export ZHIFA_TEST_PG_URL
export ZHIFA_REQUIRE_PG=1   # a PostgreSQL test that cannot run fails, never skips
echo "== S3: a throwaway moto server for the evidence-store tests"
S3_ENV="$(bash scripts/s3.sh start "$S3_DIR")"   # set -e: stops here if it fails to start
eval "$S3_ENV"
export ZHIFA_TEST_S3_URL AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ALLOW_HTTP
export ZHIFA_REQUIRE_S3=1   # an S3 test that cannot run fails, never skips

export ZHIFA_REQUIRE_OCR=1   # the OCR tests read real ID-card images; missing models fail, never skip
echo "== cargo test"
cargo test --locked

echo "== ui: lint, type check, unit tests, build"
(cd ui && npm run -s lint && npm run -s typecheck && npm run -s test && npm run -s build)

echo "== ui e2e: Chromium through a whole case against zhifa web (phone and tablet), synced with a real zhifa-server --demo; 不予处罚 on a child (Art. 30) and on 首违不罚 (Art. 33 ¶1), each with its 不予行政处罚决定书 previewed, signed and printed, a second 首违 of the same party refused, axe-core on those screens and on the sync screen's record tabs"
cargo build --locked -q -p zhifa-cli -p zhifa-server
ZHIFA_BIN="$CARGO_TARGET_DIR/debug/zhifa" ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" node ui/e2e/case.e2e.mjs
echo "== ui e2e: Chromium through a joint inspection over four departments with its 亮码 verified and rated on a real zhifa-server (phone and tablet)"
ZHIFA_BIN="$CARGO_TARGET_DIR/debug/zhifa" ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" node ui/e2e/inspection.e2e.mjs

echo "== ui e2e: Chromium through the officer's part of a normal-procedure case (phone and tablet) against zhifa web and a real zhifa-server, the centre's steps through the console API; steps, screens, taps and the system's time per step printed; axe-core on every screen"
ZHIFA_BIN="$CARGO_TARGET_DIR/debug/zhifa" ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" node ui/e2e/normal.e2e.mjs
echo "== normal procedure: the walk-through (scripts/demo-normal.sh) on SQLite and PostgreSQL, its decision and 卷宗 read back with pdftotext"
ZHIFA_BIN="$CARGO_TARGET_DIR/debug/zhifa" ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" bash scripts/e2e-normal.sh
echo "== console e2e: Chromium signs in (password + TOTP) to the console of a real zhifa-server --demo (1366×768 and 1920×1080), a synced demo case listed and opened, axe-core on every screen"
ZHIFA_BIN="$CARGO_TARGET_DIR/debug/zhifa" ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" node console/e2e/console.e2e.mjs

echo "== src-tauri: clippy and the mock-runtime command tests"
cargo clippy --locked -p zhifa-app --all-targets -- -D warnings
cargo test --locked -p zhifa-app

echo "== src-tauri: WebDriver smoke test of the desktop app (tauri-driver + WebKitWebDriver, Xvfb)"
cargo build --locked -q -p zhifa-app
ZHIFA_SERVER_BIN="$CARGO_TARGET_DIR/debug/zhifa-server" bash scripts/webdriver.sh "$CARGO_TARGET_DIR/debug/zhifa-app"
