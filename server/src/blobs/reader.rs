//! One read pass over a stored object ([`Reader`]): the raw bytes
//! hashed, and — when the first bytes are a sealed header consistent with
//! the object's size and the vault holds the key it names — the segments
//! opened and the plaintext hashed and handed on, so `verify`, dedup,
//! `evidence seal` and reads decide sealed-or-legacy in the same pass that
//! reads the object (see [`super::seal`] on why the tags decide).

use super::seal::{Decoder, Header, KeyRing, MAX_HEADER, SealError};

/// What one pass over a stored object found ([`Reader`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Sealed: every tag verified; the plaintext's SHA-256 and size, and
    /// the data key that sealed it.
    Sealed {
        /// SHA-256 (hex) of the plaintext.
        sha256: String,
        /// The plaintext's size.
        size: u64,
        /// The data key.
        key_id: String,
    },
    /// Not sealed (no header, or a header whose tags do not verify): the
    /// raw bytes' SHA-256 and size; `sealed_error` says why a header that
    /// parsed did not open.
    Plain {
        /// SHA-256 (hex) of the raw bytes.
        sha256: String,
        /// The raw size.
        size: u64,
        /// Why a parsed header did not open, if one parsed.
        sealed_error: Option<SealError>,
    },
}

/// One pass over a stored object of `stored` bytes at `address`, fed in
/// order: hashes the raw bytes and, when the start is a sealed header
/// consistent with the object's size and the key is known, decrypts and
/// hashes the plaintext too. Plaintext goes to an optional sink.
pub struct Reader<'a> {
    address: String,
    stored: u64,
    ring: Option<&'a KeyRing>,
    raw: sha2::Sha256,
    head: Vec<u8>,
    state: ReadState,
    plain_hash: sha2::Sha256,
    plain_len: u64,
    scratch: Vec<u8>,
}

enum ReadState {
    /// Collecting the first bytes to parse a header.
    Head,
    /// Decrypting.
    Open(Box<Decoder>, String),
    /// Not (or no longer) a sealed object.
    Plain(Option<SealError>),
}

impl<'a> Reader<'a> {
    /// A reader of the object at `address` of `stored` raw bytes.
    pub fn new(address: &str, stored: u64, ring: Option<&'a KeyRing>) -> Self {
        use sha2::Digest;
        Self {
            address: address.to_owned(),
            stored,
            ring,
            raw: sha2::Sha256::new(),
            head: Vec::new(),
            state: ReadState::Head,
            plain_hash: sha2::Sha256::new(),
            plain_len: 0,
            scratch: Vec::new(),
        }
    }

    /// The header, when the object's first bytes are a consistent one
    /// (the key may still be unknown).
    pub fn header_of(first: &[u8], stored: u64) -> Option<Header> {
        Header::parse(first)
            .ok()
            .filter(|h| h.sealed_size() == stored)
    }

    /// Feeds the next raw bytes; plaintext opened so far goes to `sink`.
    /// Blocking when the key must be fetched.
    pub fn update(
        &mut self,
        bytes: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        use sha2::Digest;
        self.raw.update(bytes);
        let mut bytes = bytes;
        if let ReadState::Head = self.state {
            let need = MAX_HEADER.min(usize::try_from(self.stored).unwrap_or(MAX_HEADER));
            let take = (need - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.head.len() < need {
                return Ok(());
            }
            self.state = self.start();
            let head = std::mem::take(&mut self.head);
            if let ReadState::Open(_, _) = self.state {
                let Some(h) = Self::header_of(&head, self.stored) else {
                    return Ok(());
                };
                let body = head[h.bytes.len()..].to_vec();
                self.open_more(&body, sink)?;
            }
        }
        self.open_more(bytes, sink)
    }

    fn start(&self) -> ReadState {
        let Some(h) = Self::header_of(&self.head, self.stored) else {
            return ReadState::Plain(None);
        };
        let Some(ring) = self.ring else {
            return ReadState::Plain(Some(SealError::UnknownKey(h.key_id)));
        };
        match ring.key(&h.key_id) {
            Ok(k) => ReadState::Open(Box::new(Decoder::new(&h, &k, &self.address)), h.key_id),
            Err(e) => ReadState::Plain(Some(e)),
        }
    }

    fn open_more(
        &mut self,
        bytes: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        use sha2::Digest;
        if bytes.is_empty() {
            return Ok(());
        }
        if let ReadState::Open(dec, _) = &mut self.state {
            self.scratch.clear();
            match dec.update(bytes, &mut self.scratch) {
                Ok(()) => {
                    self.plain_hash.update(&self.scratch);
                    self.plain_len += self.scratch.len() as u64;
                    sink(&self.scratch)?;
                }
                Err(e) => self.state = ReadState::Plain(Some(e)),
            }
        }
        Ok(())
    }

    /// Whether the object is being opened as sealed so far.
    pub fn is_sealed(&self) -> bool {
        matches!(self.state, ReadState::Open(..))
    }

    /// What the pass found. Call after every byte was fed.
    pub fn finish(mut self) -> Opened {
        use sha2::Digest;
        if let ReadState::Head = self.state {
            // Shorter than a header could be.
            self.state = self.start();
            if let ReadState::Open(..) = self.state {
                let head = std::mem::take(&mut self.head);
                if let Some(h) = Self::header_of(&head, self.stored) {
                    let _ = self.open_more(&head[h.bytes.len()..], &mut |_| Ok(()));
                }
            }
        }
        let raw = hex::encode(self.raw.finalize());
        match self.state {
            ReadState::Open(dec, key_id) => match dec.finish() {
                Ok(()) => Opened::Sealed {
                    sha256: hex::encode(self.plain_hash.finalize()),
                    size: self.plain_len,
                    key_id,
                },
                Err(e) => Opened::Plain {
                    sha256: raw,
                    size: self.stored,
                    sealed_error: Some(e),
                },
            },
            ReadState::Plain(e) => Opened::Plain {
                sha256: raw,
                size: self.stored,
                sealed_error: e,
            },
            ReadState::Head => Opened::Plain {
                sha256: raw,
                size: self.stored,
                sealed_error: None,
            },
        }
    }
}
