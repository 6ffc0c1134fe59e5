#!/usr/bin/env bash
# The main job, on embedded defaults: a local encrypted store in the
# per-user data folder (or $ZHIFA_DATA), the sample catalogue imported
# (a no-op when already there), the first sample township selected, and
# a catalogue search — by default for "zdjy" (占道经营).
# Then one whole simple-procedure case on the sample data (zhifa demo):
# evidence photo, decision issued with a leased number, served with a
# signature, its PDF and payment QR written under the data folder.
#   bash scripts/run.sh [QUERY]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --locked --release -q -p zhifa-cli
zhifa="$CARGO_TARGET_DIR/release/zhifa"
"$zhifa" catalogue import schema/catalogue/sample/chongqing-sample.json
"$zhifa" settings get township | grep -q '未设置' && "$zhifa" settings set township 500112108
query="${1:-zdjy}"
echo "== zhifa catalogue search $query"
"$zhifa" catalogue search "$query" --limit 10
code=$("$zhifa" catalogue search "$query" --limit 1 --json | sed -n 's/.*"code": "\(.*\)".*/\1/p' | head -1)
if [ -n "$code" ]; then
  echo "== zhifa catalogue show $code"
  "$zhifa" catalogue show "$code"
fi
echo "== zhifa demo (a whole simple-procedure case)"
"$zhifa" demo
"$zhifa" evidence verify
