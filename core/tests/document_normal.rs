//! The normal procedure's documents (普通程序文书) rendered on A4 and read
//! back with poppler: the 行政处罚决定书 prints every element of 行政处罚法
//! Art. 59 and refuses to render with one missing; each other document of
//! §1.5 renders with its mandatory fields; a 询问笔录 carries the
//! signatures on every page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use zhifa_core::ErrorCode;
use zhifa_core::document::fonts::FontSet;
use zhifa_core::document::model::{DocumentData, DocumentKind, PartySignature};
use zhifa_core::document::normal::{
    CollectiveDiscussion, Defence, ElectronicServiceConsent, PaymentRoute, PenaltyDecision,
    PreservationNotice, PreservedItem, Reminder, StatementRecord,
};
use zhifa_core::document::template::Template;
use zhifa_core::document::{DocumentError, RenderOptions, RenderedDocument, render_pdf};
use zhifa_core::procedure::{Penalty, PenaltyKind};

mod document_support;
use document_support::normal::*;
use document_support::poppler::*;
use document_support::*;

fn fonts() -> &'static FontSet {
    static F: OnceLock<FontSet> = OnceLock::new();
    F.get_or_init(|| FontSet::bundled().unwrap())
}

fn render(data: &DocumentData) -> Result<RenderedDocument, DocumentError> {
    let template = Template::builtin(data.kind()).unwrap();
    let doc = render_pdf(data, &template, fonts(), &RenderOptions::default())?;
    if let Ok(dir) = std::env::var("ZHIFA_RENDER_DUMP") {
        let name = format!("{}.pdf", data.kind().file_stem());
        std::fs::write(std::path::Path::new(&dir).join(name), &doc.pdf).unwrap();
    }
    Ok(doc)
}

#[test]
fn the_penalty_decision_prints_every_element_of_article_59() {
    let data = DocumentData::PenaltyDecision(penalty_decision());
    let doc = render(&data).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains_all(
        &text,
        &[
            // the number and the title
            "行政处罚决定书",
            DECISION_NUMBER,
            // (一) the party: name, credit code, representative, address
            "重庆市渝北区龙兴镇鑫旺建材经营部",
            USCC,
            "李四",
            "重庆市渝北区龙兴镇工业园区8号",
            // (二) facts and evidence
            "2026年11月3日09时30分",
            "渝北区龙兴镇两江大道旁空地",
            "将装修建筑垃圾约12吨随意倾倒，未运往指定的消纳场所。",
            "1.现场检查（勘验）笔录1份（2026年11月3日）",
            "2.询问笔录1份（被询问人：李四）",
            "3.现场照片6张",
            // the provisions violated
            "违反了《重庆市城市建筑垃圾管理办法》第十九条的规定",
            // 陈述申辩, 复核 and what was adopted; the hearing
            "当事人称系首次违法且已主动清运",
            "予以采纳",
            "2026年12月4日依法举行听证",
            // (三) kinds and basis
            "依据《重庆市城市建筑垃圾管理办法》第四十一条第一款的规定",
            "警告、罚款、没收违法所得、没收非法财物",
            "人民币12000元（¥12000.00）",
            "人民币壹万贰仟元整",
            "人民币3500.50元（¥3500.50）",
            "人民币叁仟伍佰元伍角",
            // (四) manner and period of performance, the surcharge
            "重庆市非税收入电子缴款平台",
            "5001122612180007",
            "自收到本决定书之日起十五日内缴纳罚款",
            "第六十七条第三款",
            "每日按罚款数额的3%加处罚款",
            // (五) the remedy: body and period, court and period
            "六十日内向重庆市渝北区人民政府申请行政复议",
            "六个月内依法向重庆市渝北区人民法院提起行政诉讼",
            // (六) the authority and the date
            "重庆市渝北区龙兴镇人民政府（印章）",
            "2026年12月18日",
            &doc.document_hash,
        ],
    );
    // The verification QR and the payment QR.
    let qrs = qr_contents(&doc.pdf);
    assert!(qrs.contains(&doc.verification_payload), "{qrs:?}");
    assert!(qrs.iter().any(|q| q == PAY_URL_NORMAL), "{qrs:?}");
    assert_eq!(
        doc.verification_payload,
        format!("ZHIFA-DOC:1:{DECISION_NUMBER}:{}", doc.document_hash)
    );
}

