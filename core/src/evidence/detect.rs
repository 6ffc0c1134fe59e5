//! What a file is, by its first bytes (magic numbers), never by its name.
//!
//! Ten formats are accepted: the photo, video and audio containers that
//! Android and iOS cameras and recorders write. The signatures are written
//! here rather than taken from a crate such as `infer`: the list is short,
//! and the decisions that matter (which ISO-BMFF brands count as a video,
//! which as audio, which as a HEIF photo; refusing everything else) are
//! ours to make and test, not a general-purpose detector's.

use serde::Serialize;

/// The broad kind of an evidence item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A still photo.
    Photo,
    /// A video recording.
    Video,
    /// An audio recording.
    Audio,
}

impl Kind {
    /// The stored name (`photo`, `video`, `audio`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Video => "video",
            Self::Audio => "audio",
        }
    }
}

/// An accepted file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 PNG \r\n 1A \n`).
    Png,
    /// HEIF/HEIC still image (ISO-BMFF brand `heic`, `mif1`, …).
    Heic,
    /// MP4 / 3GP video (ISO-BMFF brand `isom`, `mp42`, `3gp4`, …).
    Mp4,
    /// QuickTime video (brand `qt  `).
    Mov,
    /// MPEG-4 audio (brand `M4A `).
    M4a,
    /// MP3 (ID3 tag or MPEG audio layer III frame sync).
    Mp3,
    /// AAC in ADTS frames.
    Aac,
    /// WAV (`RIFF….WAVE`).
    Wav,
    /// AMR narrow- or wide-band (`#!AMR`).
    Amr,
}

impl Format {
    /// The kind of evidence this format holds.
    pub fn kind(self) -> Kind {
        match self {
            Self::Jpeg | Self::Png | Self::Heic => Kind::Photo,
            Self::Mp4 | Self::Mov => Kind::Video,
            Self::M4a | Self::Mp3 | Self::Aac | Self::Wav | Self::Amr => Kind::Audio,
        }
    }

    /// The MIME type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Heic => "image/heic",
            Self::Mp4 => "video/mp4",
            Self::Mov => "video/quicktime",
            Self::M4a => "audio/mp4",
            Self::Mp3 => "audio/mpeg",
            Self::Aac => "audio/aac",
            Self::Wav => "audio/wav",
            Self::Amr => "audio/amr",
        }
    }

    /// The extension the stored original gets.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Heic => "heic",
            Self::Mp4 => "mp4",
            Self::Mov => "mov",
            Self::M4a => "m4a",
            Self::Mp3 => "mp3",
            Self::Aac => "aac",
            Self::Wav => "wav",
            Self::Amr => "amr",
        }
    }

    /// Whether the format is an ISO-BMFF container (box structure checked).
    pub(crate) fn is_bmff(self) -> bool {
        matches!(self, Self::Heic | Self::Mp4 | Self::Mov | Self::M4a)
    }
}

/// How many leading bytes [`detect`] wants to see (fewer is fine for short files).
pub const SNIFF_LEN: usize = 64;

/// The format of a file from its first bytes, or `None` if not accepted.
pub fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        return Some(Format::Wav);
    }
    if head.starts_with(b"#!AMR") {
        return Some(Format::Amr);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return bmff_brand(head);
    }
    if head.starts_with(b"ID3") {
        return Some(Format::Mp3);
    }
    if head.len() >= 2 && head[0] == 0xFF {
        // MPEG audio frame sync: 11 set bits. Layer III (bits 01) is MP3;
        // layer bits 00 with the MPEG-4 flag is AAC in ADTS.
        if head[1] & 0xE6 == 0xE2 {
            return Some(Format::Mp3);
        }
        if head[1] & 0xF6 == 0xF0 {
            return Some(Format::Aac);
        }
    }
    None
}

fn brand(b: &[u8]) -> Option<Format> {
    match b {
        b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
            Some(Format::Heic)
        }
        b"qt  " => Some(Format::Mov),
        b"M4A " | b"M4B " => Some(Format::M4a),
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1"
        | b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a" | b"mmp4" | b"MSNV" | b"M4V " => Some(Format::Mp4),
        _ => None,
    }
}

fn bmff_brand(head: &[u8]) -> Option<Format> {
    if let Some(f) = brand(&head[8..12]) {
        return Some(f);
    }
    // Unknown major brand: accept it if a compatible brand is known.
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let end = size.min(head.len());
    head.get(16..end)?.chunks_exact(4).find_map(brand)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compat: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compat.len();
        let mut v = (size as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for c in compat {
            v.extend_from_slice(*c);
        }
        v
    }

    #[test]
    fn signatures() {
        let cases: Vec<(Vec<u8>, Option<Format>)> = vec![
            (vec![0xFF, 0xD8, 0xFF, 0xE0], Some(Format::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0".to_vec(), Some(Format::Png)),
            (b"RIFF\0\0\0\0WAVEfmt ".to_vec(), Some(Format::Wav)),
            (b"RIFF\0\0\0\0AVI LIST".to_vec(), None),
            (b"#!AMR\n".to_vec(), Some(Format::Amr)),
            (b"#!AMR-WB\n".to_vec(), Some(Format::Amr)),
            (b"ID3\x04\0".to_vec(), Some(Format::Mp3)),
            (vec![0xFF, 0xFB, 0x90], Some(Format::Mp3)),
            (vec![0xFF, 0xF1, 0x50], Some(Format::Aac)),
            (ftyp(b"heic", &[b"mif1"]), Some(Format::Heic)),
            (ftyp(b"qt  ", &[]), Some(Format::Mov)),
            (ftyp(b"M4A ", &[b"isom"]), Some(Format::M4a)),
            (ftyp(b"mp42", &[b"isom"]), Some(Format::Mp4)),
            (ftyp(b"xyz1", &[b"abcd", b"isom"]), Some(Format::Mp4)),
            (ftyp(b"avif", &[b"avif"]), None),
            (b"GIF89a".to_vec(), None),
            (b"%PDF-1.7".to_vec(), None),
            (b"PK\x03\x04".to_vec(), None),
            (vec![], None),
            (vec![0xFF], None),
        ];
        for (bytes, want) in cases {
            assert_eq!(detect(&bytes), want, "{bytes:02x?}");
        }
        assert_eq!(Format::Heic.kind(), Kind::Photo);
        assert_eq!(Format::Mov.kind(), Kind::Video);
        assert_eq!(Format::Amr.kind(), Kind::Audio);
    }
}
