//! Realistic documents of a normal-procedure case (普通程序), shared by
//! the document and the 卷宗 tests.

use zhifa_core::document::model::{PartyDetails, PartySignature};
use zhifa_core::document::normal::{
    ClosingApproval, Defence, FilingApproval, HearingSummary, InterviewRecord, InvestigationReport,
    LegalReview, Opinion, PaymentRoute, PenaltyDecision, PriorNotice, QuestionAnswer,
    ReviewOutcome, ReviewPoint,
};
use zhifa_core::procedure::{Penalty, PenaltyKind};

use super::*;

pub(crate) const DECISION_NUMBER: &str = "渝北龙兴罚决字〔2026〕第7号";
pub(crate) const USCC: &str = "91500112MA5U8XYZ3K";
pub(crate) const CASE_NUMBER: &str = "渝北龙兴立字〔2026〕第31号";
pub(crate) const PAY_URL_NORMAL: &str =
    "https://fs.cqczj.gov.cn/pay?code=5001122612180007&amt=1200000";

pub(crate) fn company() -> PartyDetails {
    PartyDetails::Organization {
        name: "重庆市渝北区龙兴镇鑫旺建材经营部".into(),
        uscc: USCC.into(),
        legal_representative: "李四".into(),
        representative_title: Some("经营者".into()),
        address: "重庆市渝北区龙兴镇工业园区8号".into(),
        phone: Some("02367001234".into()),
    }
}

pub(crate) fn opinion(text: &str, signer: &str, d: u32) -> Opinion {
    Opinion {
        text: text.into(),
        signer: signer.into(),
        date: day(2026, 11, d),
    }
}

pub(crate) fn penalty_decision() -> PenaltyDecision {
    PenaltyDecision {
        number: DECISION_NUMBER.into(),
        authority: authority(),
        party: company(),
        cause: "重庆市渝北区龙兴镇鑫旺建材经营部未按规定处置建筑垃圾案".into(),
        violation_time: t(2026, 11, 3, 9, 30),
        violation_place: "渝北区龙兴镇两江大道旁空地".into(),
        facts: "将装修建筑垃圾约12吨随意倾倒，未运往指定的消纳场所。".into(),
        evidence: vec![
            "现场检查（勘验）笔录1份（2026年11月3日）".into(),
            "询问笔录1份（被询问人：李四）".into(),
            "现场照片6张，SHA-256见证据清单".into(),
        ],
        violated_provisions: vec!["《重庆市城市建筑垃圾管理办法》第十九条".into()],
        defence: Defence::Heard {
            summary: "当事人称系首次违法且已主动清运".into(),
            adoption: "主动清运的情节属实，予以采纳，在裁量基准内从轻处罚。".into(),
        },
        hearing: Some(HearingSummary {
            held_on: day(2026, 12, 4),
            summary: "听证会上当事人对违法事实无异议。".into(),
        }),
        discretion: Some(
            "《重庆市城市管理行政处罚裁量基准》CG-117第二阶次，当事人主动消除危害后果，从轻处罚"
                .into(),
        ),
        penalty_provisions: vec!["《重庆市城市建筑垃圾管理办法》第四十一条第一款".into()],
        penalty: Penalty {
            kinds: vec![
                PenaltyKind::Warning,
                PenaltyKind::Fine,
                PenaltyKind::Confiscation,
            ],
            fine_fen: 1_200_000,
            confiscation_fen: 350_050,
        },
        payment: Some(PaymentRoute::Electronic {
            channel: "重庆市非税收入电子缴款平台".into(),
            code: Some("5001122612180007".into()),
            qr_content: Some(PAY_URL_NORMAL.into()),
        }),
        review_body: "重庆市渝北区人民政府".into(),
        court: "重庆市渝北区人民法院".into(),
        date: day(2026, 12, 18),
    }
}

pub(crate) fn filing_approval() -> FilingApproval {
    FilingApproval {
        number: CASE_NUMBER.into(),
        authority: authority(),
        case_source: "日常巡查".into(),
        cause: "重庆市渝北区龙兴镇鑫旺建材经营部未按规定处置建筑垃圾案".into(),
        party: company(),
        summary:
            "2026年11月3日巡查发现两江大道旁空地倾倒建筑垃圾约12吨，现场照片6张，影响市容环境。"
                .into(),
        suspected_provisions: vec!["《重庆市城市建筑垃圾管理办法》第十九条".into()],
        handlers: officers(),
        handler_opinion: opinion("建议立案调查", "王建国", 4),
        unit_opinion: opinion("同意立案", "陈队长", 4),
        head_opinion: opinion("同意立案", "赵镇长", 5),
        filed_on: day(2026, 11, 5),
    }
}