#[test]
fn an_individual_is_printed_with_the_id_number_and_a_lapsed_defence() {
    let mut d = penalty_decision();
    d.party = individual();
    d.hearing = None;
    d.defence = Defence::Lapsed {
        notice_number: "渝北龙兴罚告字〔2026〕第5号".into(),
        served_on: day(2026, 12, 1),
    };
    d.penalty = Penalty::fine(50_000);
    d.payment = Some(PaymentRoute::Bank {
        bank: "重庆农村商业银行龙兴支行".into(),
        address: "渝北区龙兴镇龙兴大道1号".into(),
        code: None,
    });
    let doc = render(&DocumentData::PenaltyDecision(d)).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains_all(
        &text,
        &[
            "张三",
            ID,
            "居民身份证",
            "当事人在规定期限内未提出陈述、申辩意见",
            "重庆农村商业银行龙兴支行",
            "人民币伍佰元整",
        ],
    );
    assert!(!squash(&text).contains("听证情况"));
}

#[test]
fn a_decision_missing_an_article_59_element_is_refused() {
    let missing = |d: PenaltyDecision| match render(&DocumentData::PenaltyDecision(d)) {
        Err(e @ DocumentError::MissingField { .. }) => {
            assert_eq!(e.code(), "DOC_MISSING_FIELD");
            match e {
                DocumentError::MissingField { field } => field,
                _ => unreachable!(),
            }
        }
        other => panic!("expected MissingField, got {other:?}"),
    };
    let mut d = penalty_decision();
    d.evidence.clear();
    assert_eq!(missing(d), "evidence_list");
    let mut d = penalty_decision();
    d.payment = None;
    assert_eq!(missing(d), "payment_method");
    let mut d = penalty_decision();
    d.review_body = " ".into();
    assert_eq!(missing(d), "remedy_clause");
    let mut d = penalty_decision();
    d.violated_provisions.clear();
    assert_eq!(missing(d), "violated_provisions");
    let mut d = penalty_decision();
    d.facts.clear();
    assert_eq!(missing(d), "facts");
    let mut d = penalty_decision();
    d.number.clear();
    assert_eq!(missing(d), "number");
}

#[test]
fn a_warning_alone_needs_no_payment() {
    let mut d = penalty_decision();
    d.penalty = Penalty {
        kinds: vec![PenaltyKind::Warning],
        fine_fen: 0,
        confiscation_fen: 0,
    };
    d.payment = None;
    let doc = render(&DocumentData::PenaltyDecision(d)).unwrap();
    let text = squash(&pdf_text(&doc.pdf));
    assert!(text.contains("给予以下行政处罚：警告。"));
    assert!(!text.contains("加处罚款"));
}

// ---------- the other documents of §1.5 ----------

#[test]
fn the_filing_approval_carries_the_three_opinions() {
    let doc = render(&DocumentData::FilingApproval(filing_approval())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "立案审批表",
            CASE_NUMBER,
            "案件来源：日常巡查",
            "未按规定处置建筑垃圾案",
            USCC,
            "《重庆市城市建筑垃圾管理办法》第十九条",
            "渝执500112001234",
            "建议立案调查（签名：王建国2026年11月4日）",
            "同意立案（签名：陈队长2026年11月4日）",
            "同意立案（签名：赵镇长2026年11月5日）",
            "立案日期：2026年11月5日",
        ],
    );
    let mut f = filing_approval();
    f.head_opinion.signer.clear();
    assert!(matches!(
        render(&DocumentData::FilingApproval(f)),
        Err(DocumentError::MissingField { field }) if field == "head_opinion"
    ));
}

