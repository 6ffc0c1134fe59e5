//! 执法监督 over a real server's records (issue 18): devices sync cases,
//! the supervision facts are read from the sealed records, and the report
//! finds the planted patterns — a decision the replay refused that is also
//! far from its peers' fines, fines unpaid past their due date — and
//! nothing in the clean cases; the indicators count what happened; the
//! facts hold no personal data and are refreshed only when a record
//! changes. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

use chrono::NaiveDate;
use uuid::Uuid;
use zhifa_server::supervise::models::MODELS;
use zhifa_server::supervise::report::{Report, report};
use zhifa_server::supervise::{Config, facts};
use zhifa_tests::{Backend, OFFICERS, TestDevice, TestServer, party};

zhifa_tests::on_both_backends!(the_report_finds_planted_patterns_and_counts_what_happened);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn run(server: &TestServer, scope: &str, as_of: NaiveDate) -> Report {
    server.store(|db| {
        report(
            db,
            scope,
            day(2026, 1, 1),
            day(2026, 12, 31),
            as_of,
            &Config::default(),
        )
        .unwrap()
    })
}

/// Makes the device's outbox carry `amount_fen` as the decided fine of
/// `id` (a decision the simple procedure does not allow).
fn tamper_decision(dev: &TestDevice, id: Uuid, amount_fen: i64) {
    let rows: Vec<(i64, String)> = {
        let mut st = dev
            .store
            .conn()
            .prepare("SELECT seq, payload FROM outbox WHERE entity = 'case' AND entity_id = ?1 ORDER BY seq")
            .unwrap();
        st.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut decided = false;
    for (seq, payload) in rows {
        let mut v: serde_json::Value = serde_json::from_str(&payload).unwrap();
        decided |= v["kind"] == "decide";
        if v["kind"] == "decide" {
            v["event"]["penalty"]["amount_fen"] = amount_fen.into();
        }
        if decided {
            v["case"]["decision"]["penalty"]["amount_fen"] = amount_fen.into();
            dev.store
                .conn()
                .execute(
                    "UPDATE outbox SET payload = ?2 WHERE seq = ?1",
                    rusqlite::params![seq, v.to_string()],
                )
                .unwrap();
        }
    }
    assert!(decided);
}

fn clue_cases<'a>(r: &'a Report, model: &str) -> Vec<&'a str> {
    r.clues
        .iter()
        .filter(|c| c.model == model)
        .flat_map(|c| c.cases.iter().map(String::as_str))
        .collect()
}

async fn the_report_finds_planted_patterns_and_counts_what_happened(b: Backend) {
    let server = TestServer::on(&b);
    let t = server.transport();
    let mut dev = TestDevice::new();
    dev.enrol(&t, &server.code(OFFICERS[0])).await.unwrap();
    dev.sync(&t).await.unwrap();
    // Six decided, served, unpaid fines of one matter; one left open.
    let served: Vec<Uuid> = (0..6).map(|_| dev.full_case().0).collect();
    let tampered = served[5];
    tamper_decision(&dev, tampered, 50_000);
    let open = dev.new_case();
    let r = dev.sync(&t).await.unwrap();
    assert_eq!(r.rejected, 0, "{r:?}");
    let ids = |v: &[Uuid]| v.iter().map(Uuid::to_string).collect::<Vec<_>>();

    // The day after the payment period (served + 15 days, Art. 67).
    assert_eq!(
        server.db().int("SELECT count(*) FROM supervise_case", &[]),
        0,
        "no facts before the first report"
    );
    let early = run(&server, "", day(2026, 3, 10));
    let due: NaiveDate = server
        .db()
        .text(
            "SELECT payment_due FROM supervise_case WHERE case_id = ?1",
            &[&served[0].to_string()],
        )
        .parse()
        .unwrap();
    assert!(
        clue_cases(&early, "unpaid_not_pursued").is_empty(),
        "not due yet"
    );

    let late = run(&server, "", due + chrono::Duration::days(1));
    assert_eq!(late.models.len(), MODELS.len());
    assert!(late.models.len() >= 10);
    // The refused decision: flagged by the replay, and far from its peers.
    assert_eq!(
        clue_cases(&late, "replay_refused"),
        vec![tampered.to_string()]
    );
    assert_eq!(
        clue_cases(&late, "peer_dispersion"),
        vec![tampered.to_string()]
    );
    // Every served fine unpaid after its last day.
    let mut unpaid = clue_cases(&late, "unpaid_not_pursued");
    unpaid.sort_unstable();
    let mut want = ids(&served);
    want.sort();
    assert_eq!(unpaid, want);
    // The clean cases raise nothing else.
    let others: Vec<_> = late
        .clues
        .iter()
        .filter(|c| {
            !["replay_refused", "peer_dispersion", "unpaid_not_pursued"].contains(&c.model.as_str())
        })
        .collect();
    assert!(others.is_empty(), "{others:?}");

    // The indicators count what happened, in the device's township.
    assert_eq!(late.indicators.len(), 1);
    let ind = &late.indicators[0];
    assert_eq!(ind.township, dev.township);
    assert_eq!(
        (ind.cases, ind.decided, ind.penalties, ind.open),
        (7, 6, 6, 1)
    );
    assert_eq!((ind.flagged, ind.overdue, ind.closed), (1, 6, 0));
    assert_eq!(ind.fines_fen_information_only, 5 * 15_000 + 50_000);
    assert!(ind.avg_minutes_to_decision.is_some());

    // Outside the scope: nothing.
    let none = run(&server, "99", due + chrono::Duration::days(1));
    assert!(none.indicators.is_empty() && none.clues.is_empty());

    // No personal data in the facts; the party only by its blind index.
    let p = party();
    let rows = server.db().rows("SELECT * FROM supervise_case", &[]);
    assert_eq!(rows.len(), 7);
    let dump = format!("{rows:?}");
    for secret in [&p.name, &p.id_number, p.phone.as_ref().unwrap(), &p.address] {
        assert!(
            !dump.contains(secret.as_str()),
            "personal data in supervise_case"
        );
    }
    assert_eq!(
        server.db().int(
            "SELECT count(DISTINCT party_index) FROM supervise_case WHERE party_index IS NOT NULL",
            &[]
        ),
        1,
        "one party, one blind index"
    );
    assert_eq!(
        server.db().text(
            "SELECT outcome FROM supervise_case WHERE case_id = ?1",
            &[&open.to_string()]
        ),
        "open"
    );

    // Refreshed only when a record changes; lost facts are rebuilt.
    let again = server.store(|db| db.write_as(|c| facts::refresh(c, db.keeper())).unwrap());
    assert_eq!(again, 0, "nothing changed since the report");
    server.db().rows("DELETE FROM supervise_case", &[]);
    let rebuilt = server.store(|db| db.write_as(|c| facts::refresh(c, db.keeper())).unwrap());
    assert_eq!(rebuilt, 7);
    assert_eq!(run(&server, "", due + chrono::Duration::days(1)), late);
}
