//! The supervision facts of each case (`supervise_case`): derived from the
//! sealed record by a pure function ([`of_case`]), refreshed for every
//! case whose record is newer than its facts ([`refresh`]), and read back
//! inside a scope and a period ([`load`]). Inspections need no derived
//! table: their supervision fields are plain columns of
//! `record_inspection` ([`load_inspections`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use zhifa_core::case::{Case, PaymentRecord};

use super::{CaseFacts, InspectionFacts, Outcome, SuperviseError};
use crate::record::Keeper;
use crate::record::cases::open_record;
use crate::store::sql::{Conn, Row, Val, p};

/// What the record row adds to the record itself.
#[derive(Debug, Clone, Default)]
pub struct RowExtras {
    /// The record's version.
    pub version: i64,
    /// District code.
    pub district: String,
    /// Procedure.
    pub procedure: String,
    /// The party's blind index (computed at store time).
    pub party_index: Option<String>,
    /// The replay's verdict.
    pub replay_ok: Option<bool>,
    /// The replay's codes.
    pub replay_codes: Vec<String>,
}

fn has(list: &[String], code: &str) -> bool {
    list.iter().any(|c| c == code)
}

/// A unit enum's wire name (`individual`, `penalty` …).
pub(crate) fn text_of<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn written(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// The facts of `case`. Pure.
pub fn of_case(case: &Case, x: RowExtras) -> Result<CaseFacts, SuperviseError> {
    let created_at = DateTime::parse_from_rfc3339(&case.created_at)
        .map_err(|e| SuperviseError::Corrupt(format!("created_at: {e}")))?
        .with_timezone(&Utc);
    let decision = case.decision.as_ref();
    let outcome = if case.voided.is_some() {
        Outcome::Void
    } else if decision.is_some() {
        Outcome::Penalty
    } else if case.no_penalty.is_some() {
        Outcome::NoPenalty
    } else {
        Outcome::Open
    };
    let decided_at = decision
        .map(|d| d.decided_at)
        .or_else(|| case.no_penalty.as_ref().map(|n| n.at));
    let circumstances = decision
        .map(|d| d.circumstances.as_slice())
        .or_else(|| case.no_penalty.as_ref().map(|n| n.circumstances.as_slice()))
        .unwrap_or_default();
    let (collected, paid_on) = match &case.payment {
        Some(PaymentRecord::Paid { paid_on, .. }) => (false, Some(*paid_on)),
        Some(PaymentRecord::Collected { at, .. }) => (true, Some(at.date())),
        None => (false, None),
    };
    Ok(CaseFacts {
        case_id: case.id.to_string(),
        version: x.version,
        township: case.township.clone(),
        district: x.district,
        matter_code: case.matter_code.clone(),
        procedure: x.procedure,
        status: case.status.as_str().to_owned(),
        officers: [case.officers[0].id.clone(), case.officers[1].id.clone()],
        party_kind: case.party.as_ref().and_then(|p| text_of(&p.kind)),
        party_index: x.party_index,
        violation_date: case.violation_time.date(),
        created_at,
        decided_at,
        outcome,
        exemption: case.no_penalty.as_ref().map(|n| n.ground.clone()),
        first_violation: has(circumstances, "first_violation"),
        penalty_kind: decision.and_then(|d| text_of(&d.penalty.kind)),
        amount_fen: decision.and_then(|d| d.penalty.amount_fen),
        band: decision.and_then(|d| d.penalty.band.clone()),
        suggested_level: decision.and_then(|d| d.suggested_level.clone()),
        deviation_reason: decision.is_some_and(|d| written(&d.deviation_reason)),
        collected_on_spot: collected,
        evidence_count: i64::try_from(case.evidence.len()).unwrap_or(i64::MAX),
        no_evidence_reason: written(&case.no_evidence_reason),
        served_on: case.service.as_ref().map(|s| s.served_at.date()),
        payment_due: case
            .service
            .as_ref()
            .and_then(|s| s.payment_due)
            .or_else(|| case.issue.as_ref().and_then(|i| i.payment_due)),
        paid_on,
        credentials_shown: case.credentials_shown_at.is_some(),
        replay_ok: x.replay_ok,
        replay_codes: x.replay_codes,
    })
}

const COLUMNS: &str = "case_id, version, township, district, matter_code, procedure, status, officer_a,
    officer_b, party_kind, party_index, violation_date, created_at, decided_at, activity_on, outcome,
    exemption, first_violation, penalty_kind, amount_fen, band, suggested_level, deviation_reason,
    collected_on_spot, evidence_count, no_evidence_reason, served_on, payment_due, paid_on,
    credentials_shown, replay_ok, replay_codes";

/// The facts rows refreshed per statement.
const PAGE: i64 = 500;

/// Refreshes the facts of every case whose record is newer than its facts
/// (or has none yet), [`PAGE`] cases a transaction (a first run over a
/// large record is many pages, none of them long); returns how many were
/// refreshed. A record that does not open or decode is logged and
/// skipped, never half-written.
pub fn refresh(db: &crate::store::Db) -> Result<usize, SuperviseError> {
    let (mut after, mut n) = (String::new(), 0);
    while let Some((done, last)) = db.write_as(|c| refresh_page(c, db.keeper(), &after))? {
        n += done;
        after = last;
    }
    Ok(n)
}

/// One page of [`refresh`]: the cases after `after` (by id) whose facts are
/// stale; how many were refreshed and the last id looked at, or `None`
/// when there are none left.
pub fn refresh_page(
    c: &mut dyn Conn,
    k: &Keeper,
    after: &str,
) -> Result<Option<(usize, String)>, SuperviseError> {
    let rows = c.query(
        "SELECT r.case_id, r.version, r.sealed, r.district, r.procedure, r.party_index, r.replay_ok,
                r.replay_codes
         FROM record_case r LEFT JOIN supervise_case s ON s.case_id = r.case_id
         WHERE r.case_id > ?1 AND (s.case_id IS NULL OR s.version < r.version)
         ORDER BY r.case_id LIMIT ?2",
        p![after, PAGE],
    )?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let last: String = last.get(0)?;
    let mut n = 0;
    for r in &rows {
        let id: String = r.get(0)?;
        let version: i64 = r.get(1)?;
        let codes: Option<String> = r.get(7)?;
        let extras = RowExtras {
            version,
            district: r.get(3)?,
            procedure: r.get(4)?,
            party_index: r.get(5)?,
            replay_ok: r.get::<Option<i64>>(6)?.map(|v| v != 0),
            replay_codes: codes
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
        };
        let facts = open_record(c, k, &id, version, &r.get::<String>(2)?)
            .map_err(SuperviseError::from)
            .and_then(|case| of_case(&case, extras));
        match facts {
            Ok(f) => {
                save(c, &f)?;
                n += 1;
            }
            Err(SuperviseError::Db(e)) => return Err(SuperviseError::Db(e)),
            Err(e) => {
                tracing::error!(case = %id, code = e.code(), "supervision facts: record does not open or decode");
            }
        }
    }
    Ok(Some((n, last)))
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Writes (replaces) the facts of one case.
pub fn save(c: &mut dyn Conn, f: &CaseFacts) -> Result<(), SuperviseError> {
    let flag = |b: bool| Val::Int(i64::from(b));
    let codes = serde_json::to_string(&f.replay_codes)
        .map_err(|e| SuperviseError::Corrupt(e.to_string()))?;
    let decided = f
        .decided_at
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string());
    let (violation, created, activity) = (
        f.violation_date.to_string(),
        f.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        f.activity_on().to_string(),
    );
    let (served, due, paid) = (date(f.served_on), date(f.payment_due), date(f.paid_on));
    let vals: [Val<'_>; 32] = [
        Val::Text(&f.case_id),
        Val::Int(f.version),
        Val::Text(&f.township),
        Val::Text(&f.district),
        Val::Text(&f.matter_code),
        Val::Text(&f.procedure),
        Val::Text(&f.status),
        Val::Text(&f.officers[0]),
        Val::Text(&f.officers[1]),
        opt(&f.party_kind),
        opt(&f.party_index),
        Val::Text(&violation),
        Val::Text(&created),
        opt(&decided),
        Val::Text(&activity),
        Val::Text(f.outcome.as_str()),
        opt(&f.exemption),
        flag(f.first_violation),
        opt(&f.penalty_kind),
        f.amount_fen.map_or(Val::Null, Val::Int),
        opt(&f.band),
        opt(&f.suggested_level),
        flag(f.deviation_reason),
        flag(f.collected_on_spot),
        Val::Int(f.evidence_count),
        flag(f.no_evidence_reason),
        opt(&served),
        opt(&due),
        opt(&paid),
        flag(f.credentials_shown),
        f.replay_ok.map_or(Val::Null, flag),
        Val::Text(&codes),
    ];
    let placeholders: Vec<String> = (1..=vals.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| *c != "case_id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    c.exec(
        &format!(
            "INSERT INTO supervise_case ({COLUMNS}) VALUES ({}) ON CONFLICT (case_id) DO UPDATE SET {}",
            placeholders.join(", "),
            updates.join(", ")
        ),
        &vals,
    )?;
    super::dirty::mark(c, &f.township)?;
    Ok(())
}

fn opt(s: &Option<String>) -> Val<'_> {
    s.as_deref().map_or(Val::Null, Val::Text)
}

