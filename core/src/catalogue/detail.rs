//! How a matter's full detail (its JSON as published) is kept in the store.
//!
//! The detail is the largest part of a release: at 50,000 matters it was
//! half of a 190 MiB store, and writing it (twice, through the WAL, each
//! page encrypted) was the largest single cost of an import. Matters of one
//! release repeat the same keys, laws and phrases, so the detail is
//! compressed with zstd against a dictionary trained on the release itself:
//! 61 MiB of matter JSON becomes about 8 MiB, in about 0.2 s including the
//! training (docs/BENCHMARKS.md). Small releases (the sample catalogue) do
//! not have enough samples to train on and are compressed without one.
//!
//! Schema v5 (`schema/device/0005_catalogue_compact.sql`) holds the dictionary
//! in `catalogue_dict` and the compressed detail in `matter.detail_z`; the
//! v1–v4 text column `matter.detail` is left empty for rows written since.
//! The migration's backfill ([`backfill`]) converts releases already stored.

use std::io::Read;

use rusqlite::{Connection, OptionalExtension, params};

use super::CatalogueError;

/// zstd level: 3 is zstd's default; level 1 saves only ~7 % of the time at
/// 50,000 matters and compresses ~6 % worse.
const LEVEL: i32 = 3;
/// Dictionary size. 16 KiB took the sample matters from 1.28 KiB to
/// ~0.16 KiB each; larger dictionaries gained little.
const DICT_BYTES: usize = 16 * 1024;
/// Fewer matters than this are compressed without a dictionary: zstd's
/// trainer needs many samples, and a small release is small anyway.
const MIN_TRAINING_SAMPLES: usize = 256;
/// At most this many matters are used to train (evenly spread).
const MAX_TRAINING_SAMPLES: usize = 2_000;
/// A detail that decompresses beyond this is refused as corrupt (a matter
/// JSON is a few KiB; the limit only stops a damaged row from exhausting
/// memory).
const MAX_DETAIL_BYTES: u64 = 16 * 1024 * 1024;

/// Compresses the details of one release, with or without a dictionary.
pub(crate) struct DetailEncoder {
    compressor: zstd::bulk::Compressor<'static>,
    dict: Option<Vec<u8>>,
}

/// The items of a release to train its dictionary on: all of them up to
/// [`MAX_TRAINING_SAMPLES`], else that many spread evenly.
pub(crate) fn training_sample<T>(items: &[T]) -> impl Iterator<Item = &T> {
    items
        .iter()
        .step_by(items.len().div_ceil(MAX_TRAINING_SAMPLES).max(1))
}

impl DetailEncoder {
    /// Trains a dictionary on `samples` (each one matter's JSON, as picked
    /// by [`training_sample`]) when there are enough of them; otherwise
    /// compresses without one.
    pub(crate) fn train(samples: &[&[u8]]) -> Result<Self, CatalogueError> {
        let dict = if samples.len() >= MIN_TRAINING_SAMPLES {
            // Training can fail on degenerate input (e.g. all samples
            // identical or tiny); the release is then stored without a
            // dictionary, which is always correct, only larger.
            zstd::dict::from_samples(samples, DICT_BYTES).ok()
        } else {
            None
        };
        let compressor = match &dict {
            Some(d) => zstd::bulk::Compressor::with_dictionary(LEVEL, d),
            None => zstd::bulk::Compressor::new(LEVEL),
        }
        .map_err(codec_error)?;
        Ok(Self { compressor, dict })
    }

    /// The trained dictionary, if any (to be stored with the release).
    pub(crate) fn dict(&self) -> Option<&[u8]> {
        self.dict.as_deref()
    }

    /// Compresses one matter's JSON.
    pub(crate) fn compress(&mut self, json: &[u8]) -> Result<Vec<u8>, CatalogueError> {
        self.compressor.compress(json).map_err(codec_error)
    }
}

