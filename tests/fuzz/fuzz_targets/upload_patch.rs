//! The upload stream (`POST /v1/uploads`, `PATCH /v1/uploads/{id}`) with
//! arbitrary declarations, offsets, checksums, headers and bytes, against
//! an in-process server (real router, SQLite and filesystem evidence store
//! on tmpfs) as an enrolled device. Checked: no panic, no 500, every
//! refusal JSON with a stable code, offsets never beyond the declared
//! size, and the byte stream never corrupts a blob: whenever the server
//! calls a hash verified, the stored blob's SHA-256 and size are the
//! declared ones (and any blob stored under the hash hashes to it).
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use zhifa_fuzz::{Enrolled, Harness, assert_answer};
use zhifa_sync::wire::UploadState;
use zhifa_tests::OFFICERS;

static H: LazyLock<(Harness, Enrolled)> = LazyLock::new(|| {
    let h = Harness::new();
    let d = h.enrol(OFFICERS[0], [3; 32]);
    (h, d)
});

#[derive(Arbitrary, Debug)]
enum Declare {
    Honest,
    Size(u64),
    Hash([u8; 32]),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Offset {
    Server,
    Value(u64),
    Missing,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Chunk {
    /// The next `n` bytes of the content at the offset sent.
    Next(u16),
    Bytes(Vec<u8>),
    Empty,
}

#[derive(Arbitrary, Debug)]
enum Checksum {
    Right,
    Wrong([u8; 32]),
    Missing,
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Target {
    Current,
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct Step {
    offset: Offset,
    chunk: Chunk,
    checksum: Checksum,
    target: Target,
    headers: Vec<(String, String)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    content: Vec<u8>,
    declare: Declare,
    media_type: String,
    steps: Vec<Step>,
}

/// Any blob stored under `sha` is intact; `Some(len)` when one is.
fn check_stored(h: &Harness, sha: &str) -> Option<usize> {
    let stored = h.rt.block_on(h.server.stored(sha))?;
    assert_eq!(
        hex::encode(Sha256::digest(&stored)),
        sha,
        "blob stored under {sha} does not hash to it"
    );
    Some(stored.len())
}

fuzz_target!(|input: Input| {
    let (h, dev) = &*H;
    let headers = Harness::json_headers(Some(dev.token.as_str()));
    let true_sha = hex::encode(Sha256::digest(&input.content));
    let (sha, size) = match &input.declare {
        Declare::Honest => (true_sha.clone(), input.content.len() as u64),
        Declare::Size(n) => (true_sha.clone(), *n),
        Declare::Hash(x) => (hex::encode(x), input.content.len() as u64),
        Declare::Raw(s) => (s.clone(), input.content.len() as u64),
    };
    let body = serde_json::json!({"sha256": sha, "size": size, "media_type": input.media_type});
    let a = h.send(
        "POST",
        "/v1/uploads",
        &headers,
        serde_json::to_vec(&body).unwrap(),
    );
    assert_answer("upload create", &a);
    if a.status != 200 && a.status != 201 {
        return;
    }
    let st: UploadState = serde_json::from_slice(&a.body).expect("upload state");
    assert!(st.offset <= st.size, "{st:?}");
    if st.verified {
        let len = check_stored(h, &sha).expect("verified blob is stored");
        assert_eq!(len as u64, size, "verified blob of another size");
        return;
    }
    let id = st.upload_id.clone();
    let mut server_offset = st.offset;
    for step in input.steps.iter().take(16) {
        let offset = match &step.offset {
            Offset::Server => Some(server_offset.to_string()),
            Offset::Value(v) => Some(v.to_string()),
            Offset::Missing => None,
            Offset::Text(t) => Some(t.clone()),
        };
        let at = offset
            .as_deref()
            .and_then(|o| o.parse::<usize>().ok())
            .unwrap_or(0);
        let chunk = match &step.chunk {
            Chunk::Next(n) => {
                let from = at.min(input.content.len());
                let to = from
                    .saturating_add(usize::from(*n))
                    .min(input.content.len());
                input.content[from..to].to_vec()
            }
            Chunk::Bytes(b) => b.clone(),
            Chunk::Empty => Vec::new(),
        };
        let b64 = base64::engine::general_purpose::STANDARD;
        let checksum = match &step.checksum {
            Checksum::Right => Some(format!("sha256 {}", b64.encode(Sha256::digest(&chunk)))),
            Checksum::Wrong(x) => Some(format!("sha256 {}", b64.encode(x))),
            Checksum::Missing => None,
            Checksum::Text(t) => Some(t.clone()),
        };
        let mut hs = vec![
            (
                "content-type".to_owned(),
                "application/offset+octet-stream".to_owned(),
            ),
            ("sync-protocol".to_owned(), "1".to_owned()),
            ("authorization".to_owned(), format!("Bearer {}", dev.token)),
        ];
        if let Some(o) = offset {
            hs.push(("upload-offset".into(), o));
        }
        if let Some(c) = checksum {
            hs.push(("upload-checksum".into(), c));
        }
        hs.extend(step.headers.iter().take(4).cloned());
        let path = match &step.target {
            Target::Current => format!("/v1/uploads/{id}"),
            Target::Other(o) => format!("/v1/uploads/{o}"),
        };
        if axum::http::Uri::try_from(path.as_str()).is_err() {
            continue;
        }
        let a = h.send("PATCH", &path, &hs, chunk);
        if a.status == 0 {
            continue; // not an HTTP request at all
        }
        assert_answer("upload patch", &a);
        if a.status != 200 {
            continue;
        }
        let st: UploadState = serde_json::from_slice(&a.body).expect("patch state");
        assert!(st.offset <= st.size, "{st:?}");
        if matches!(step.target, Target::Current) {
            server_offset = st.offset;
        }
        if st.verified {
            // Only the honest content can be verified under its hash.
            let len = check_stored(h, &sha).expect("verified blob is stored");
            assert_eq!(len as u64, size);
            assert_eq!(
                sha, true_sha,
                "a blob was verified under a hash its bytes do not have"
            );
            break;
        }
    }
    check_stored(h, &sha);
});
