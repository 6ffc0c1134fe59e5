//! Synthetic catalogue packages of any size, for benchmarks and load tests.
//!
//! The generator is deterministic for a given seed and always produces a
//! package that passes every check of [`super::validate`]: unique codes,
//! provisions that exist, contiguous level ranges inside the statutory
//! range, adoptions of optional and entrusted matters only. Names are built
//! from realistic Chinese word lists so that pinyin, trigram and `LIKE`
//! searches see the same kind of text as with the real catalogue. The
//! release is marked `sample`.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    Adoption, Band, Calendar, Clause, ClauseParty, DiscretionLevel, ExemptionRule, FineAmount,
    FineRange, ImposedKind, LevelPenalty, Matter, MatterKind, Multiple, MultipleBase,
    PACKAGE_FORMAT, Package, Precondition, Provision, Release, SanctionKind, Township,
};

/// Options for [`synth`].
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Number of matters.
    pub matters: usize,
    /// Number of townships.
    pub townships: usize,
    /// RNG seed; the same seed gives the same package.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            matters: 1000,
            townships: 20,
            seed: 1,
        }
    }
}

const ACTIONS: &[&str] = &[
    "擅自占用",
    "违规堆放",
    "乱倒",
    "违规设置",
    "擅自挖掘",
    "损坏",
    "污染",
    "私自搭建",
    "违规排放",
    "擅自拆除",
    "违规摆放",
    "擅自改变",
    "违规晾晒",
    "随意倾倒",
    "违规焚烧",
    "擅自砍伐",
    "违规停放",
    "擅自张贴",
    "违规经营",
    "擅自占压",
];
const PLACES: &[&str] = &[
    "城市道路",
    "背街小巷",
    "河道管理范围内",
    "公共广场",
    "桥梁下方",
    "居民小区",
    "集贸市场",
    "旅游景区",
    "学校周边",
    "公共绿地",
    "人行道",
    "农村公路",
    "水库库区",
    "林地",
    "耕地",
    "地下通道",
    "公交站台",
    "商业街区",
    "滨江步道",
    "施工工地",
];
const OBJECTS: &[&str] = &[
    "建筑垃圾",
    "户外广告",
    "经营摊位",
    "生活杂物",
    "工程渣土",
    "生活污水",
    "餐饮油烟",
    "机动车辆",
    "花草树木",
    "宣传品",
    "临时建筑",
    "农作物秸秆",
    "危险化学品",
    "消防设施",
    "排水设施",
    "照明设施",
    "井盖",
    "标志标线",
    "砂石",
    "废旧物品",
];
const QUALIFIERS: &[&str] = &[
    "",
    "且逾期不改正",
    "情节严重",
    "造成损失",
    "拒不整改",
    "影响通行",
    "屡教不改",
    "面积较大",
];
const DOMAINS: &[(&str, &str)] = &[
    ("城市管理", "区城市管理局"),
    ("市容环卫", "区城市管理局"),
    ("应急消防", "区应急管理局"),
    ("水利", "区水利局"),
    ("生态环境", "区生态环境局"),
    ("自然资源", "区规划和自然资源局"),
    ("农业农村", "区农业农村委员会"),
    ("林业", "区林业局"),
    ("卫生健康", "区卫生健康委员会"),
    ("道路交通", "区公安局交通巡逻警察支队"),
];
const LAWS: &[&str] = &[
    "重庆市市容环境卫生管理条例",
    "重庆市城市管理条例（合成）",
    "中华人民共和国水法",
    "中华人民共和国大气污染防治法",
    "中华人民共和国消防法",
    "中华人民共和国森林法",
    "重庆市河道管理条例",
    "中华人民共和国道路交通安全法",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // The arguments are literals chosen below; an invalid one is a bug in
    // this file, and the fallback keeps the package valid regardless.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Builds a synthetic package.
pub fn synth(opts: &SynthOptions) -> Package {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut provisions = Vec::with_capacity(opts.matters + opts.matters / 5 + 1);
    let mut matters = Vec::with_capacity(opts.matters);
    let law_from = date(2018, 7, 26);
    for i in 0..opts.matters {
        let action = ACTIONS[rng.random_range(0..ACTIONS.len())];
        let place = PLACES[rng.random_range(0..PLACES.len())];
        let object = OBJECTS[rng.random_range(0..OBJECTS.len())];
        let qualifier = QUALIFIERS[rng.random_range(0..QUALIFIERS.len())];
        let name = format!("在{place}{action}{object}{qualifier}");
        let (domain, department) = DOMAINS[i % DOMAINS.len()];
        let law = LAWS[rng.random_range(0..LAWS.len())];
        let article = rng.random_range(5..120u32);
        let vid = format!("SV-{i:06}");
        provisions.push(Provision {
            id: vid.clone(),
            law: law.into(),
            article,
            clause: Some(rng.random_range(1..4)),
            item: None,
            text: format!("禁止在{place}{action}{object}。违反本条规定的，由有关部门责令改正。"),
            effective_from: law_from,
            effective_to: None,
            source: Some("合成数据（无官方来源）".into()),
            verified: false,
        });
        // Every fifth matter opens a new shared penalty provision.
        let pid = format!("SP-{:06}", i / 5);
        if i % 5 == 0 {
            provisions.push(Provision {
                id: pid.clone(),
                law: law.into(),
                article: article + 1,
                clause: None,
                item: None,
                text: format!(
                    "违反本条例第{article}条规定的，责令限期改正，对个人处以罚款，对单位处以罚款。"
                ),
                effective_from: law_from,
                effective_to: None,
                source: Some("合成数据（无官方来源）".into()),
                verified: false,
            });
        }
        let kind = match i % 10 {
            0..=2 => MatterKind::Statutory,
            3..=5 => MatterKind::EmpoweredCommon,
            6..=8 => MatterKind::EmpoweredOptional,
            _ => MatterKind::Entrusted,
        };
        let ind_min = 50 * 100 * rng.random_range(1..=4i64);
        let ind = FineRange {
            min_fen: ind_min,
            max_fen: ind_min * rng.random_range(4..=20i64),
        };
        let org = FineRange {
            min_fen: ind.min_fen * 10,
            max_fen: ind.max_fen * 10,
        };
        let level_count = 3 + (i % 2);
        let (clause, levels, contiguous) = clause_for(i, ind, org, &pid, level_count);
        let exemption = |codes: &[&str]| ExemptionRule {
            conditions: "1.初次违法；2.危害后果轻微；3.及时改正".into(),
            circumstances: codes.iter().map(|s| (*s).into()).collect(),
        };
        // Everyday names shared by many matters, as real ones are (乱堆,
        // 小广告 cover several matters each); derived from the draws above so
        // the random stream, and every other field, stays as it was.
        let aliases = vec![format!("{action}{object}"), format!("{place}{object}")]
            .into_iter()
            .filter(|a| *a != name)
            .collect();
        matters.push(Matter {
            code: format!("SYN-{i:06}"),
            aliases,
            fact_phrases: Vec::new(),
            name,
            kind,
            entrusting_authority: (kind == MatterKind::Entrusted)
                .then(|| format!("{department}（委托）")),
            domain: domain.into(),
            department: department.into(),
            violated: vec![vid],
            penalty: vec![pid],
            statutory: None,
            correction_first: false,
            first_violation: (i % 4 == 0)
                .then(|| exemption(&["first_violation", "minor_harm", "corrected_promptly"])),
            minor_violation: (i % 6 == 0)
                .then(|| exemption(&["minor_violation", "corrected_promptly", "no_harm"])),
            levels_contiguous: contiguous,
            levels,
            clause: Some(clause),
            scope_note: None,
        });
    }
    let townships = (0..opts.townships)
        .map(|t| Township {
            code: format!("500{:03}{:03}", 101 + t % 100, t),
            name: format!("合成{t}镇"),
            district: format!("合成{}区", t % 10),
            short_name: format!("合{t}"),
            number_policy: Default::default(),
            adopted: matters
                .iter()
                .filter(|m| m.kind.needs_adoption())
                .filter(|_| rng.random_bool(0.5))
                .map(|m| Adoption {
                    matter: m.code.clone(),
                    from: date(2025, 7, 1),
                    to: None,
                })
                .collect(),
        })
        .collect();
    Package {
        format: PACKAGE_FORMAT.into(),
        release: Release {
            id: format!("SYNTH-{}-{}", opts.matters, opts.seed),
            region: "500000".into(),
            region_name: "重庆市".into(),
            title: format!("合成事项目录（{} 项，仅用于性能测试）", opts.matters),
            issued_on: date(2025, 6, 20),
            effective_from: date(2025, 7, 1),
            sample: true,
            notice: Some("合成数据，非官方清单，仅用于基准测试".into()),
        },
        provisions,
        matters,
        townships,
        calendar: Calendar {
            from: date(2025, 1, 1),
            to: date(2026, 12, 31),
            holidays: vec![],
            workdays: vec![],
            years: vec![],
        },
        departments: vec![],
        inspection_items: vec![],
        scenarios: vec![],
    }
}

/// The clause of synthetic matter `i`, its levels and whether they tile the
/// bands. The shape cycles with `i` (no extra random draws, so the rest of
/// the package stays as it was for a seed):
///
/// - 0: one band, optional warning and fine (a format 1 matter converted);
/// - 1: a warning band, and a fine only after an expired order to correct;
/// - 2: two bands, the upper half only when `serious` is attested;
/// - 3: fixed amounts: the minimum, or the maximum when `refused_to_correct`;
/// - 4: warning 并处 fine 并处 confiscation, all mandatory;
/// - 5: a multiple of the illegal gains (一倍以上五倍以下) with mandatory
///   confiscation of the gains, and a `repeat` band of revocation.
fn clause_for(
    i: usize,
    ind: FineRange,
    org: FineRange,
    pid: &str,
    n: usize,
) -> (Clause, Vec<DiscretionLevel>, bool) {
    let kind = |kind, mandatory| ImposedKind {
        kind,
        mandatory,
        detail: None,
    };
    let band = |id: &str, party, pre: Vec<Precondition>, kinds, fine| Band {
        id: id.into(),
        name: if pre.is_empty() { "一般" } else { "加重" }.into(),
        provision: pid.into(),
        article: Some(format!("合成罚则{pid}")),
        parties: vec![party],
        preconditions: pre,
        precondition_facts: None,
        kinds,
        fine,
    };
    let both = |id: &str,
                pre: Vec<Precondition>,
                kinds: Vec<ImposedKind>,
                f: &dyn Fn(FineRange) -> Option<FineAmount>| {
        vec![
            band(
                id,
                ClauseParty::Individual,
                pre.clone(),
                kinds.clone(),
                f(ind),
            ),
            band(id, ClauseParty::Organization, pre, kinds, f(org)),
        ]
    };
    let range = |r: FineRange| Some(FineAmount::Range(r));
    let mut levels = levels_for(ind, org, n);
    let point = |levels: &mut Vec<DiscretionLevel>, f: &dyn Fn(usize) -> &'static str| {
        for (k, l) in levels.iter_mut().enumerate() {
            l.band = Some(f(k).into());
        }
    };
    let fine_opt = || {
        vec![
            kind(SanctionKind::Warning, false),
            kind(SanctionKind::Fine, false),
        ]
    };
    let (bands, contiguous) = match i % 6 {
        1 => {
            let mut b = both(
                "B1",
                vec![],
                vec![kind(SanctionKind::Warning, false)],
                &|_| None,
            );
            b.extend(both(
                "B2",
                vec![Precondition::NotCorrectedByDeadline],
                vec![kind(SanctionKind::Fine, true)],
                &range,
            ));
            point(&mut levels, &|_| "B2");
            (b, true)
        }
        2 => {
            let half = n / 2;
            let cut = |r: FineRange| r.min_fen + (r.max_fen - r.min_fen) * half as i64 / n as i64;
            let mut b = both("B1", vec![], fine_opt(), &|r| {
                range(FineRange {
                    min_fen: r.min_fen,
                    max_fen: cut(r),
                })
            });
            b.extend(both(
                "B2",
                vec![Precondition::Serious],
                vec![kind(SanctionKind::Fine, true)],
                &|r| {
                    range(FineRange {
                        min_fen: cut(r),
                        max_fen: r.max_fen,
                    })
                },
            ));
            point(&mut levels, &|k| if k < half { "B1" } else { "B2" });
            (b, true)
        }
        3 => {
            let mut b = both("B1", vec![], vec![kind(SanctionKind::Fine, true)], &|r| {
                Some(FineAmount::Fixed(vec![r.min_fen]))
            });
            b.extend(both(
                "B2",
                vec![Precondition::RefusedToCorrect],
                vec![kind(SanctionKind::Fine, true)],
                &|r| Some(FineAmount::Fixed(vec![r.max_fen])),
            ));
            levels.truncate(2);
            for (k, l) in levels.iter_mut().enumerate() {
                for (pen, r) in [(&mut l.individual, ind), (&mut l.organization, org)] {
                    let a = if k == 0 { r.min_fen } else { r.max_fen };
                    *pen = Some(LevelPenalty {
                        warning: false,
                        fine: Some(FineRange {
                            min_fen: a,
                            max_fen: a,
                        }),
                        other: vec![],
                    });
                }
            }
            point(&mut levels, &|k| if k == 0 { "B1" } else { "B2" });
            (b, false)
        }
        4 => {
            let b = both(
                "B1",
                vec![],
                vec![
                    kind(SanctionKind::Warning, true),
                    kind(SanctionKind::Fine, true),
                    kind(SanctionKind::ConfiscateIllegalProperty, true),
                ],
                &range,
            );
            for l in &mut levels {
                for pen in [&mut l.individual, &mut l.organization]
                    .into_iter()
                    .flatten()
                {
                    pen.warning = true;
                    pen.other = vec!["没收非法财物".into()];
                }
            }
            point(&mut levels, &|_| "B1");
            (b, true)
        }
        5 => {
            let mut b = both(
                "B1",
                vec![],
                vec![
                    kind(SanctionKind::ConfiscateIllegalGains, true),
                    kind(SanctionKind::Fine, true),
                ],
                &|_| {
                    Some(FineAmount::Multiple(Multiple {
                        base: MultipleBase::IllegalGains,
                        min_percent: 100,
                        max_percent: 500,
                    }))
                },
            );
            b.extend(both(
                "B2",
                vec![Precondition::Repeat],
                vec![
                    kind(SanctionKind::ConfiscateIllegalGains, true),
                    kind(SanctionKind::RevokePermit, true),
                ],
                &|_| None,
            ));
            levels.truncate(1);
            for l in &mut levels {
                l.circumstances = vec![];
                for pen in [&mut l.individual, &mut l.organization]
                    .into_iter()
                    .flatten()
                {
                    pen.warning = false;
                    pen.fine = None;
                    pen.other = vec!["没收违法所得，并处违法所得一倍以上五倍以下罚款".into()];
                }
            }
            point(&mut levels, &|_| "B1");
            (b, false)
        }
        _ => {
            let b = both("B1", vec![], fine_opt(), &range);
            point(&mut levels, &|_| "B1");
            (b, true)
        }
    };
    (Clause { bands }, levels, contiguous)
}

