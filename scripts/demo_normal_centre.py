#!/usr/bin/env python3
"""The centre's side of scripts/demo-normal.sh: one console step, or the
downloads at the end, as a demo staff account.

    demo_normal_centre.py URL ENROLMENT CASE ACCOUNT STEP_JSON
    demo_normal_centre.py URL ENROLMENT CASE ACCOUNT --fetch DIR

Signs in like a person does (password + the RFC 6238 code from the
account's TOTP secret; session cookie + CSRF token), once per account: the
sessions are kept beside the enrolment file, since a TOTP code is accepted
only once. Standard library only.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // 30))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off : off + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def request(url, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def session(base, enrolment, account):
    path = os.path.join(os.path.dirname(enrolment), "demo-sessions.json")
    sessions = json.load(open(path)) if os.path.exists(path) else {}
    if account in sessions:
        return sessions[account]
    staff = [s for s in json.load(open(enrolment))["staff"] if s["username"] == account][0]
    for attempt in range(3):
        body = {"username": account, "password": staff["password"], "totp": totp(staff["totp_secret"], time.time())}
        status, headers, raw = request(base + "/v1/console/session", "POST", body)
        if status == 200:
            break
        # A code of a step already used: wait for the next step.
        time.sleep(31 - time.time() % 30)
    else:
        sys.exit(f"{account} 无法登录：{status} {raw.decode()}")
    cookie = headers.get("set-cookie").split(";")[0]
    sessions[account] = {"cookie": cookie, "csrf": json.loads(raw)["csrf_token"]}
    json.dump(sessions, open(path, "w"))
    return sessions[account]


def main():
    base, enrolment, case, account = sys.argv[1:5]
    s = session(base, enrolment, account)
    auth = {"cookie": s["cookie"], "x-csrf-token": s["csrf"]}
    case_url = f"{base}/v1/console/procedure/cases/{case}"
    if sys.argv[5] == "--fetch":
        out = sys.argv[6]
        status, _, raw = request(case_url, headers=auth)
        if status != 200:
            sys.exit(f"读取案件失败：{status} {raw.decode()}")
        view = json.loads(raw)
        result = {}
        for kind, name, key in [("penalty_decision", "decision.pdf", "decision_pdf"), ("dossier", "archive.pdf", "archive_pdf")]:
            doc = [d for d in view["documents"] if d["kind"] == kind][0]
            status, _, pdf = request(f"{base}/v1/console/records/cases/{case}/files/{doc['sha256']}", headers=auth)
            if status != 200 or hashlib.sha256(pdf).hexdigest() != doc["sha256"]:
                sys.exit(f"{name} 下载失败或与哈希不符")
            target = os.path.join(out, name)
            open(target, "wb").write(pdf)
            result[key] = target
        result["filed_on"] = view["state"]["filed_on"]
        result["decided_on"] = view["state"]["decision"]["on"]
        print(json.dumps(result, ensure_ascii=False))
        return
    step = json.loads(sys.argv[5])
    status, _, raw = request(case_url + "/steps", "POST", {"step": step}, auth)
    if status != 200:
        sys.exit(f"{account} 的“{step['step']}”被拒绝：{status} {raw.decode()}")
    view = json.loads(raw)
    print(f"中心：{view['steps'][-1]['label']}（{view['steps'][-1]['role']}）→ {view['summary']['stage_label']}", file=sys.stderr)


if __name__ == "__main__":
    main()
