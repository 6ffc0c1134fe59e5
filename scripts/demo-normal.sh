#!/usr/bin/env bash
# A whole normal-procedure case (普通程序), start to archive, that a new user
# can run: scripts/demo-normal.sh DIR
#
# It starts its own `zhifa-server serve --demo` on a free loopback port in
# DIR/server, runs the officer's steps with the `zhifa` device CLI in
# DIR/device (案源登记, 调查取证, 调查终结, 事先告知, 放弃陈述申辩和听证, 送达,
# 确认缴款 — each checked offline by the procedure core, then synced), and
# the centre's steps through the console API, signed in with the demo's
# staff accounts of DIR/server/demo-enrolment.json (password + TOTP):
# 立案, 案件审核, 负责人审批, 提交法制审核, 法制审核, 决定 (numbered, rendered
# and sealed on the server), 公示, 结案, 归档 (the 卷宗). It downloads the
# decision and the 卷宗 into DIR, stops the server and prints, as its last
# line, one JSON object: case_id, decision_pdf, archive_pdf, filed_on,
# decided_on, officer_steps, centre_steps.
#
# Binaries: ZHIFA_BIN and ZHIFA_SERVER_BIN, or built here (debug).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dir="${1:?usage: scripts/demo-normal.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ -z "${ZHIFA_BIN:-}" ] || [ -z "${ZHIFA_SERVER_BIN:-}" ]; then
  # shellcheck source=scripts/env.sh
  . "$here/env.sh"
  (cd "$root" && cargo build -q -p zhifa-cli -p zhifa-server) >&2
  ZHIFA_BIN="${ZHIFA_BIN:-$CARGO_TARGET_DIR/debug/zhifa}"
  ZHIFA_SERVER_BIN="${ZHIFA_SERVER_BIN:-$CARGO_TARGET_DIR/debug/zhifa-server}"
fi
rm -rf "$dir/server" "$dir/device"
mkdir -p "$dir/server" "$dir/device"

# The server, on a free port; its first stdout line is {"listening": URL}.
"$ZHIFA_SERVER_BIN" serve --data "$dir/server" --listen 127.0.0.1:0 --demo \
  > "$dir/server.out" 2> "$dir/server.log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$dir/server.out" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.1
done
url="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["listening"])' "$dir/server.out")"
echo "中心：$url" >&2

dev() { "$ZHIFA_BIN" --data "$dir/device" "$@"; }
# The device: sample catalogue, officers and township settings, then
# enrolment as OFF-LX-01.
dev demo > /dev/null
code="$(python3 -c 'import json,sys; print([o["code"] for o in json.load(open(sys.argv[1]))["officers"] if o["id"]=="OFF-LX-01"][0])' "$dir/server/demo-enrolment.json")"
dev enrol --server "$url" --code "$code" > /dev/null
dev sync > /dev/null

