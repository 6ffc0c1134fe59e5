//! The problem models over normal-procedure cases (普通程序): each deadline
//! the statute fixes, judged from the dates of the case's own log against
//! the due days the core's deadline engine computed on the township's
//! calendar ([`NormalFacts`]). The research lists them in its model table
//! (shared/domain/normal-procedure-and-supervision.md §2.6: 超期作出决定,
//! 送达超期, 公示超期, 先行登记保存超期). A deadline not yet reached is
//! not a clue; one passed with the act still undone is, as of the report's
//! day.

use chrono::NaiveDate;

use crate::supervise::{Clue, Config, Data, NormalFacts};

fn clue(model: &str, c: &NormalFacts, reason: String) -> Clue {
    Clue {
        id: String::new(),
        model: model.to_owned(),
        township: c.township.clone(),
        cases: vec![c.case_id.clone()],
        reason,
    }
}

/// Late when done after `due`, or not done and `as_of` is past `due`.
fn late(done: Option<NaiveDate>, due: NaiveDate, as_of: NaiveDate) -> Option<Option<NaiveDate>> {
    match done {
        Some(d) if d > due => Some(Some(d)),
        Some(_) => None,
        None if as_of > due => Some(None),
        None => None,
    }
}

/// 超期作出决定 (行政处罚法 Art. 60): the decision's date — the date of
/// the decision step, printed on the 决定书 — after 立案 + 90 days + the
/// approved extensions; or no decision yet with that day passed. Never
/// judged from any other date (research §0 finding 2: an internal
/// 处理意见书 or a call to the party does not stop the clock).
pub fn decision_overdue(d: &Data, _: &Config) -> Vec<Clue> {
    d.normal
        .iter()
        .filter_map(|c| {
            let due = c.decision_due?;
            let filed = c.filed_on?;
            match late(c.decided_on, due, d.as_of)? {
                Some(on) => Some(clue(
                    "decision_overdue",
                    c,
                    format!("{filed} 立案，{on} 作出决定（决定书所载日期），超过期限 {due}"),
                )),
                None => Some(clue(
                    "decision_overdue",
                    c,
                    format!("{filed} 立案，期限 {due} 已过仍未作出决定"),
                )),
            }
        })
        .collect()
}

/// 送达超期 (行政处罚法 Art. 61 + 85): the decision served more than 7
/// working days after it was made, or not served with that day passed.
pub fn service_overdue(d: &Data, _: &Config) -> Vec<Clue> {
    d.normal
        .iter()
        .filter(|c| !c.transfer)
        .filter_map(|c| {
            let (decided, due) = (c.decided_on?, c.service_due?);
            match late(c.served_on, due, d.as_of)? {
                Some(on) => Some(clue(
                    "service_overdue",
                    c,
                    format!("{decided} 作出的决定 {on} 才送达，超过七个工作日（{due}）"),
                )),
                None => Some(clue(
                    "service_overdue",
                    c,
                    format!("{decided} 作出的决定至 {due} 仍未送达"),
                )),
            }
        })
        .collect()
}

/// 公示超期 (行政处罚法 Art. 48; 国办发〔2018〕118号 as the research
/// reports it from a press summary, 🟡: penalty decisions within 7 working
/// days — a township setting): a penalty decision published after its due
/// day, or unpublished with that day passed.
pub fn publication_overdue(d: &Data, _: &Config) -> Vec<Clue> {
    d.normal
        .iter()
        .filter(|c| c.penalty)
        .filter_map(|c| {
            let (decided, due) = (c.decided_on?, c.publication_due?);
            match late(c.published_on, due, d.as_of)? {
                Some(on) => Some(clue(
                    "publication_overdue",
                    c,
                    format!("{decided} 作出的处罚决定 {on} 才公示，超过期限 {due}"),
                )),
                None => Some(clue(
                    "publication_overdue",
                    c,
                    format!("{decided} 作出的处罚决定至 {due} 仍未公示"),
                )),
            }
        })
        .collect()
}

