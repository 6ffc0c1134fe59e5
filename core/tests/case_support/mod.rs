//! Fixtures shared by the case tests: a store with the sample catalogue,
//! the sample officers, the device identity, the sample township
//! configurations and number leases; a party; and step builders.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use uuid::Uuid;
use zhifa_core::case::config::{
    SAMPLE_TOWNSHIP_CONFIGS, SERIES_DECISION, SERIES_ORDER, parse_configs,
};
use zhifa_core::case::numbers::PAYMENT_CODE_SERIES;
use zhifa_core::case::{self, Case, CaseEvent, CaseParty, NewCase, Service};
use zhifa_core::catalogue::import;
use zhifa_core::device::{Device, SAMPLE_OFFICERS, StoreKeyWrap, load_officers};
use zhifa_core::rules::assess::{PartyKind, PenaltyKind, ProposedPenalty};
use zhifa_core::rules::identity::citizen_check_character;
use zhifa_core::store::{DbKey, Store};

pub const KEY: DbKey = DbKey::Raw([5; 32]);
/// 龙兴镇 (渝北区): local payment codes.
pub const LONGXING: &str = "500112108";
/// 东溪镇 (綦江区): issued-range payment codes.
pub const DONGXI: &str = "500110106";
/// 静观镇 (北碚区): no payment code offline.
pub const JINGGUAN: &str = "500109111";
/// 占道经营: individual 50–500 元; L2 (area_5_to_10sqm) 100–250 元.
pub const STALLS: &str = "CG-001";
/// Entrusted traffic matter adopted by 龙兴镇.
pub const TRAFFIC: &str = "JT-YB-01";

pub const SAMPLE: &str = include_str!("../../../schema/catalogue/sample/chongqing-sample.json");

pub struct Env {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: DateTime<Utc>,
    /// Whether both officers sign the decision right after it is issued
    /// (行政处罚法 Art. 52 ¶2), as the app does before handing it over;
    /// the tests of that rule turn it off.
    pub officers_sign: bool,
}

/// The PIN the tests enrol every officer with.
pub const OFFICER_PIN: &str = "135792";

pub fn t0() -> DateTime<Utc> {
    // 2026-03-02 10:30 Beijing time.
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 30, 0).single().unwrap()
}

pub fn violation_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

impl Env {
    /// A store with catalogue, officers, device, configs and leases of
    /// `lease` numbers per township and series for 2026.
    pub fn new(lease: i64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db"), &KEY).unwrap();
        let clock = t0();
        import(&mut store, SAMPLE.as_bytes(), clock).unwrap();
        load_officers(&mut store, SAMPLE_OFFICERS.as_bytes()).unwrap();
        Device::load_or_create(&store, &StoreKeyWrap::new(&KEY), clock).unwrap();
        for c in parse_configs(SAMPLE_TOWNSHIP_CONFIGS).unwrap() {
            case::set_township_config(&store, &c, clock).unwrap();
        }
        let mut env = Self {
            dir,
            store,
            clock,
            officers_sign: true,
        };
        if lease > 0 {
            for t in [LONGXING, DONGXI, JINGGUAN] {
                for s in [SERIES_DECISION, SERIES_ORDER, PAYMENT_CODE_SERIES] {
                    env.lease(t, s, 1, lease);
                }
            }
        }
        env
    }

    pub fn tick(&mut self) -> DateTime<Utc> {
        self.clock += Duration::seconds(61);
        self.clock
    }

    pub fn lease(&mut self, township: &str, series: &str, start: i64, end: i64) {
        let now = self.tick();
        case::grant_lease(
            &mut self.store,
            township,
            series,
            2026,
            start,
            end,
            "local_admin",
            now,
        )
        .unwrap();
    }

    pub fn create(
        &mut self,
        township: &str,
        matter: &str,
        officers: [&str; 2],
    ) -> Result<Case, case::CaseError> {
        let now = self.tick();
        case::create(
            &mut self.store,
            &NewCase {
                id: case::uuid_v7(now),
                township: township.into(),
                matter_code: matter.into(),
                violation_time: violation_time(),
                officers: officers.map(String::from),
            },
            now,
        )
    }

    pub fn advance(&mut self, id: Uuid, event: CaseEvent) -> Result<Case, case::CaseError> {
        let now = self.tick();
        let c = case::advance(&mut self.store, id, &event, now)?;
        if matches!(event, CaseEvent::Issue) && self.officers_sign {
            let officers: Vec<String> = c.officers.iter().map(|o| o.id.clone()).collect();
            let mut last = c;
            for o in officers {
                last = self.officer_signs(id, &o).unwrap();
            }
            return Ok(last);
        }
        Ok(c)
    }

    /// The officer signs the issued decision with the PIN (enrolled and the
    /// signature captured on first need).
    pub fn officer_signs(
        &mut self,
        id: Uuid,
        officer: &str,
    ) -> Result<Case, case::officer_sign::OfficerSignError> {
        let now = self.tick();
        if zhifa_core::signin::enrolment(&self.store, officer, now)
            .unwrap()
            .is_none()
        {
            zhifa_core::signin::enrol(&self.store, officer, OFFICER_PIN, now).unwrap();
        }
        let first = case::officer_sign::stored(&self.store, officer)
            .unwrap()
            .is_none();
        let png = png();
        case::officer_sign::sign_decision(
            &mut self.store,
            id,
            officer,
            OFFICER_PIN,
            first.then_some(png.as_slice()),
            now,
        )
    }