officer_steps=()
step() { # NAME JSON [RECORD]: one officer step, offline, with the record written with it
  officer_steps+=("$1")
  if [ -n "${3:-}" ]; then
    dev --json normal step "$case_id" --step "$2" --record "$3" > /dev/null
  else
    dev --json normal step "$case_id" --step "$2" > /dev/null
  fi
}
# The party's signature as drawn on the pad: a small PNG, in hex.
sig_png="$(python3 - <<'PNG'
import struct, zlib
w, h = 120, 40
rows = b"".join(b"\0" + bytes(0 if abs(y - 20 - (x % 17) + 8) < 2 else 255 for x in range(w)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
print(png.hex())
PNG
)"
now_min() { TZ=Asia/Shanghai date -d "${1:-now}" +%Y-%m-%dT%H:%M:00; }
signed() { printf '{"kind":"signed","name":"张三（演示）","png":"%s","signed_at":"%s"}' "$sig_png" "$(now_min)"; }
centre() { # NAME ACCOUNT JSON
  python3 "$here/demo_normal_centre.py" "$url" "$dir/server/demo-enrolment.json" "$case_id" "$2" "$3"
  centre_steps+=("$1")
}
centre_steps=()

party='{"kind":"individual","name":"张三（演示）","id_number":"500112199001011237","phone":"13800000000","address":"重庆市渝北区龙兴镇和平街1号"}'
case_id="$(dev --json normal new --township 500112108 --matter CG-001 --party "$party" \
  --place "龙兴镇和平街" --facts "当事人在和平街人行道上摆摊经营水果，占用道路约6平方米，经劝阻仍未撤离" \
  --officer OFF-LX-01 --officer OFF-LX-02 --source 巡查 \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["case_id"])')"
officer_steps+=("register_source")
dev sync > /dev/null

centre file demo-approver '{"step":"file"}'
dev sync > /dev/null
step investigate '{"step":"investigate","act":"询问笔录","officers":["OFF-LX-01","OFF-LX-02"]}' \
  "{\"record\":\"interview\",\"start\":\"$(now_min '20 minutes ago')\",\"end\":\"$(now_min)\",\"place\":\"龙兴镇综合行政执法办公室\",\"relation\":\"当事人本人\",\"qa\":[{\"question\":\"你是否在和平街人行道上摆摊经营水果？\",\"answer\":\"是的，摆了一个上午。\"},{\"question\":\"占用面积多大？\",\"answer\":\"大约六平方米。\"}],\"signature\":$(signed)}"
step investigate '{"step":"investigate","act":"现场检查（勘验）笔录","officers":["OFF-LX-01","OFF-LX-02"]}'
step end_investigation '{"step":"end_investigation","proposal":{"outcome":"penalty","penalty":{"kinds":["fine"],"fine_fen":800000}},"flags":{"review_grounds":["major_rights"]}}'
dev sync > /dev/null

centre review_case demo-reviewer '{"step":"review_case","passed":true,"opinion":"事实清楚，证据确凿，程序合法，拟处理意见适当"}'
centre approve_proposal demo-approver '{"step":"approve_proposal"}'
dev sync > /dev/null
step inform '{"step":"inform","penalty":{"kinds":["fine"],"fine_fen":800000},"facts":"当事人在和平街人行道上摆摊经营水果，占用道路约6平方米","reasons":"当事人的行为违反了《重庆市市容环境卫生管理条例》第十八条第一款","basis":["《重庆市市容环境卫生管理条例》第十八条第二款"],"hearing_offered":true,"officers":["OFF-LX-01","OFF-LX-02"]}'
step waive '{"step":"waive","statement":true,"hearing":true}'
dev sync > /dev/null

centre submit_legal_review demo-reviewer '{"step":"submit_legal_review"}'
centre legal_review demo-reviewer '{"step":"legal_review","qualification":"","passed":true,"opinion":"主体适格，事实清楚，证据确凿，适用依据正确，程序合法，裁量适当","checklist":[{"point":"执法主体合法、执法人员具备资格","finding":"符合"},{"point":"案件事实清楚","finding":"符合"},{"point":"证据确凿充分","finding":"符合"},{"point":"适用法律依据正确","finding":"符合"},{"point":"程序合法","finding":"符合"},{"point":"裁量基准适用适当","finding":"符合"}]}'
centre decide demo-approver '{"step":"decide","outcome":{"outcome":"penalty","penalty":{"kinds":["fine"],"fine_fen":800000}},"number":""}'
dev sync > /dev/null
step serve '{"step":"serve","method":{"method":"direct"},"officers":["OFF-LX-01","OFF-LX-02"]}' \
  "{\"record\":\"service_receipt\",\"place\":\"重庆市渝北区龙兴镇和平街1号\",\"received_at\":\"$(now_min)\",\"signature\":$(signed)}"
dev sync > /dev/null
centre publish demo-reviewer '{"step":"publish"}'
dev sync > /dev/null
step confirm_payment '{"step":"confirm_payment","amount_fen":800000}'
dev sync > /dev/null
centre close demo-approver '{"step":"close","reason":"罚款已全额缴纳，案件执行完毕"}'
centre archive demo-admin '{"step":"archive"}'
dev sync > /dev/null

# The decision and the 卷宗, downloaded and hash-checked; the dates.
python3 "$here/demo_normal_centre.py" "$url" "$dir/server/demo-enrolment.json" "$case_id" demo-approver --fetch "$dir" > "$dir/fetched.json"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
trap - EXIT
python3 - "$dir/fetched.json" "$case_id" "${officer_steps[*]}" "${centre_steps[*]}" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
print(json.dumps({
    "case_id": sys.argv[2],
    "decision_pdf": f["decision_pdf"],
    "archive_pdf": f["archive_pdf"],
    "filed_on": f["filed_on"],
    "decided_on": f["decided_on"],
    "officer_steps": sys.argv[3].split(),
    "centre_steps": sys.argv[4].split(),
}, ensure_ascii=False))
EOF