pub(crate) fn interview_record(pairs: usize) -> InterviewRecord {
    InterviewRecord {
        authority: authority(),
        cause: "重庆市渝北区龙兴镇鑫旺建材经营部未按规定处置建筑垃圾案".into(),
        start: t(2026, 11, 6, 9, 0),
        end: t(2026, 11, 6, 10, 10),
        place: "龙兴镇综合行政执法大队询问室".into(),
        interviewers: officers(),
        recorder: "刘晓燕".into(),
        interviewee: individual(),
        relation: "当事人的经营者".into(),
        qa: (1..=pairs)
            .map(|i| QuestionAnswer {
                question: format!("第{i}问：请说明2026年11月3日倾倒建筑垃圾的经过，包括车辆、时间和数量？"),
                answer: format!("第{i}答：当天上午用自家货车运了三趟，每趟约四吨，倒在两江大道旁的空地上，没有运到消纳场。"),
            })
            .collect(),
        interviewee_signature: PartySignature::Signed {
            name: "张三".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 6, 10, 12),
        },
        date: day(2026, 11, 6),
    }
}

pub(crate) fn prior_notice() -> PriorNotice {
    PriorNotice {
        number: "渝北龙兴罚告字〔2026〕第5号".into(),
        authority: authority(),
        party: company(),
        facts: "2026年11月3日将装修建筑垃圾约12吨倾倒于两江大道旁空地。".into(),
        evidence: vec!["现场检查（勘验）笔录".into(), "询问笔录".into()],
        reasons: "违法事实清楚，证据确凿；数量较大，属一般情节".into(),
        violated_provisions: vec!["《重庆市城市建筑垃圾管理办法》第十九条".into()],
        penalty_provisions: vec!["《重庆市城市建筑垃圾管理办法》第四十一条第一款".into()],
        proposed: Penalty::fine(1_500_000),
        statement_by: day(2026, 12, 4),
        hearing_request_by: Some(day(2026, 12, 8)),
        contact: "王建国，龙兴镇综合行政执法大队，023-67001111".into(),
        officers: officers(),
        date: day(2026, 12, 1),
    }
}

pub(crate) fn investigation_report() -> InvestigationReport {
    InvestigationReport {
        case_number: CASE_NUMBER.into(),
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        party: company(),
        course: "2026年11月5日立案，11月6日询问当事人，调取现场照片6张。".into(),
        facts: "当事人将装修建筑垃圾约12吨倾倒于两江大道旁空地。".into(),
        evidence: vec!["现场检查（勘验）笔录".into(), "询问笔录".into()],
        characterization: "随意倾倒建筑垃圾".into(),
        violated_provisions: vec!["《重庆市城市建筑垃圾管理办法》第十九条".into()],
        penalty_provisions: vec!["《重庆市城市建筑垃圾管理办法》第四十一条第一款".into()],
        discretion: "CG-117第二阶次".into(),
        proposal: "建议给予警告，并处罚款人民币15000元".into(),
        handlers: officers(),
        date: day(2026, 11, 20),
    }
}

pub(crate) fn legal_review() -> LegalReview {
    LegalReview {
        case_number: CASE_NUMBER.into(),
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        reviewer: "孙法审".into(),
        qualification_number: "A20195001120001".into(),
        checklist: vec![
            ReviewPoint {
                point: "执法主体是否合法、是否超越法定权限".into(),
                finding: "合法".into(),
            },
            ReviewPoint {
                point: "事实是否清楚、证据是否充分".into(),
                finding: "清楚、充分".into(),
            },
        ],
        outcome: ReviewOutcome::ReviseAndResubmit,
        opinion: "裁量理由应补充当事人主动清运的情节。".into(),
        date: day(2026, 12, 10),
    }
}

pub(crate) fn closing_approval() -> ClosingApproval {
    ClosingApproval {
        case_number: CASE_NUMBER.into(),
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        party: company(),
        decision: format!("《行政处罚决定书》（{DECISION_NUMBER}），2026年12月18日作出"),
        outcome: "警告，并处罚款人民币12000元".into(),
        execution: "当事人已于2026年12月25日缴纳罚款，财政票据号0012345".into(),
        property_disposal: "先行登记保存的自卸货车已解除，退还当事人".into(),
        handler_opinion: Opinion {
            text: "建议结案".into(),
            signer: "王建国".into(),
            date: day(2026, 12, 26),
        },
        reviewer_opinion: Opinion {
            text: "同意".into(),
            signer: "孙法审".into(),
            date: day(2026, 12, 27),
        },
        head_opinion: Opinion {
            text: "同意结案".into(),
            signer: "赵镇长".into(),
            date: day(2026, 12, 28),
        },
        closed_on: day(2026, 12, 28),
    }
}