/// 先行登记保存超期 (行政处罚法 Art. 56 + 85): a 处理决定 more than 7
/// working days after the 登记保存, or none with that day passed.
pub fn registration_save_overdue(d: &Data, _: &Config) -> Vec<Clue> {
    d.normal
        .iter()
        .flat_map(|c| {
            c.saves.iter().enumerate().filter_map(move |(i, s)| {
                let n = i + 1;
                match late(s.disposed_on, s.due, d.as_of)? {
                    Some(on) => Some(clue(
                        "registration_save_overdue",
                        c,
                        format!(
                            "第{n}次先行登记保存（{}）{on} 才作出处理决定，超过七个工作日（{}）",
                            s.on, s.due
                        ),
                    )),
                    None => Some(clue(
                        "registration_save_overdue",
                        c,
                        format!(
                            "第{n}次先行登记保存（{}）至 {} 仍未作出处理决定",
                            s.on, s.due
                        ),
                    )),
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should abort loudly

    use super::*;
    use crate::supervise::SaveFacts;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A lawful, finished normal case: filed 1 March 2026, decided within
    /// the 90 days, served, published and its 登记保存 disposed of in time.
    /// (The due days are fixed here; the server computes them with the
    /// core's deadline engine.)
    fn clean(i: usize) -> NormalFacts {
        NormalFacts {
            case_id: format!("normal-{i:03}"),
            township: "500112108".to_owned(),
            filed_on: Some(day(2026, 3, 2)),
            decision_due: Some(day(2026, 5, 31)),
            decided_on: Some(day(2026, 4, 20)),
            penalty: true,
            transfer: false,
            fine_fen: 800_000,
            concluded: true,
            service_due: Some(day(2026, 4, 29)),
            served_on: Some(day(2026, 4, 22)),
            publication_due: Some(day(2026, 4, 29)),
            published_on: Some(day(2026, 4, 24)),
            saves: vec![SaveFacts {
                on: day(2026, 3, 5),
                due: day(2026, 3, 16),
                disposed_on: Some(day(2026, 3, 10)),
            }],
        }
    }

    fn data(normal: Vec<NormalFacts>) -> Data {
        Data {
            normal,
            as_of: day(2026, 9, 1),
            ..Data::default()
        }
    }

    type Run = fn(&Data, &Config) -> Vec<Clue>;

    const ALL: [(&str, Run); 4] = [
        ("decision_overdue", decision_overdue),
        ("service_overdue", service_overdue),
        ("publication_overdue", publication_overdue),
        ("registration_save_overdue", registration_save_overdue),
    ];

    #[test]
    fn clean_normal_cases_raise_nothing() {
        let d = data((0..20).map(clean).collect());
        for (name, run) in ALL {
            assert!(run(&d, &Config::default()).is_empty(), "{name}");
        }
        // Nor does a case whose deadlines are still running.
        let mut open = clean(99);
        open.decided_on = None;
        open.served_on = None;
        open.published_on = None;
        open.saves[0].disposed_on = None;
        let mut d = data(vec![open]);
        d.as_of = day(2026, 3, 16);
        for (name, run) in ALL {
            assert!(run(&d, &Config::default()).is_empty(), "{name}");
        }
    }

    /// Plants each pattern in one case among clean ones and finds exactly
    /// that case, and only with its model.
    #[test]
    fn each_planted_pattern_is_found() {
        type Plant = fn(&mut NormalFacts);
        let plants: [(&str, Plant); 4] = [
            ("decision_overdue", |c| c.decided_on = Some(day(2026, 6, 1))),
            ("service_overdue", |c| c.served_on = Some(day(2026, 4, 30))),
            ("publication_overdue", |c| c.published_on = None),
            ("registration_save_overdue", |c| {
                c.saves[0].disposed_on = Some(day(2026, 3, 17));
            }),
        ];
        for (model, plant) in plants {
            let mut cases: Vec<NormalFacts> = (0..10).map(clean).collect();
            plant(&mut cases[4]);
            let d = data(cases);
            for (name, run) in ALL {
                let found = run(&d, &Config::default());
                if name == model {
                    assert_eq!(found.len(), 1, "{model}: {found:?}");
                    assert_eq!(found[0].cases, ["normal-004"]);
                    assert_eq!(found[0].model, model);
                    assert!(!found[0].reason.is_empty());
                } else {
                    assert!(found.is_empty(), "{name} on the {model} plant: {found:?}");
                }
            }
        }
    }

    #[test]
    fn the_decision_is_judged_from_its_own_date_and_the_extension() {
        // Decided on the last day: in time. The due day already carries
        // the approved extension (the server adds it to the 90 days).
        let mut c = clean(1);
        c.decided_on = c.decision_due;
        assert!(decision_overdue(&data(vec![c.clone()]), &Config::default()).is_empty());
        // Undecided past the due day: a clue naming the due day.
        c.decided_on = None;
        c.served_on = None;
        c.published_on = None;
        let found = decision_overdue(&data(vec![c]), &Config::default());
        assert_eq!(found.len(), 1);
        assert!(
            found[0].reason.contains("2026-05-31"),
            "{}",
            found[0].reason
        );
    }

    #[test]
    fn a_transfer_is_not_served_and_a_no_penalty_not_published() {
        let mut c = clean(1);
        c.transfer = true;
        c.penalty = false;
        c.served_on = None;
        c.published_on = None;
        let d = data(vec![c]);
        assert!(service_overdue(&d, &Config::default()).is_empty());
        assert!(publication_overdue(&d, &Config::default()).is_empty());
    }
}