/// Splits the statutory ranges into `n` contiguous levels by the Chongqing
/// tier rule: each level covers an equal share of `max − min`.
fn levels_for(ind: FineRange, org: FineRange, n: usize) -> Vec<DiscretionLevel> {
    const NAMES: &[&str] = &["轻微", "一般", "较重", "严重"];
    let cut = |r: FineRange, k: usize| r.min_fen + (r.max_fen - r.min_fen) * k as i64 / n as i64;
    (0..n)
        .map(|k| {
            let pen = |r: FineRange| LevelPenalty {
                warning: k == 0,
                fine: Some(FineRange {
                    min_fen: cut(r, k),
                    max_fen: cut(r, k + 1),
                }),
                other: vec![],
            };
            DiscretionLevel {
                code: format!("L{}", k + 1),
                name: NAMES[k.min(NAMES.len() - 1)].into(),
                conditions: format!("第{}档情形", k + 1),
                circumstances: vec![format!("tier_{}", k + 1)],
                individual: Some(pen(ind)),
                organization: Some(pen(org)),
                band: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::validate::check_rules;

    #[test]
    fn synthetic_packages_pass_every_rule_and_are_deterministic() {
        let opts = SynthOptions {
            matters: 300,
            townships: 5,
            seed: 9,
        };
        let p = synth(&opts);
        assert_eq!(p.matters.len(), 300);
        assert_eq!(check_rules(&p), vec![]);
        assert_eq!(p, synth(&opts));
        assert_ne!(p, synth(&SynthOptions { seed: 10, ..opts }));
    }
}