#[test]
fn every_page_of_an_interview_record_carries_the_signatures() {
    let doc = render(&DocumentData::InterviewRecord(interview_record(30))).unwrap();
    assert!(doc.page_count >= 2, "{} pages", doc.page_count);
    assert_eq!(page_count(&doc.pdf), doc.page_count);
    for n in 1..=doc.page_count {
        assert_contains_all(
            &page_text(&doc.pdf, n),
            &[
                "被询问人签名：张三",
                "执法人员：王建国、刘晓燕",
                "记录人：刘晓燕",
                &format!("第 {n} 页 共 {} 页", doc.page_count),
            ],
        );
    }
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "询问笔录",
            "2026年11月6日09时00分至2026年11月6日10时10分",
            "龙兴镇综合行政执法大队询问室",
            "渝执500112005678",
            "与本案关系：当事人的经营者",
            "出示证件",
            "申请回避",
            "问：第1问",
            "答：第30答",
        ],
    );
    // A refusal is recorded on every page instead.
    let mut r = interview_record(3);
    r.interviewee_signature = PartySignature::Refused {
        reason: "称不识字".into(),
        witness: Some("村委会主任周某".into()),
    };
    let doc = render(&DocumentData::InterviewRecord(r)).unwrap();
    let text = pdf_text(&doc.pdf);
    assert_contains_all(&text, &["被询问人拒绝签名", "称不识字", "村委会主任周某"]);
}

#[test]
fn the_preservation_notice_lists_the_items_under_article_56() {
    let n = PreservationNotice {
        number: "渝北龙兴先保字〔2026〕第2号".into(),
        authority: authority(),
        party: company(),
        reason: "涉案运输车辆及物品可能被转移，以后难以取得".into(),
        approved: opinion("同意", "赵镇长", 3),
        items: vec![
            PreservedItem {
                name: "自卸货车".into(),
                spec: Some("渝A·12345".into()),
                quantity: "1辆".into(),
                remark: Some("车身沾有建筑垃圾".into()),
            },
            PreservedItem {
                name: "装修废料".into(),
                spec: None,
                quantity: "约2吨".into(),
                remark: None,
            },
        ],
        storage_place: "龙兴镇综合行政执法大队暂扣物品仓库".into(),
        decide_by: day(2026, 11, 12),
        officers: officers(),
        party_signature: PartySignature::Refused {
            reason: "不认可".into(),
            witness: Some("周某".into()),
        },
        date: day(2026, 11, 3),
    };
    let doc = render(&DocumentData::PreservationNotice(n.clone())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "先行登记保存证据通知书",
            "《中华人民共和国行政处罚法》第五十六条",
            "经本机关负责人赵镇长于2026年11月3日批准",
            "1.自卸货车，规格：渝A·12345，数量：1辆，备注：车身沾有建筑垃圾",
            "2.装修废料，规格：—，数量：约2吨",
            "龙兴镇综合行政执法大队暂扣物品仓库",
            "七日内（即2026年11月12日前）",
            "当事人拒绝签名",
        ],
    );
    assert!(!squash(&pdf_text(&doc.pdf)).contains("第三十七条"));
    let mut empty = n;
    empty.items.clear();
    assert!(matches!(
        render(&DocumentData::PreservationNotice(empty)),
        Err(DocumentError::MissingField { field }) if field == "item_list"
    ));
}

#[test]
fn the_prior_notice_tells_the_statement_and_the_hearing_rights() {
    let doc = render(&DocumentData::PriorNotice(prior_notice())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "行政处罚事先告知书",
            "2026年11月3日将装修建筑垃圾约12吨",
            "理由：违法事实清楚",
            "拟对你（单位）作出如下行政处罚：罚款人民币15000元",
            "人民币壹万伍仟元整",
            "第四十四条、第四十五条",
            "2026年12月4日前向本机关提出陈述、申辩意见",
            "有权要求举行听证",
            "五个工作日内（即2026年12月8日前）",
        ],
    );
    // Without the Art. 63 right, no hearing paragraph.
    let mut p = prior_notice();
    p.hearing_request_by = None;
    let doc = render(&DocumentData::PriorNotice(p)).unwrap();
    assert!(!squash(&pdf_text(&doc.pdf)).contains("听证"));
}

