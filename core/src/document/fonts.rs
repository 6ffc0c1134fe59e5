//! The fonts a document is drawn with, and the glyph-coverage check.
//!
//! The app ships one OFL-licensed CJK font (see `assets/fonts/README.md`):
//! Noto Sans CJK SC, cut down to the Chinese, Latin and symbol ranges, which
//! covers the whole CJK Unified Ideographs block and Extension A (GB 18030
//! level) and part of Extension B. It is compiled into the binary
//! ([`FontSet::bundled`]), so a document renders the same on every device,
//! and krilla embeds only the glyphs used (a subset) into each PDF.
//!
//! A character no font in the set can draw is never printed as a box: the
//! renderer checks every field first and fails with
//! [`DocumentError::MissingGlyph`] naming the field and the character. A
//! township with names beyond the bundled coverage adds a fallback font
//! ([`FontSet::with_fallback`]); faces are tried in order.

use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use super::DocumentError;

/// The bundled font file, relative to the repository root.
pub const BUNDLED_FONT_PATH: &str = "assets/fonts/ZhifaNotoSansSC-Regular.otf";

pub(crate) static BUNDLED_FONT: &[u8] =
    include_bytes!("../../../assets/fonts/ZhifaNotoSansSC-Regular.otf");

#[derive(Clone)]
enum Bytes {
    Static(&'static [u8]),
    Shared(Arc<Vec<u8>>),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Self::Static(b) => b,
            Self::Shared(b) => b.as_slice(),
        }
    }

    fn to_krilla(&self) -> krilla::Data {
        match self {
            Self::Static(b) => krilla::Data::from(*b),
            Self::Shared(b) => krilla::Data::from(Arc::clone(b)),
        }
    }
}

#[derive(Clone)]
struct Face {
    bytes: Bytes,
    index: u32,
    font: krilla::text::Font,
}

/// An ordered list of font faces: the first that has a character draws it.
///
/// Building a set parses (and, inside krilla, hashes) the font once; build
/// it once per process and reuse it for every document.
#[derive(Clone)]
pub struct FontSet {
    faces: Vec<Face>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("faces", &self.faces.len())
            .finish()
    }
}

impl FontSet {
    /// The font compiled into the app (Noto Sans CJK SC subset, OFL-1.1).
    pub fn bundled() -> Result<Self, DocumentError> {
        Self::from_bytes(Bytes::Static(BUNDLED_FONT), 0)
    }

    /// A set of one font file (OTF/TTF, or a TTC with the face index).
    pub fn new(data: Vec<u8>, index: u32) -> Result<Self, DocumentError> {
        Self::from_bytes(Bytes::Shared(Arc::new(data)), index)
    }

    /// Appends a fallback face, tried for characters the earlier faces lack.
    pub fn with_fallback(mut self, data: Vec<u8>, index: u32) -> Result<Self, DocumentError> {
        let mut other = Self::new(data, index)?;
        self.faces.append(&mut other.faces);
        Ok(self)
    }

    fn from_bytes(bytes: Bytes, index: u32) -> Result<Self, DocumentError> {
        let bad = |reason: String| DocumentError::Font { reason };
        FontRef::from_index(bytes.as_slice(), index).map_err(|e| bad(e.to_string()))?;
        let font = krilla::text::Font::new(bytes.to_krilla(), index)
            .ok_or_else(|| bad("krilla cannot read the font".to_owned()))?;
        Ok(Self {
            faces: vec![Face { bytes, index, font }],
        })
    }

    /// Whether some face of the set has a glyph for `ch`.
    pub fn has_glyph(&self, ch: char) -> bool {
        self.metrics().face_for(ch).is_some()
    }

    /// The first character of `text` no face can draw (white space and
    /// control characters are not drawn and never missing).
    pub fn first_missing(&self, text: &str) -> Option<char> {
        let m = self.metrics();
        text.chars()
            .find(|c| !c.is_whitespace() && !c.is_control() && m.face_for(*c).is_none())
    }

    pub(crate) fn krilla_font(&self, face: usize) -> Option<krilla::text::Font> {
        self.faces.get(face).map(|f| f.font.clone())
    }

    pub(crate) fn metrics(&self) -> Metrics<'_> {
        let faces = self
            .faces
            .iter()
            .filter_map(|f| {
                let r = FontRef::from_index(f.bytes.as_slice(), f.index).ok()?;
                let upem = f32::from(r.head().ok()?.units_per_em()).max(1.0);
                Some(FaceMetrics {
                    charmap: r.charmap(),
                    glyphs: r.glyph_metrics(Size::unscaled(), LocationRef::default()),
                    upem,
                })
            })
            .collect();
        Metrics { faces }
    }
}

pub(crate) struct FaceMetrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
    upem: f32,
}

/// Character lookups for layout, borrowed from a [`FontSet`].
pub(crate) struct Metrics<'a> {
    faces: Vec<FaceMetrics<'a>>,
}

impl Metrics<'_> {
    /// The index of the first face with a glyph for `ch`.
    pub(crate) fn face_for(&self, ch: char) -> Option<usize> {
        self.faces
            .iter()
            .position(|f| f.charmap.map(ch).is_some_and(|g| g.to_u32() != 0))
    }

    /// The advance of `ch` in em (0 for characters no face has; they never
    /// reach layout, see [`FontSet::first_missing`]).
    pub(crate) fn advance_em(&self, ch: char) -> f32 {
        if ch == '\n' {
            return 0.0;
        }
        self.face_for(ch)
            .and_then(|i| {
                let f = &self.faces[i];
                let g = f.charmap.map(ch)?;
                Some(f.glyphs.advance_width(g)? / f.upem)
            })
            .unwrap_or(0.0)
    }
}
