#!/usr/bin/env bash
# The normal-procedure walk-through as an end-to-end test (issue 16): runs
# scripts/demo-normal.sh on SQLite and, with ZHIFA_TEST_PG_URL, on a fresh
# PostgreSQL database, and checks what it printed and wrote: the officer's
# path is at most 12 steps, the case was filed and decided, the decision
# (read with pdftotext) carries every element of 行政处罚法 Art. 59, and the
# 卷宗 holds its cover, 目录, the decision, the evidence list and the
# timeline — in that order — each file downloaded from the server and
# checked against the hash it is held by (demo_normal_centre.py --fetch).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d /tmp/zhifa-normal.XXXXXX)"
trap 'rm -rf "$work"' EXIT

check() { # LABEL DIR: the walk-through's output in DIR/out.json
  python3 - "$1" "$2" <<'EOF'
import json, subprocess, sys
label, d = sys.argv[1], sys.argv[2]
r = json.loads(open(f"{d}/out.json").read().strip().splitlines()[-1])
problems = []
def expect(ok, what):
    if not ok:
        problems.append(what)
expect(len(r["officer_steps"]) <= 12, f"officer's path {len(r['officer_steps'])} steps (> 12)")
expect(r["officer_steps"][0] == "register_source", "the officer starts with 案源登记")
expect(r["centre_steps"][-1] == "archive", "the centre ends with 归档")
expect(r["filed_on"] <= r["decided_on"], "filed before decided")
def text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True, text=True).stdout
decision = text(r["decision_pdf"])
# 行政处罚法 Art. 59: (一) party, (二) facts, evidence and provisions
# violated, (三) kind and basis, (四) manner and period of performance,
# (五) remedy, body and period, (六) authority and date; with the number.
for element in ["行政处罚决定书", "罚决字", "张三（演示）", "500112", "和平街", "询问笔录",
                "重庆市市容环境卫生管理条例", "罚款", "捌仟", "十五日内", "行政复议", "重庆市渝北区人民政府",
                "行政诉讼", "重庆市渝北区人民法院", "重庆市渝北区龙兴镇人民政府", "2026年"]:
    expect(element in decision, f"the decision lacks {element}")
archive = text(r["archive_pdf"])
order = ["行政处罚案卷", "卷内目录", "法制审核意见书", "行政处罚决定书", "证据清单", "办案过程记录"]
pos = [archive.find(t) for t in order]
expect(all(p >= 0 for p in pos), f"the 卷宗 lacks one of {order}: {pos}")
expect(pos == sorted(pos), f"the 卷宗's parts are out of order: {list(zip(order, pos))}")
for step in ["案源登记", "立案", "法制审核", "作出决定", "送达", "结案", "归档", "演示-A0000000000000", "适用法律依据正确"]:
    expect(step in archive, f"the 卷宗's timeline lacks {step}")
if problems:
    sys.exit(f"{label}: " + "; ".join(problems))
print(f"{label}: case {r['case_id']}: {len(r['officer_steps'])} officer steps, {len(r['centre_steps'])} centre steps, decision and 卷宗 checked")
EOF
}

echo "-- on SQLite"
env -u ZHIFA_DATABASE_URL bash "$here/demo-normal.sh" "$work/sqlite" > "$work/sqlite.json"
mkdir -p "$work/sqlite" && cp "$work/sqlite.json" "$work/sqlite/out.json"
check sqlite "$work/sqlite"

if [ -n "${ZHIFA_TEST_PG_URL:-}" ]; then
  echo "-- on PostgreSQL"
  db="demo_normal_$$"
  psql -q "$ZHIFA_TEST_PG_URL" -c "CREATE DATABASE $db" > /dev/null
  url="${ZHIFA_TEST_PG_URL%/*}/$db"
  ZHIFA_DATABASE_URL="$url" bash "$here/demo-normal.sh" "$work/pg" > "$work/pg.json"
  cp "$work/pg.json" "$work/pg/out.json"
  psql -q "$url" -tAc "SELECT stage FROM procedure_case" | grep -qx archived \
    || { echo "PostgreSQL holds no archived case" >&2; exit 1; }
  check postgres "$work/pg"
  psql -q "$ZHIFA_TEST_PG_URL" -c "DROP DATABASE $db" > /dev/null
elif [ -n "${ZHIFA_REQUIRE_PG:-}" ]; then
  echo "ZHIFA_REQUIRE_PG is set but ZHIFA_TEST_PG_URL is not" >&2
  exit 1
fi