#[test]
fn the_statement_record_and_the_investigation_report_render() {
    let s = StatementRecord {
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        notice_number: "渝北龙兴罚告字〔2026〕第5号".into(),
        start: t(2026, 12, 3, 14, 0),
        end: t(2026, 12, 3, 14, 40),
        place: "龙兴镇人民政府".into(),
        party: company(),
        hearers: officers(),
        recorder: "刘晓燕".into(),
        statement: "首次违法，已于11月5日全部清运完毕，请求从轻处罚。".into(),
        evidence_offered: Some("清运票据2张".into()),
        party_signature: PartySignature::Signed {
            name: "李四".into(),
            png: signature_png(),
            signed_at: t(2026, 12, 3, 14, 41),
        },
        date: day(2026, 12, 3),
    };
    let doc = render(&DocumentData::StatementRecord(s)).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "陈述申辩笔录",
            "渝北龙兴罚告字〔2026〕第5号",
            "请求从轻处罚",
            "清运票据2张",
            "当事人签名：李四",
        ],
    );
    let r = investigation_report();
    let doc = render(&DocumentData::InvestigationReport(r)).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "案件调查终结报告",
            "调查经过：",
            "定性：",
            "裁量阶次及理由：CG-117第二阶次",
            "处理建议：建议给予警告，并处罚款",
        ],
    );
}

#[test]
fn the_review_and_discussion_documents_render() {
    let doc = render(&DocumentData::LegalReview(legal_review())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "法制审核意见书",
            "审核人：孙法审",
            "法律职业资格证书编号：A20195001120001",
            "1.执法主体是否合法、是否超越法定权限：合法",
            "审核结论：修改后再报",
            "裁量理由应补充",
        ],
    );
    let mut r = legal_review();
    r.qualification_number.clear();
    assert!(matches!(
        render(&DocumentData::LegalReview(r)),
        Err(DocumentError::MissingField { field }) if field == "reviewer_qualification"
    ));

    let c = CollectiveDiscussion {
        case_number: CASE_NUMBER.into(),
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        time: t(2026, 12, 12, 15, 0),
        place: "镇政府三楼会议室".into(),
        host: "赵镇长".into(),
        attendees: vec!["赵镇长".into(), "钱副镇长".into(), "陈队长".into()],
        recorder: "刘晓燕".into(),
        handler_report: "承办人汇报了案件事实、证据及处理建议。".into(),
        opinions: vec![
            ("钱副镇长".into(), "同意承办人意见".into()),
            ("陈队长".into(), "同意".into()),
        ],
        conclusion: "同意给予警告，并处罚款人民币12000元".into(),
        date: day(2026, 12, 12),
    };
    let doc = render(&DocumentData::CollectiveDiscussion(c)).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "集体讨论记录",
            "主持人：赵镇长",
            "参加人员：赵镇长、钱副镇长、陈队长",
            "钱副镇长：同意承办人意见",
            "讨论结论：同意给予警告",
        ],
    );

    let e = ElectronicServiceConsent {
        authority: authority(),
        cause: "未按规定处置建筑垃圾案".into(),
        party: company(),
        channels: vec![
            "手机号码：13800138000（短信）".into(),
            "电子邮箱：xinwang@example.cn".into(),
        ],
        scope: "本案行政处罚事先告知书、行政处罚决定书等法律文书".into(),
        party_signature: PartySignature::Signed {
            name: "李四".into(),
            png: signature_png(),
            signed_at: t(2026, 11, 6, 10, 20),
        },
        date: day(2026, 11, 6),
    };
    let doc = render(&DocumentData::ElectronicServiceConsent(e)).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "电子送达确认书",
            "手机号码：13800138000（短信）",
            "xinwang@example.cn",
            "第六十一条第二款",
            "受送达人签名：李四",
        ],
    );
}

