#!/usr/bin/env bash
# Set-up step 1 of 2: everything Zhifa needs on a fresh Debian machine.
# Idempotent and quiet when all is present; run as root or with sudo.
#   - Debian packages: C toolchain for SQLCipher/OpenSSL, pdftotext for
#     document tests, GNU time for the memory benchmark, the openssl
#     command for the sync TLS test.
#   - Rust components: rustfmt and clippy (the README's test command uses them).
#   - All crates, fetched once, so later builds need no network.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential pkg-config perl make time poppler-utils openssl)

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
echo "setup: done"