fn parse_date(s: &str) -> Result<NaiveDate, SuperviseError> {
    s.parse()
        .map_err(|e| SuperviseError::Corrupt(format!("date {s:?}: {e}")))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>, SuperviseError> {
    s.as_deref().map(parse_date).transpose()
}

fn row_facts(r: &Row) -> Result<CaseFacts, SuperviseError> {
    let flag = |i: usize| -> Result<bool, SuperviseError> { Ok(r.get::<i64>(i)? != 0) };
    let created: String = r.get(12)?;
    let decided: Option<String> = r.get(13)?;
    let codes: String = r.get(31)?;
    Ok(CaseFacts {
        case_id: r.get(0)?,
        version: r.get(1)?,
        township: r.get(2)?,
        district: r.get(3)?,
        matter_code: r.get(4)?,
        procedure: r.get(5)?,
        status: r.get(6)?,
        officers: [r.get(7)?, r.get(8)?],
        party_kind: r.get(9)?,
        party_index: r.get(10)?,
        violation_date: parse_date(&r.get::<String>(11)?)?,
        created_at: DateTime::parse_from_rfc3339(&created)
            .map_err(|e| SuperviseError::Corrupt(format!("created_at: {e}")))?
            .with_timezone(&Utc),
        decided_at: decided
            .map(|d| NaiveDateTime::parse_from_str(&d, "%Y-%m-%dT%H:%M:%S"))
            .transpose()
            .map_err(|e| SuperviseError::Corrupt(format!("decided_at: {e}")))?,
        outcome: Outcome::parse(&r.get::<String>(15)?),
        exemption: r.get(16)?,
        first_violation: flag(17)?,
        penalty_kind: r.get(18)?,
        amount_fen: r.get(19)?,
        band: r.get(20)?,
        suggested_level: r.get(21)?,
        deviation_reason: flag(22)?,
        collected_on_spot: flag(23)?,
        evidence_count: r.get(24)?,
        no_evidence_reason: flag(25)?,
        served_on: opt_date(r.get(26)?)?,
        payment_due: opt_date(r.get(27)?)?,
        paid_on: opt_date(r.get(28)?)?,
        credentials_shown: flag(29)?,
        replay_ok: r.get::<Option<i64>>(30)?.map(|v| v != 0),
        replay_codes: serde_json::from_str(&codes).unwrap_or_default(),
    })
}

/// The facts of the cases in townships starting with `scope` whose
/// activity day lies in `from ..= to` (in no particular order: the models
/// order what they report).
pub fn load(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CaseFacts>, SuperviseError> {
    let (cond, mut params) = super::scope_where(scope, Some("district"), 3);
    params.splice(0..0, [from.to_string(), to.to_string()]);
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!(
            "SELECT {COLUMNS} FROM supervise_case
             WHERE {cond} AND activity_on >= ?1 AND activity_on <= ?2"
        ),
        &vals,
    )?;
    rows.iter().map(row_facts).collect()
}

/// The decided cases (a penalty or none) of matter `matter` in townships
/// starting with `scope`, whatever their day: the peers of the reviewer's
/// discretion panel (`super::discretion`).
pub fn load_decided(
    c: &mut dyn Conn,
    scope: &str,
    matter: &str,
) -> Result<Vec<CaseFacts>, SuperviseError> {
    let (cond, mut params) = super::scope_where(scope, Some("district"), 2);
    params.insert(0, matter.to_owned());
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!(
            "SELECT {COLUMNS} FROM supervise_case
             WHERE matter_code = ?1 AND {cond} AND outcome IN ('penalty', 'no_penalty')"
        ),
        &vals,
    )?;
    rows.iter().map(row_facts).collect()
}

/// The inspections in townships starting with `scope` begun in
/// `from ..= to`.
pub fn load_inspections(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<InspectionFacts>, SuperviseError> {
    let (cond, mut params) = super::scope_where(scope, Some("district"), 3);
    params.splice(0..0, [from.to_string(), to.to_string()]);
    let vals: Vec<Val<'_>> = params.iter().map(|p| Val::Text(p)).collect();
    let rows = c.query(
        &format!(
            "SELECT inspection_id, township, party_index, started_on, items FROM record_inspection
             WHERE {cond} AND started_on >= ?1 AND started_on <= ?2"
        ),
        &vals,
    )?;
    rows.iter()
        .map(|r| {
            Ok(InspectionFacts {
                inspection_id: r.get(0)?,
                township: r.get(1)?,
                party_index: r.get(2)?,
                started_on: parse_date(&r.get::<String>(3)?)?,
                items: r.get(4)?,
            })
        })
        .collect()
}
