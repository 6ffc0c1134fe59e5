# Sourced by the other scripts: one cargo target folder outside the clone,
# kept between runs (CI clones afresh each time; the build cache survives).
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="${ZHIFA_TARGET_DIR:-$HOME/.cache/zhifa/target}"
fi
mkdir -p "$CARGO_TARGET_DIR"
# No incremental caches: every CI run starts from a fresh clone, so they are
# never reused, and on this disk they grew to ~11 GB.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
