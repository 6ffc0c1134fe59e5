//! The problem models (问题模型): each a named, pure rule over [`Data`]
//! that returns the cases showing its pattern and why. The list and the
//! predicates follow the legal research's model table and its 同案不同罚
//! rules (shared/domain/normal-procedure-and-supervision.md §2.5, §2.6),
//! each beside the article it serves. A model finds clues for a human to
//! look at; it never changes a case.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;

use super::{CaseFacts, Clue, Config, Data, Outcome};

pub mod normal;

/// One model: its name (stable, in clues and the CLI), its title, the
/// basis it rests on, and its rule.
#[derive(Debug, Clone, Copy)]
pub struct Model {
    /// Stable name.
    pub name: &'static str,
    /// Title, in Chinese.
    pub title: &'static str,
    /// The law or source it rests on.
    pub basis: &'static str,
    /// The rule.
    pub run: fn(&Data, &Config) -> Vec<Clue>,
}

/// 行政处罚法 Art. 68 (一): a fine of at most 100 元 may be collected on
/// the spot without more; above it only in the cases of Art. 68 (二) and
/// Art. 69.
pub const ART68_LIMIT_FEN: i64 = 10_000;

/// Every model, in the order reports list them.
pub const MODELS: &[Model] = &[
    Model {
        name: "replay_refused",
        title: "复核不通过的决定",
        basis: "行政处罚法第五条、第五十一条；服务端按违法之日有效的事项清单复核",
        run: replay_refused,
    },
    Model {
        name: "unexplained_departure",
        title: "偏离建议裁量阶次未说明理由",
        basis: "行政处罚法第三十四条（裁量基准）；研究 §2.5 规则 2",
        run: unexplained_departure,
    },
    Model {
        name: "peer_dispersion",
        title: "同案不同罚：罚款偏离同类案件",
        basis: "行政处罚法第五条第二款（过罚相当）；研究 §2.5 规则 3",
        run: peer_dispersion,
    },
    Model {
        name: "township_median_shift",
        title: "同案不同罚：镇街罚款中位数偏离区县",
        basis: "行政处罚法第五条第二款；研究 §2.5 规则 3",
        run: township_median_shift,
    },
    Model {
        name: "officer_leniency",
        title: "办案人员宽严失衡",
        basis: "行政处罚法第五条第二款；研究 §2.5 规则 4",
        run: officer_leniency,
    },
    Model {
        name: "repeat_party_first_violation",
        title: "重复违法仍按首违不罚",
        basis: "行政处罚法第三十三条第一款（初次违法）；研究 §2.5 规则 5",
        run: repeat_party_first_violation,
    },
    Model {
        name: "single_officer",
        title: "单人执法",
        basis: "行政处罚法第四十二条第一款",
        run: single_officer,
    },
    Model {
        name: "credentials_not_recorded",
        title: "当场处罚未记录出示执法证件",
        basis: "行政处罚法第五十二条第一款",
        run: credentials_not_recorded,
    },
    Model {
        name: "no_evidence",
        title: "无证据且未说明理由的处罚",
        basis: "行政处罚法第四十条、第四十六条",
        run: no_evidence,
    },
    Model {
        name: "collection_outside_art68",
        title: "当场收缴超出第六十八条第一项",
        basis: "行政处罚法第六十七条、第六十八条、第六十九条",
        run: collection_outside_art68,
    },
    Model {
        name: "not_served_on_the_spot",
        title: "当场决定未当场交付",
        basis: "行政处罚法第五十二条第一款",
        run: not_served_on_the_spot,
    },
    Model {
        name: "unpaid_not_pursued",
        title: "逾期未缴纳罚款",
        basis: "行政处罚法第六十七条、第七十二条；行政强制法第三十五条、第五十四条",
        run: unpaid_not_pursued,
    },
    Model {
        name: "decision_overdue",
        title: "普通程序超期作出决定",
        basis: "行政处罚法第六十条（以决定书所载日期判断）；研究 §2.6 超期作出决定",
        run: normal::decision_overdue,
    },
    Model {
        name: "service_overdue",
        title: "决定书送达超期",
        basis: "行政处罚法第六十一条、第八十五条（七个工作日）",
        run: normal::service_overdue,
    },
    Model {
        name: "publication_overdue",
        title: "行政处罚决定公示超期",
        basis: "行政处罚法第四十八条；国办发〔2018〕118号（七个工作日，据研究转引的新闻发布会摘要，未核原文 🟡；本镇街配置）",
        run: normal::publication_overdue,
    },
    Model {
        name: "registration_save_overdue",
        title: "先行登记保存超期未处理",
        basis: "行政处罚法第五十六条、第八十五条（七个工作日）",
        run: normal::registration_save_overdue,
    },
    Model {
        name: "repeated_inspection",
        title: "重复检查同一主体",
        basis: "“进一次门、查多项事”（综合查一次）；研究 §2.6 重复检查",
        run: repeated_inspection,
    },
];

