//! The townships whose supervision facts changed since the cockpit's
//! stored indicators were made (`supervise_dirty`, migration 0019): marked
//! in the transaction that changes a case's facts (`super::facts::save`)
//! or a normal-procedure case (`crate::procedure`), drained by
//! `super::cockpit::refresh_dirty`. A file of its own, importing only the
//! storage, so the procedure module can mark without importing
//! supervision's report.

use crate::store::sql::{Conn, DbError, p};

/// Marks `township` as changed: a fresh token, so a refresh that began
/// before this mark does not clear it.
pub fn mark(c: &mut dyn Conn, township: &str) -> Result<(), DbError> {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Without the system's randomness, the time is fresh enough.
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        bytes[..8].copy_from_slice(&nanos.to_le_bytes());
    }
    let token = hex::encode(bytes);
    c.exec(
        "INSERT INTO supervise_dirty (township, mark) VALUES (?1, ?2)
         ON CONFLICT (township) DO UPDATE SET mark = excluded.mark",
        p![township, token],
    )?;
    Ok(())
}
