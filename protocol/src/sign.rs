//! Canonical bytes that devices sign and the server verifies.
//!
//! JSON is not canonical on its own (key order, whitespace, number forms),
//! so nothing signs JSON text as sent. Payloads are hashed over
//! [`canonical_json`] (object keys sorted by their UTF-8 bytes, no
//! whitespace, serde_json's number and string forms), and a push is signed
//! over a line-oriented text built from the batch's header and each
//! mutation's key fields and payload hash ([`push_bytes`]). Each text
//! starts with a domain-separation tag, so a signature for one purpose can
//! never pass for another.

use sha2::{Digest, Sha256};

use crate::wire::PushRequest;

/// The canonical JSON text of `v`: keys sorted, no whitespace.
pub fn canonical_json(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(*k) {
                    write_canonical(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SHA-256 (hex) of [`canonical_json`] of a payload.
pub fn payload_sha256(v: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(canonical_json(v).as_bytes()))
}

/// The bytes a push batch is signed over: the tag, device id and batch id,
/// then one line per mutation `seq \t mutation_id \t entity \t entity_id \t
/// op \t payload_sha256 \t device_time`.
pub fn push_bytes(req: &PushRequest) -> Vec<u8> {
    let mut s = format!("zhifa-push-v1\n{}\n{}\n", req.device_id, req.batch_id);
    for m in &req.mutations {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            m.seq, m.mutation_id, m.entity, m.entity_id, m.op, m.payload_sha256, m.device_time
        ));
    }
    s.into_bytes()
}

/// The bytes an enrolment is signed over (proof the device holds the key).
pub fn enrol_bytes(code: &str, device_id: &str, public_key: &str) -> Vec<u8> {
    format!("zhifa-enrol-v1\n{code}\n{device_id}\n{public_key}\n").into_bytes()
}

/// The bytes a token refresh is signed over. The refresh token is single
/// use (rotated on every refresh), so a captured request cannot be replayed.
pub fn refresh_bytes(device_id: &str, refresh_token: &str) -> Vec<u8> {
    format!("zhifa-refresh-v1\n{device_id}\n{refresh_token}\n").into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_drops_whitespace() {
        let a: serde_json::Value = serde_json::from_str(
            r#"{ "b": 1, "a": {"z": [1, {"y": "中", "x": null}], "c": true}}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"c":true,"z":[1,{"x":null,"y":"中"}]},"b":1}"#
        );
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"z":[1,{"x":null,"y":"中"}],"c":true},"b":1}"#).unwrap();
        assert_eq!(payload_sha256(&a), payload_sha256(&b));
    }

    #[test]
    fn signing_texts_are_domain_separated() {
        assert_ne!(enrol_bytes("a", "b", "c"), refresh_bytes("b", "a"));
        assert!(enrol_bytes("a", "b", "c").starts_with(b"zhifa-enrol-v1\n"));
    }
}