/// Runs every model.
pub fn run_all(data: &Data, config: &Config) -> Vec<Clue> {
    MODELS.iter().flat_map(|m| (m.run)(data, config)).collect()
}

fn clue(model: &str, c: &CaseFacts, reason: String) -> Clue {
    Clue {
        id: String::new(),
        model: model.to_owned(),
        township: c.township.clone(),
        cases: vec![c.case_id.clone()],
        reason,
    }
}

fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{} 元", fen / 100)
    } else {
        format!("{}.{:02} 元", fen / 100, fen % 100)
    }
}

fn replay_refused(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.replay_ok == Some(false))
        .map(|c| {
            clue(
                "replay_refused",
                c,
                format!("服务端复核未通过：{}", c.replay_codes.join("、")),
            )
        })
        .collect()
}

fn unexplained_departure(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.outcome == Outcome::Penalty && !c.deviation_reason)
        .filter_map(|c| match (&c.band, &c.suggested_level) {
            (Some(b), Some(s)) if b != s => Some(clue(
                "unexplained_departure",
                c,
                format!("建议阶次 {s}，决定采用 {b}，未写明理由"),
            )),
            _ => None,
        })
        .collect()
}

/// The fines of decided penalties, grouped by (district, matter, band,
/// party kind): the research's "same case" (§2.5 rule 3).
fn fine_groups(d: &Data) -> BTreeMap<(String, String, String, String), Vec<&CaseFacts>> {
    let mut g: BTreeMap<_, Vec<&CaseFacts>> = BTreeMap::new();
    for c in &d.cases {
        if c.outcome != Outcome::Penalty || c.amount_fen.is_none() {
            continue;
        }
        let key = (
            c.district.clone(),
            c.matter_code.clone(),
            c.band.clone().unwrap_or_default(),
            c.party_kind.clone().unwrap_or_default(),
        );
        g.entry(key).or_default().push(c);
    }
    g
}

