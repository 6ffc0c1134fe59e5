//! Payment confirmations from the payment platform: one confirmed payment
//! per case, matched by its decision's number (or the provisional number
//! printed on an offline decision), announced to the officer's inbox.
//! Refusals are [`PaymentError`]s.

use chrono::{DateTime, Utc};
use zhifa_protocol::wire::PaymentCallback;

use super::sql::{Conn, DbError, Row, p};
use super::{Db, audit, ts};

/// Why a payment confirmation was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// No case has this document number (or unambiguous provisional one).
    #[error("no case numbered {0}")]
    UnknownDocument(String),
    /// The case already has a different confirmed payment.
    #[error("document {document} already has another payment ({amount_fen} fen, {paid_at})")]
    Conflict {
        /// The document number quoted.
        document: String,
        /// The recorded payment's amount.
        amount_fen: i64,
        /// The recorded payment's time.
        paid_at: String,
    },
    /// A database fault.
    #[error(transparent)]
    Db(#[from] DbError),
}

super::area_error!(PaymentError);

/// The case a payment names: by final document number, else through the
/// provisional → final mapping when exactly one case matches (the party
/// may quote the provisional number printed on an offline decision).
fn case_of(tx: &mut dyn Conn, document: &str) -> Result<Option<Row>, DbError> {
    if let Some(r) = tx.query_opt(
        "SELECT case_id, officer_id, server_version FROM cases WHERE document_number = ?1",
        p![document],
    )? {
        return Ok(Some(r));
    }
    let rows = tx.query(
        "SELECT c.case_id, c.officer_id, c.server_version FROM provisional_number n
         JOIN cases c ON c.case_id = n.case_id WHERE n.provisional = ?1 LIMIT 2",
        p![document],
    )?;
    Ok(if rows.len() == 1 {
        rows.into_iter().next()
    } else {
        None
    })
}

impl Db {
    /// Records a confirmed payment; `false` when it was already recorded
    /// (a repeated callback).
    pub fn payment(&self, cb: &PaymentCallback, now: DateTime<Utc>) -> Result<bool, PaymentError> {
        self.write_as(|tx| {
            if tx.exists(
                "SELECT 1 FROM payment WHERE reference = ?1",
                p![cb.reference],
            )? {
                return Ok(false);
            }
            let Some(case) = case_of(tx, &cb.document_number)? else {
                return Err(PaymentError::UnknownDocument(cb.document_number.clone()));
            };
            let (case_id, officer, version): (String, String, i64) =
                (case.get(0)?, case.get(1)?, case.get(2)?);
            // One confirmed payment per case: the same payment again under
            // another reference is already recorded; a different one is
            // refused for a person to look at (never a second event).
            if let Some(prev) = tx.query_opt(
                "SELECT amount_fen, paid_at FROM payment WHERE case_id = ?1 LIMIT 1",
                p![case_id],
            )? {
                let (amount, paid_at): (i64, String) = (prev.get(0)?, prev.get(1)?);
                if amount == cb.amount_fen && paid_at == cb.paid_at {
                    return Ok(false);
                }
                return Err(PaymentError::Conflict {
                    document: cb.document_number.clone(),
                    amount_fen: amount,
                    paid_at,
                });
            }
            let version = version + 1;
            tx.exec(
                "INSERT INTO payment (reference, document_number, amount_fen, paid_at, case_id, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                p![cb.reference, cb.document_number, cb.amount_fen, cb.paid_at, case_id, ts(now)],
            )?;
            tx.exec(
                "UPDATE cases SET payment_confirmed = 1, server_version = ?2 WHERE case_id = ?1",
                p![case_id, version],
            )?;
            let payload = serde_json::json!({
                "amount_fen": cb.amount_fen, "paid_at": cb.paid_at, "reference": cb.reference,
            });
            tx.commit_ordered("inbox")?;
            tx.exec(
                "INSERT INTO inbox (event_id, officer_id, case_id, kind, payload, server_version, at)
                 VALUES (?1, ?2, ?3, 'payment.confirmed', ?4, ?5, ?6)",
                p![
                    format!("payment:{}", cb.reference),
                    officer,
                    case_id,
                    payload.to_string(),
                    version,
                    ts(now)
                ],
            )?;
            audit(tx, now, "finance", "case.write", &case_id)?;
            Ok(true)
        })
    }
}