#[test]
fn the_reminder_and_the_closing_approval_render() {
    let r = Reminder {
        number: "渝北龙兴催字〔2027〕第1号".into(),
        authority: authority(),
        party: company(),
        decision_number: DECISION_NUMBER.into(),
        decision_served_on: day(2026, 12, 19),
        perform_by: day(2027, 7, 20),
        method: "一次性缴清".into(),
        fine_fen: 1_200_000,
        surcharge_fen: 1_200_000,
        payment: PaymentRoute::Bank {
            bank: "重庆农村商业银行龙兴支行".into(),
            address: "渝北区龙兴镇龙兴大道1号".into(),
            code: Some("5001122612180007".into()),
        },
        date: day(2027, 7, 6),
    };
    let doc = render(&DocumentData::Reminder(r)).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "催告书",
            DECISION_NUMBER,
            "履行期限：2027年7月20日前",
            "履行方式：一次性缴清",
            "人民币24000元（¥24000.00）",
            "人民币贰万肆仟元整",
            "其中罚款人民币12000元（¥12000.00），加处罚款人民币12000元（¥12000.00）",
            "缴款码：5001122612180007",
            "有权进行陈述和申辩",
            "第三十五条",
            "申请人民法院强制执行",
        ],
    );
    let doc = render(&DocumentData::ClosingApproval(closing_approval())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "结案审批表",
            "执行情况：当事人已于2026年12月25日缴纳罚款",
            "物品处理情况：先行登记保存的自卸货车已解除",
            "同意结案（签名：赵镇长2026年12月28日）",
            "结案日期：2026年12月28日",
        ],
    );
}

#[test]
fn every_kind_has_a_builtin_template_naming_its_source() {
    for kind in DocumentKind::ALL {
        let t = Template::builtin(kind).unwrap();
        assert_eq!(t.kind, kind);
        if !matches!(
            kind,
            DocumentKind::DecisionOnTheSpot
                | DocumentKind::InspectionRecord
                | DocumentKind::OrderToCorrect
                | DocumentKind::ServiceReceipt
        ) {
            assert!(
                t.source.as_deref().is_some_and(|s| !s.is_empty()),
                "{kind:?}"
            );
            assert_eq!(t.title, kind.title_zh());
        }
    }
}

#[test]
fn the_court_application_carries_what_article_55_lists() {
    use zhifa_core::document::normal::{CourtApplication, court_materials};
    let a = CourtApplication {
        number: "渝北龙兴强申字〔2027〕第1号".into(),
        authority: authority(),
        court: "重庆市渝北区人民法院".into(),
        party: company(),
        decision_number: DECISION_NUMBER.into(),
        decided_on: day(2026, 12, 18),
        served_on: day(2026, 12, 19),
        facts: "当事人未按规定处置建筑垃圾".into(),
        basis: vec!["《重庆市城市建筑垃圾管理办法》第十九条".into()],
        penalty: "罚款人民币12000元".into(),
        party_opinion: "当事人在法定期限内未提出陈述、申辩".into(),
        reminded_on: day(2027, 7, 6),
        reminder_number: "渝北龙兴催字〔2027〕第1号".into(),
        fine_fen: 1_200_000,
        surcharge_fen: 1_200_000,
        materials: court_materials(),
        head: "赵镇长".into(),
        date: day(2027, 7, 25),
    };
    let doc = render(&DocumentData::CourtApplication(a.clone())).unwrap();
    assert_contains_all(
        &pdf_text(&doc.pdf),
        &[
            "强制执行申请书",
            "重庆市渝北区人民法院：",
            DECISION_NUMBER,
            "第十九条",
            "当事人在法定期限内未提出陈述、申辩",
            "2027年7月6日",
            "第五十四条",
            "人民币24000元（¥24000.00）",
            "截至2027年7月25日加处罚款",
            "当事人的陈述、申辩意见及催告书",
            "行政机关负责人（签名）：赵镇长",
            "（印章）",
        ],
    );
    let mut unsigned = a;
    unsigned.head.clear();
    assert!(matches!(
        render(&DocumentData::CourtApplication(unsigned)),
        Err(DocumentError::MissingField { field }) if field == "head"
    ));
}

