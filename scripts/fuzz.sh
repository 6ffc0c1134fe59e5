#!/usr/bin/env bash
# Builds and runs the fuzz targets of tests/fuzz (cargo-fuzz, libFuzzer).
# Not part of CI. docs/BENCHMARKS.md ("Fuzzing") has the figures.
#
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]    # default: all, 600 s each
#   bash scripts/fuzz.sh build                     # build only
#   bash scripts/fuzz.sh list
#
# The toolchain is stable; cargo-fuzz needs -Zsanitizer, so the build runs
# with RUSTC_BOOTSTRAP=1 and AddressSanitizer (ZHIFA_FUZZ_SANITIZER=none
# to build without). Each run starts from the seeds in
# tests/fuzz/seeds/TARGET (checked in) plus the grown corpus in
# $ZHIFA_FUZZ_WORK/corpus/TARGET (not checked in); crashes land in
# $ZHIFA_FUZZ_WORK/artifacts/TARGET. The servers and stores the targets
# open live in a tmpfs folder ($TMPDIR, default /dev/shm/zhifa-fuzz).
# The fuzzers run at nice 19: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ_DIR=tests/fuzz
TARGETS=(id_checkers catalogue_import image_decode push_decode upload_patch badge_decode catalogue_delta)

export RUSTC_BOOTSTRAP=1
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${ZHIFA_TARGET_DIR:-$HOME/.cache/zhifa/target}/fuzz}"
SAN="${ZHIFA_FUZZ_SANITIZER:-address}"
WORK="${ZHIFA_FUZZ_WORK:-$CARGO_TARGET_DIR/zhifa-fuzz}"
export TMPDIR="${TMPDIR_FUZZ:-/dev/shm/zhifa-fuzz}"
mkdir -p "$TMPDIR" "$WORK"

if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi

build() {
  cargo fuzz build --fuzz-dir "$FUZZ_DIR" --sanitizer "$SAN" \
    --codegen-units 16 --target-dir "$CARGO_TARGET_DIR" "$@"
}

# Per-target libFuzzer options: the largest seed decides -max_len.
opts() {
  case "$1" in
    catalogue_import) echo "-max_len=262144 -rss_limit_mb=4096" ;;
    image_decode) echo "-max_len=65536 -rss_limit_mb=4096 -malloc_limit_mb=1024" ;;
    push_decode) echo "-max_len=16384" ;;
    upload_patch) echo "-max_len=16384" ;;
    *) echo "-max_len=8192" ;;
  esac
}

run() {
  local t=$1 secs=$2
  local corpus="$WORK/corpus/$t" art="$WORK/artifacts/$t/"
  mkdir -p "$corpus" "$art"
  local seeds=()
  [ -d "$FUZZ_DIR/seeds/$t" ] && seeds=("$ROOT/$FUZZ_DIR/seeds/$t")
  echo "== $t: ${secs}s"
  # shellcheck disable=SC2046
  nice -n 19 cargo fuzz run --fuzz-dir "$FUZZ_DIR" --sanitizer "$SAN" \
    --codegen-units 16 --target-dir "$CARGO_TARGET_DIR" "$t" "$corpus" "${seeds[@]}" -- \
    -max_total_time="$secs" -timeout=30 -print_final_stats=1 -detect_leaks=0 \
    -artifact_prefix="$art" $(opts "$t") 2>&1 | tee "$WORK/$t.log" | grep -E "^(#[0-9]+ +(INITED|DONE|pulse)|==|stat::|SUMMARY|Done|.*panicked)" || true
  # Collect the figures docs/BENCHMARKS.md reports.
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|DONE|INITED" "$WORK/$t.log" | tail -6 || true
  ls "$art" 2>/dev/null | sed 's/^/artifact: /' || true
}

case "${1:-all}" in
  list) printf '%s\n' "${TARGETS[@]}" ;;
  build) build ;;
  all)
    build
    for t in "${TARGETS[@]}"; do run "$t" "${2:-600}"; done
    ;;
  *)
    build "$1"
    run "$1" "${2:-600}"
    ;;
esac