/// The `q` quantile (0..=1) of sorted `xs` by linear interpolation.
fn quantile(xs: &[i64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let pos = q * (xs.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let frac = pos - lo as f64;
    xs[lo] as f64 + (xs[hi] - xs[lo]) as f64 * frac
}

fn sorted_amounts(cases: &[&CaseFacts]) -> Vec<i64> {
    let mut xs: Vec<i64> = cases.iter().filter_map(|c| c.amount_fen).collect();
    xs.sort_unstable();
    xs
}

/// The robust summary of a group of amounts (fen): the five numbers the
/// 同案不同罚 rule reads (research §2.5 rule 3), shared by the models and
/// the reviewer's discretion panel (`super::discretion`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// How many amounts.
    pub n: usize,
    /// The lowest.
    pub min: i64,
    /// The first quartile.
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile.
    pub q3: f64,
    /// The highest.
    pub max: i64,
}

impl Spread {
    /// The summary of `sorted` (ascending); `None` when empty.
    pub fn of(sorted: &[i64]) -> Option<Self> {
        Some(Self {
            n: sorted.len(),
            min: *sorted.first()?,
            q1: quantile(sorted, 0.25),
            median: quantile(sorted, 0.5),
            q3: quantile(sorted, 0.75),
            max: *sorted.last()?,
        })
    }

    /// The interquartile range.
    pub fn iqr(&self) -> f64 {
        self.q3 - self.q1
    }

    /// median ± k·IQR.
    pub fn fence(&self, k: f64) -> (f64, f64) {
        (self.median - k * self.iqr(), self.median + k * self.iqr())
    }

    /// Whether `amount` lies outside median ± k·IQR.
    pub fn outlier(&self, amount: i64, k: f64) -> bool {
        let (lo, hi) = self.fence(k);
        (amount as f64) < lo || (amount as f64) > hi
    }
}

fn peer_dispersion(d: &Data, cfg: &Config) -> Vec<Clue> {
    let mut out = Vec::new();
    for ((_, matter, band, _), cases) in fine_groups(d) {
        if cases.len() < cfg.min_group {
            continue;
        }
        let xs = sorted_amounts(&cases);
        let Some(spread) = Spread::of(&xs) else {
            continue;
        };
        for c in cases {
            let Some(a) = c.amount_fen else { continue };
            if spread.outlier(a, cfg.dispersion_k) {
                out.push(clue(
                    "peer_dispersion",
                    c,
                    format!(
                        "事项 {matter} 阶次 {band} 同类 {} 件罚款中位数 {}，本案 {}，超出中位数 ± {}×四分位距",
                        xs.len(),
                        yuan(spread.median.round() as i64),
                        yuan(a),
                        cfg.dispersion_k
                    ),
                ));
            }
        }
    }
    out
}

fn township_median_shift(d: &Data, cfg: &Config) -> Vec<Clue> {
    let mut out = Vec::new();
    for ((_, matter, band, _), cases) in fine_groups(d) {
        if cases.len() < cfg.min_group {
            continue;
        }
        let district = quantile(&sorted_amounts(&cases), 0.5);
        if district <= 0.0 {
            continue;
        }
        let mut by_township: BTreeMap<&str, Vec<&CaseFacts>> = BTreeMap::new();
        for c in &cases {
            by_township.entry(&c.township).or_default().push(c);
        }
        for (township, own) in by_township {
            if own.len() < cfg.min_township {
                continue;
            }
            let m = quantile(&sorted_amounts(&own), 0.5);
            let shift = (m - district) / district;
            if shift.abs() > cfg.median_shift {
                out.push(Clue {
                    id: String::new(),
                    model: "township_median_shift".to_owned(),
                    township: township.to_owned(),
                    cases: own.iter().map(|c| c.case_id.clone()).collect(),
                    reason: format!(
                        "事项 {matter} 阶次 {band}：本镇街 {} 件罚款中位数 {}，区县中位数 {}，{}{:.0}%",
                        own.len(),
                        yuan(m.round() as i64),
                        yuan(district.round() as i64),
                        if shift > 0.0 { "高出" } else { "低于" },
                        shift.abs() * 100.0
                    ),
                });
            }
        }
    }
    out
}

fn officer_leniency(d: &Data, cfg: &Config) -> Vec<Clue> {
    // Per district: decided cases per officer (承办人) and how many of
    // them ended without a penalty.
    let mut districts: BTreeMap<&str, BTreeMap<&str, Vec<&CaseFacts>>> = BTreeMap::new();
    for c in d.cases.iter().filter(|c| c.outcome.decided()) {
        districts
            .entry(&c.district)
            .or_default()
            .entry(&c.officers[0])
            .or_default()
            .push(c);
    }
    let mut out = Vec::new();
    for officers in districts.values() {
        let (n, k) = officers
            .values()
            .flatten()
            .fold((0usize, 0usize), |(n, k), c| {
                (n + 1, k + usize::from(c.outcome == Outcome::NoPenalty))
            });
        let p = k as f64 / n.max(1) as f64;
        if p <= 0.0 || p >= 1.0 {
            continue;
        }
        for (officer, cases) in officers {
            let on = cases.len();
            if on < cfg.min_officer {
                continue;
            }
            let ok = cases
                .iter()
                .filter(|c| c.outcome == Outcome::NoPenalty)
                .count();
            let z = (ok as f64 - on as f64 * p) / (on as f64 * p * (1.0 - p)).sqrt();
            if z.abs() > cfg.leniency_z {
                out.push(Clue {
                    id: String::new(),
                    model: "officer_leniency".to_owned(),
                    township: cases[0].township.clone(),
                    cases: cases.iter().map(|c| c.case_id.clone()).collect(),
                    reason: format!(
                        "承办人 {officer} 的 {on} 件决定中不予处罚 {ok} 件（{:.0}%），区县为 {:.0}%，{}（z = {z:.1}）",
                        ok as f64 * 100.0 / on as f64,
                        p * 100.0,
                        if z > 0.0 { "明显偏宽" } else { "明显偏严" }
                    ),
                });
            }
        }
    }
    out
}

fn repeat_party_first_violation(d: &Data, cfg: &Config) -> Vec<Clue> {
    let mut by_party: HashMap<(&str, &str), Vec<&CaseFacts>> = HashMap::new();
    for c in d.cases.iter().filter(|c| c.outcome.decided()) {
        if let Some(p) = c.party_index.as_deref() {
            by_party.entry((p, &c.matter_code)).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for cases in by_party.values() {
        for c in cases.iter().filter(|c| c.first_violation) {
            let on = c.violation_date;
            let earlier: Vec<&&CaseFacts> = cases
                .iter()
                .filter(|e| {
                    e.case_id != c.case_id
                        && e.violation_date < on
                        && on - e.violation_date <= Duration::days(cfg.repeat_window_days)
                })
                .collect();
            if let Some(first) = earlier.iter().min_by_key(|e| e.violation_date) {
                let mut ids = vec![c.case_id.clone()];
                ids.extend(earlier.iter().map(|e| e.case_id.clone()));
                out.push(Clue {
                    id: String::new(),
                    model: "repeat_party_first_violation".to_owned(),
                    township: c.township.clone(),
                    cases: ids,
                    reason: format!(
                        "同一当事人同一事项在 {} 已有案件（{} 日内），本案仍认定首违",
                        first.violation_date, cfg.repeat_window_days
                    ),
                });
            }
        }
    }
    out.sort_by(|a, b| a.cases.cmp(&b.cases));
    out
}

fn single_officer(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.outcome != Outcome::Void)
        .filter(|c| {
            let [a, b] = &c.officers;
            a.trim().is_empty() || b.trim().is_empty() || a == b
        })
        .map(|c| clue("single_officer", c, "执法人员少于两人".to_owned()))
        .collect()
}

fn credentials_not_recorded(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.outcome == Outcome::Penalty && !c.credentials_shown)
        .map(|c| {
            clue(
                "credentials_not_recorded",
                c,
                "已作出处罚决定，但未记录向当事人出示执法证件".to_owned(),
            )
        })
        .collect()
}

fn no_evidence(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.outcome == Outcome::Penalty && c.evidence_count == 0 && !c.no_evidence_reason)
        .map(|c| {
            clue(
                "no_evidence",
                c,
                "处罚决定没有任何证据，也未说明未取证的理由".to_owned(),
            )
        })
        .collect()
}