/// Decompresses one matter's detail; `dict` is the release's dictionary.
pub(crate) fn decompress(body: &[u8], dict: Option<&[u8]>) -> Result<String, CatalogueError> {
    let mut out = String::new();
    let decoder = match dict {
        Some(d) => zstd::stream::read::Decoder::with_dictionary(body, d),
        None => zstd::stream::read::Decoder::with_buffer(body),
    }
    .map_err(codec_error)?;
    let read = decoder
        .take(MAX_DETAIL_BYTES + 1)
        .read_to_string(&mut out)
        .map_err(codec_error)?;
    if read as u64 > MAX_DETAIL_BYTES {
        return Err(CatalogueError::Corrupt(format!(
            "事项详情解压后超过 {MAX_DETAIL_BYTES} 字节"
        )));
    }
    Ok(out)
}

/// The dictionary stored for `release`, if it has one.
pub(crate) fn release_dict(
    conn: &Connection,
    release: &str,
) -> Result<Option<Vec<u8>>, rusqlite::Error> {
    conn.query_row(
        "SELECT dict FROM catalogue_dict WHERE release_id = ?1",
        [release],
        |r| r.get(0),
    )
    .optional()
}

/// Stores `dict` as the dictionary of `release`.
pub(crate) fn store_dict(
    conn: &Connection,
    release: &str,
    dict: &[u8],
) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT INTO catalogue_dict (release_id, dict) VALUES (?1, ?2)",
        params![release, dict],
    )?;
    Ok(())
}

fn codec_error(e: std::io::Error) -> CatalogueError {
    CatalogueError::Corrupt(format!("事项详情压缩数据无效: {e}"))
}

/// Migration v5's backfill: compresses the detail of every release stored
/// before v5 and empties the old text column, in the migration's
/// transaction.
pub(crate) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let releases: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT release_id FROM matter WHERE detail_z IS NULL ORDER BY release_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for release in releases {
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT id, detail FROM matter WHERE release_id = ?1 AND detail_z IS NULL")?
            .query_map([&release], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let samples: Vec<&[u8]> = training_sample(&rows).map(|(_, d)| d.as_bytes()).collect();
        let mut encoder = DetailEncoder::train(&samples).map_err(to_sql_error)?;
        if let Some(dict) = encoder.dict() {
            store_dict(conn, &release, dict)?;
        }
        let mut update =
            conn.prepare("UPDATE matter SET detail = '', detail_z = ?2 WHERE id = ?1")?;
        for (id, detail) in &rows {
            let body = encoder.compress(detail.as_bytes()).map_err(to_sql_error)?;
            update.execute(params![id, body])?;
        }
    }
    Ok(())
}