    pub fn digest(&self) -> String {
        self.store.content_digest().unwrap()
    }

    /// Outbox records of the case and number code itself. Since device
    /// schema v6 a trigger also announces every consumed number
    /// (`issued_number`/`use`, for the server's lease reconciliation); those
    /// are not counted here.
    pub fn outbox_len(&self) -> usize {
        case::outbox_pending(&self.store)
            .unwrap()
            .iter()
            .filter(|o| !(o.entity == "issued_number" && o.op == "use"))
            .count()
    }

    /// Creates a 龙兴镇 占道经营 case and takes it to `rights_told` with
    /// `told_fen` told; the statement is then heard (`heard`) or waived.
    pub fn up_to_rights_told(&mut self, told_fen: i64, heard: bool) -> Uuid {
        let c = self.create(LONGXING, STALLS, officers(LONGXING)).unwrap();
        self.advance(c.id, party_and_facts(individual())).unwrap();
        self.advance(c.id, evidence()).unwrap();
        self.advance(c.id, CaseEvent::ShowCredentials).unwrap();
        self.advance(c.id, inform(fine(told_fen))).unwrap();
        let step = if heard {
            CaseEvent::HearStatement {
                text: "当事人称刚到此处摆摊，愿意立即整改".into(),
                review: "经复核，陈述的事实与现场情况不符，不予采纳".into(),
            }
        } else {
            CaseEvent::WaiveStatement { words: None }
        };
        self.advance(c.id, step).unwrap();
        c.id
    }
}

pub fn officers(township: &str) -> [&'static str; 2] {
    match township {
        LONGXING => ["OFF-LX-01", "OFF-LX-02"],
        DONGXI => ["OFF-DX-01", "OFF-DX-02"],
        _ => ["OFF-JG-01", "OFF-JG-02"],
    }
}

pub fn citizen_id(body: &str) -> String {
    format!("{body}{}", citizen_check_character(body).unwrap())
}

pub fn individual() -> CaseParty {
    CaseParty {
        kind: PartyKind::Individual,
        name: "周小川".into(),
        id_number: citizen_id("50011219800101123"),
        phone: Some("13800001234".into()),
        address: "重庆市渝北区龙兴镇示例路1号".into(),
        representative: None,
        id_kind: None,
        nationality: None,
        birth_date: None,
        no_document_reason: None,
        photo_evidence: None,
    }
}

pub fn fine(fen: i64) -> ProposedPenalty {
    ProposedPenalty {
        kind: PenaltyKind::Fine,
        amount_fen: Some(fen),
        also: Vec::new(),
        band: None,
    }
}

pub fn warning() -> ProposedPenalty {
    ProposedPenalty {
        kind: PenaltyKind::Warning,
        amount_fen: None,
        also: Vec::new(),
        band: None,
    }
}

pub fn party_and_facts(party: CaseParty) -> CaseEvent {
    CaseEvent::RecordPartyAndFacts {
        party,
        facts: "在龙兴镇示例路人行道上摆摊经营水果，占道面积约6平方米".into(),
        place: "龙兴镇示例路12号门前人行道".into(),
        act_end: None,
        violation_time: None,
    }
}

pub fn evidence() -> CaseEvent {
    CaseEvent::AttachEvidence {
        evidence_ids: vec![],
        summary: "现场照片2张（执法记录仪同步录像）".into(),
        // The fixture captures no item on this device: the recorded reason
        // lets a fine be decided (行政处罚法 Art. 40, 47; see
        // `a_fine_on_no_captured_evidence_needs_a_recorded_reason`).
        no_evidence_reason: Some("现场照片及录像由执法记录仪采集，已另行存档".into()),
    }
}

pub fn inform(p: ProposedPenalty) -> CaseEvent {
    CaseEvent::InformRights {
        proposed: p,
        content: "拟依据《重庆市市容环境卫生管理条例》给予罚款，告知陈述、申辩权".into(),
    }
}

pub fn decide(p: ProposedPenalty, circ: &[&str], reason: Option<&str>) -> CaseEvent {
    CaseEvent::Decide {
        penalty: p,
        circumstances: circ.iter().map(|c| (*c).to_owned()).collect(),
        deviation_reason: reason.map(String::from),
        place: "龙兴镇示例路12号".into(),
    }
}

/// A minimal valid PNG signature image (1×1, made with the image crate).
pub fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(1, 1, image::Rgba([0, 0, 0, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn signed() -> CaseEvent {
    CaseEvent::Serve {
        service: Service::Signed {
            name: "周小川".into(),
            png: png(),
        },
    }
}

/// A signed 确认书 for electronic service (行政处罚法 Art. 61 ¶2) agreeing
/// to `agreed` (channel and address).
pub fn confirmation(agreed: &str) -> zhifa_core::case::ServiceConfirmation {
    zhifa_core::case::ServiceConfirmation {
        signer_name: "周小川".into(),
        signature_png: png(),
        agreed_address: agreed.into(),
    }
}