#[test]
fn the_hearing_documents_carry_what_article_64_requires() {
    use zhifa_core::document::normal::{HearingNotice, HearingRecord, HearingReport};
    use zhifa_core::procedure::MinutesSignature;
    let notice = HearingNotice {
        number: "渝北龙兴听通字〔2027〕第1号".into(),
        authority: authority(),
        party: individual(),
        cause: "李四光占道经营案".into(),
        requested_on: day(2027, 3, 1),
        hearing_on: day(2027, 3, 15),
        time: chrono::NaiveTime::from_hms_opt(9, 30, 0),
        place: "龙兴镇人民政府三楼会议室".into(),
        presider: "周法制".into(),
        date: day(2027, 3, 2),
    };
    let text = pdf_text(
        &render(&DocumentData::HearingNotice(notice.clone()))
            .unwrap()
            .pdf,
    );
    assert_contains_all(
        &text,
        &[
            "听证通知书",
            "2027年3月15日",
            "2027年3月15日09时30分",
            "龙兴镇人民政府三楼会议室",
            "听证主持人：周法制",
            "申请回避",
            "委托一至二人代理",
            "申辩和质证",
            "七日前",
        ],
    );
    let mut no_place = notice;
    no_place.place.clear();
    assert!(matches!(
        render(&DocumentData::HearingNotice(no_place)),
        Err(DocumentError::MissingField { field }) if field == "place"
    ));

    let record = HearingRecord {
        case_number: "渝北龙兴立字〔2027〕第3号".into(),
        authority: authority(),
        cause: "李四光占道经营案".into(),
        time: day(2027, 3, 15).and_hms_opt(9, 30, 0).unwrap(),
        place: "龙兴镇人民政府三楼会议室".into(),
        presider: "周法制".into(),
        recorder: "吴记录".into(),
        party_name: "李四光".into(),
        agent: Some("王律师".into()),
        attendees: vec![
            "周法制".into(),
            "吴记录".into(),
            "张执法".into(),
            "李四光".into(),
        ],
        party_attended: true,
        investigators_case: "调查人员出示现场照片三张".into(),
        party_statement: "当事人称系临时堆放".into(),
        cross_examination: "当事人对照片真实性无异议".into(),
        signature: MinutesSignature::Refused {
            note: "当事人阅后拒绝签字".into(),
        },
        date: day(2027, 3, 15),
    };
    let text = pdf_text(
        &render(&DocumentData::HearingRecord(record.clone()))
            .unwrap()
            .pdf,
    );
    assert_contains_all(
        &text,
        &[
            "听证笔录",
            "王律师",
            "调查人员出示现场照片三张",
            "当事人称系临时堆放",
            "当事人对照片真实性无异议",
            "拒绝签字或者盖章",
            "听证主持人周法制注明：当事人阅后拒绝签字",
        ],
    );
    let mut unsigned = record;
    unsigned.signature = MinutesSignature::Unrecorded;
    assert!(matches!(
        render(&DocumentData::HearingRecord(unsigned)),
        Err(DocumentError::MissingField { field }) if field == "signature"
    ));

    let report = HearingReport {
        case_number: "渝北龙兴立字〔2027〕第3号".into(),
        authority: authority(),
        cause: "李四光占道经营案".into(),
        held_on: day(2027, 3, 15),
        presider: "周法制".into(),
        summary: "调查人员出示现场照片三张；当事人称系临时堆放".into(),
        opinion: "违法事实清楚，建议维持拟处罚意见".into(),
        date: day(2027, 3, 16),
    };
    let text = pdf_text(&render(&DocumentData::HearingReport(report)).unwrap().pdf);
    assert_contains_all(
        &text,
        &["听证报告", "建议维持拟处罚意见", "主持人签名：周法制"],
    );
}