fn collection_outside_art68(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.collected_on_spot && c.amount_fen.is_some_and(|a| a > ART68_LIMIT_FEN))
        .map(|c| {
            clue(
                "collection_outside_art68",
                c,
                format!(
                    "当场收缴罚款 {}，超过 100 元：须属第六十八条第二项或第六十九条情形，请核查",
                    yuan(c.amount_fen.unwrap_or_default())
                ),
            )
        })
        .collect()
}

fn not_served_on_the_spot(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| c.outcome == Outcome::Penalty && c.procedure == "simple")
        .filter_map(|c| {
            let decided = c.decided_at?.date();
            match c.served_on {
                Some(s) if s <= decided => None,
                Some(s) => Some(clue(
                    "not_served_on_the_spot",
                    c,
                    format!("{decided} 当场作出的决定 {s} 才送达"),
                )),
                None if d.as_of > decided => Some(clue(
                    "not_served_on_the_spot",
                    c,
                    format!("{decided} 当场作出的决定尚无送达记录"),
                )),
                None => None,
            }
        })
        .collect()
}

fn unpaid_not_pursued(d: &Data, _: &Config) -> Vec<Clue> {
    d.cases
        .iter()
        .filter(|c| {
            c.outcome == Outcome::Penalty
                && c.amount_fen.is_some_and(|a| a > 0)
                && c.paid_on.is_none()
                && c.served_on.is_some()
        })
        .filter_map(|c| {
            let due = c.payment_due?;
            (d.as_of > due).then(|| {
                clue(
                    "unpaid_not_pursued",
                    c,
                    format!(
                        "缴款期限 {due} 已过 {} 日仍未缴纳：应加处罚款并催告或申请强制执行",
                        (d.as_of - due).num_days()
                    ),
                )
            })
        })
        .collect()
}

fn repeated_inspection(d: &Data, cfg: &Config) -> Vec<Clue> {
    let mut by_party: BTreeMap<(&str, &str), Vec<&super::InspectionFacts>> = BTreeMap::new();
    for i in &d.inspections {
        if let Some(p) = i.party_index.as_deref() {
            by_party.entry((&i.township, p)).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    let window = Duration::days(cfg.inspection_window_days);
    for ((township, _), mut list) in by_party {
        list.sort_by_key(|i| (i.started_on, i.inspection_id.clone()));
        // The first window that holds more than the allowed inspections.
        let mut start = 0;
        for end in 0..list.len() {
            while list[end].started_on - list[start].started_on >= window {
                start += 1;
            }
            if end + 1 - start > cfg.inspection_max {
                let hit = &list[start..=end];
                out.push(Clue {
                    id: String::new(),
                    model: "repeated_inspection".to_owned(),
                    township: township.to_owned(),
                    cases: hit.iter().map(|i| i.inspection_id.clone()).collect(),
                    reason: format!(
                        "同一主体 {} 日内被本镇街检查 {} 次（{} 至 {}）",
                        cfg.inspection_window_days,
                        hit.len(),
                        hit[0].started_on,
                        hit[hit.len() - 1].started_on
                    ),
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