fn to_sql_error(e: CatalogueError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn matters(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"code":"M{i:05}","name":"在道路{i}占道经营","kind":"statutory","levels":[{{"name":"一般","fine":{{"min_fen":{},"max_fen":{}}}}}]}}"#,
                    i * 100,
                    i * 1000
                )
            })
            .collect()
    }

    #[test]
    fn a_large_release_trains_a_dictionary_and_round_trips() {
        let ms = matters(5_000);
        let samples: Vec<&[u8]> = training_sample(&ms).map(|s| s.as_bytes()).collect();
        let mut enc = DetailEncoder::train(&samples).unwrap();
        let dict = enc.dict().map(<[u8]>::to_vec);
        assert!(dict.is_some(), "1,000 samples are enough to train on");
        let mut packed = 0;
        for m in &ms {
            let body = enc.compress(m.as_bytes()).unwrap();
            packed += body.len();
            assert_eq!(&decompress(&body, dict.as_deref()).unwrap(), m);
        }
        let plain: usize = ms.iter().map(String::len).sum();
        assert!(packed * 3 < plain, "{packed} of {plain} bytes");
    }

    #[test]
    fn a_small_release_is_compressed_without_a_dictionary() {
        let ms = matters(10);
        let samples: Vec<&[u8]> = ms.iter().map(|s| s.as_bytes()).collect();
        let mut enc = DetailEncoder::train(&samples).unwrap();
        assert!(enc.dict().is_none());
        let body = enc.compress(ms[3].as_bytes()).unwrap();
        assert_eq!(decompress(&body, None).unwrap(), ms[3]);
    }

    #[test]
    fn damaged_or_mismatched_bodies_are_errors_not_panics() {
        let ms = matters(1_000);
        let samples: Vec<&[u8]> = ms.iter().map(|s| s.as_bytes()).collect();
        let mut enc = DetailEncoder::train(&samples).unwrap();
        let body = enc.compress(ms[0].as_bytes()).unwrap();
        // Without its dictionary the frame cannot be decoded.
        assert!(matches!(
            decompress(&body, None),
            Err(CatalogueError::Corrupt(_))
        ));
        assert!(matches!(
            decompress(b"not zstd at all", None),
            Err(CatalogueError::Corrupt(_))
        ));
        let mut cut = body.clone();
        cut.truncate(body.len() / 2);
        assert!(decompress(&cut, enc.dict()).is_err());
    }

    /// A release imported before v5 (detail as text, no dictionary) reads
    /// back the same after the backfill, with a trained dictionary.
    #[test]
    fn the_backfill_converts_a_pre_v5_release_and_every_matter_reads_back() {
        use crate::catalogue::import;
        use crate::catalogue::synth::{SynthOptions, synth};
        use crate::store::{DbKey, Store};
        use chrono::{TimeZone, Utc};

        let package = synth(&SynthOptions {
            matters: 600,
            townships: 2,
            seed: 7,
        });
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db"), &DbKey::Raw([7; 32])).unwrap();
        let now = Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap();
        import(&mut store, &serde_json::to_vec(&package).unwrap(), now).unwrap();
        let release = store.catalogue().releases().unwrap().remove(0);
        let read_all = |store: &Store| {
            package
                .matters
                .iter()
                .map(|m| {
                    let rec = store
                        .catalogue()
                        .matter(release.clone(), &m.code, release.effective_from)
                        .unwrap()
                        .unwrap();
                    rec.matter
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read_all(&store),
            package.matters,
            "a v5 import reads back as published"
        );
        assert!(release_dict(store.conn(), &release.id).unwrap().is_some());

        // Put the release back the way v1–v4 stored it.
        {
            let tx = store.conn_mut().transaction().unwrap();
            for m in &package.matters {
                tx.execute(
                    "UPDATE matter SET detail = ?3, detail_z = NULL WHERE release_id = ?1 AND code = ?2",
                    params![release.id, m.code, serde_json::to_string(m).unwrap()],
                )
                .unwrap();
            }
            tx.execute("DELETE FROM catalogue_dict", []).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(
            read_all(&store),
            package.matters,
            "the text fallback reads too"
        );

        backfill(store.conn()).unwrap();
        let left: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM matter WHERE detail_z IS NULL OR detail <> ''",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "every row converted");
        assert!(release_dict(store.conn(), &release.id).unwrap().is_some());
        assert_eq!(read_all(&store), package.matters);
        // Running it again finds nothing to do and changes nothing.
        backfill(store.conn()).unwrap();
        assert_eq!(read_all(&store), package.matters);
    }

    proptest! {
        #[test]
        fn the_training_sample_is_everything_or_an_even_spread_of_at_most_the_cap(n in 0usize..20_000) {
            let items: Vec<usize> = (0..n).collect();
            let picked: Vec<usize> = training_sample(&items).copied().collect();
            prop_assert!(picked.len() <= MAX_TRAINING_SAMPLES);
            if n <= MAX_TRAINING_SAMPLES {
                prop_assert_eq!(&picked, &items);
            } else {
                // Evenly spread: a constant stride from the first item, and
                // no more than one stride short of the end.
                let stride = picked[1] - picked[0];
                prop_assert!(picked.windows(2).all(|w| w[1] - w[0] == stride));
                prop_assert!(n - 1 - picked[picked.len() - 1] < stride);
                prop_assert!(picked.len() * 2 > MAX_TRAINING_SAMPLES);
            }
        }

        #[test]
        fn any_text_round_trips_without_a_dictionary(s in "\\PC{0,400}") {
            let mut enc = DetailEncoder::train(&[]).unwrap();
            let body = enc.compress(s.as_bytes()).unwrap();
            prop_assert_eq!(decompress(&body, None).unwrap(), s);
        }

        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let r = decompress(&b, None);
            prop_assert!(matches!(r, Ok(_) | Err(CatalogueError::Corrupt(_))));
        }
    }
}
