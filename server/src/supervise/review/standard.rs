//! 《重庆市行政处罚案卷评查标准（试行）》 as data: the 基础标准 veto items
//! (Part 1) and the 100-point 文书规范标准 (Part 2) as the legal research
//! reports them (shared/domain/normal-procedure-and-supervision.md §2.3;
//! the standard's text is read only in reposts 🟡, its use by 武隆区司法局
//! in 2023 on a government page ✅). Every row cites where it comes from.
//! The research gives the rules and examples, not the whole sheet: the
//! documents a normal-procedure file must hold are its §1.5 model 案卷,
//! and the few deductions it quotes from other lists (立案不及时,
//! 先行登记保存 not disposed of in time) are marked as such. What a
//! machine cannot judge is `Human`: it is listed for a human scorer and
//! never scored here.

/// The standard scored.
pub const STANDARD: &str = "《重庆市行政处罚案卷评查标准（试行）》（2010年11月12日）";

/// Where its rules were read.
pub const SOURCE: &str = "研究 §2.3（标准文本见转载 🟡；武隆区司法局 2023 年仍按此标准评查 ✅）";

/// The 文书规范标准's full marks.
pub const TOTAL: u32 = 100;

/// Part 2: "每缺一份必备文书扣5分" (§2.3).
pub const MISSING_DOCUMENT_POINTS: u32 = 5;

/// Part 2: "每缺一项内容扣1分" (§2.3).
pub const MISSING_ITEM_POINTS: u32 = 1;

/// Part 2: "用语不规范（错别字、前后不一、涂改等）每处扣1分" (§2.3) — a
/// human's judgement.
pub const WORDING_POINTS: u32 = 1;

/// The §2.3 source of the Part 2 deductions.
pub const PART2: &str = "研究 §2.3 第二部分 文书规范标准（100分）";

/// The §2.3 source of the Part 1 veto items.
pub const PART1: &str = "研究 §2.3 第一部分 基础标准（任一项不符合即不合格）";

/// When a row applies to a case ("案件不需要的文书，其分值自动计入", §2.3:
/// a row that does not apply costs nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Once filed (立案).
    Filed,
    /// Once investigated or decided.
    Investigated,
    /// Once decided (any outcome).
    Decided,
    /// A penalty decided.
    Penalty,
    /// A 先行登记保存 taken (Art. 56).
    Saved,
    /// The party's statement heard (Art. 45).
    Heard,
    /// A hearing held (Art. 64).
    HearingHeld,
    /// A case under Art. 58 (法制审核).
    LegalReview,
    /// A case under Art. 57 ¶2 (集体讨论).
    Collective,
    /// Served in person (当场交付, 直接送达, 留置送达).
    ServedInPerson,
    /// Served electronically (Art. 61 ¶2).
    ServedElectronically,
    /// Closed (结案).
    Closed,
}

/// How the file holds a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A file of the case (`record_document.kind`) of one of these kinds.
    Document(&'static [&'static str]),
    /// Such a file, or the signed step of the log the 卷宗 binds in its
    /// place (the server keeps the centre's approvals as steps; the 卷宗
    /// prints them in its timeline, and renders the 法制审核意见书 from its
    /// step).
    DocumentOrStep(&'static [&'static str], &'static str),
}

/// A mandatory document (必备文书).
#[derive(Debug, Clone, Copy)]
pub struct DocumentRule {
    /// Stable id.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// How the file holds it.
    pub holds: Holds,
    /// When it is mandatory.
    pub when: When,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// The mandatory documents of a normal-procedure file (§1.5's model 案卷,
/// in the 卷宗's order), each −[`MISSING_DOCUMENT_POINTS`] when missing.
pub const DOCUMENTS: &[DocumentRule] = &[
    DocumentRule {
        id: "filing_approval",
        title: "立案审批表",
        holds: Holds::DocumentOrStep(&["filing_approval"], "file"),
        when: When::Filed,
        source: "研究 §1.5 立案审批表；§2.3 立案报告",
    },
    DocumentRule {
        id: "investigation_record",
        title: "询问笔录或现场检查（勘验）笔录",
        holds: Holds::Document(&["interview_record", "inspection_record"]),
        when: When::Investigated,
        source: "行政处罚法第五十五条；研究 §1.5；§2.3 调查（检查）取证阶段",
    },
    DocumentRule {
        id: "preservation_notice",
        title: "先行登记保存证据通知书",
        holds: Holds::Document(&["preservation_notice"]),
        when: When::Saved,
        source: "行政处罚法第五十六条；研究 §1.5",
    },
    DocumentRule {
        id: "investigation_report",
        title: "案件调查终结报告",
        holds: Holds::DocumentOrStep(&["investigation_report"], "end_investigation"),
        when: When::Decided,
        source: "行政处罚法第五十七条；研究 §1.5",
    },
    DocumentRule {
        id: "case_review",
        title: "案件审核表",
        holds: Holds::DocumentOrStep(&["case_review"], "review_case"),
        when: When::Decided,
        source: "研究 §1.2 S4、§1.5 案件审核表",
    },
    DocumentRule {
        id: "prior_notice",
        title: "行政处罚事先告知书",
        holds: Holds::Document(&["prior_notice"]),
        when: When::Penalty,
        source: "行政处罚法第四十四条；研究 §1.5",
    },
    DocumentRule {
        id: "statement_record",
        title: "陈述（申辩）笔录",
        holds: Holds::Document(&["statement_record"]),
        when: When::Heard,
        source: "行政处罚法第四十五条；研究 §1.5",
    },
    DocumentRule {
        id: "hearing_record",
        title: "听证笔录",
        holds: Holds::DocumentOrStep(&["hearing_record"], "hold_hearing"),
        when: When::HearingHeld,
        source: "行政处罚法第六十四条；研究 §1.5",
    },
    DocumentRule {
        id: "legal_review",
        title: "法制审核意见书",
        holds: Holds::DocumentOrStep(&["legal_review"], "legal_review"),
        when: When::LegalReview,
        source: "行政处罚法第五十八条；研究 §1.5",
    },
    DocumentRule {
        id: "collective_discussion",
        title: "集体讨论记录",
        holds: Holds::DocumentOrStep(&["collective_discussion"], "discuss_collectively"),
        when: When::Collective,
        source: "行政处罚法第五十七条第二款；研究 §1.5",
    },
    DocumentRule {
        id: "penalty_decision",
        title: "行政处罚决定书",
        holds: Holds::Document(&["penalty_decision"]),
        when: When::Penalty,
        source: "行政处罚法第五十九条；研究 §1.5",
    },
    DocumentRule {
        id: "service_receipt",
        title: "送达回证",
        holds: Holds::Document(&["service_receipt"]),
        when: When::ServedInPerson,
        source: "行政处罚法第六十一条；民事诉讼法第八十七条至第八十九条；研究 §1.5",
    },
    DocumentRule {
        id: "electronic_service_consent",
        title: "电子送达确认书",
        holds: Holds::Document(&["electronic_service_consent"]),
        when: When::ServedElectronically,
        source: "行政处罚法第六十一条第二款；研究 §1.5",
    },
    DocumentRule {
        id: "closing_approval",
        title: "结案审批表",
        holds: Holds::DocumentOrStep(&["closing_approval"], "close"),
        when: When::Closed,
        source: "研究 §1.2 S17、§1.5 结案审批表",
    },
];

/// What a content item checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemCheck {
    /// The 立案 approved by the 负责人.
    FilingByLeader,
    /// Two officers on the investigation records.
    TwoInvestigators,
    /// The 告知书's facts, reasons and basis (one point each missing).
    NoticeElements,
    /// The decision's legal basis: the matter's 违则 and 罚则 in the
    /// catalogue release in force.
    DecisionBasis,
    /// The decision's number.
    DecisionNumber,
    /// The decision sealed (the server's seal on its step).
    DecisionSealed,
    /// Two officers serving in person.
    ServiceOfficers,
}

/// A content item (内容要素), −[`MISSING_ITEM_POINTS`] for each missing.
#[derive(Debug, Clone, Copy)]
pub struct ItemRule {
    /// Stable id.
    pub id: &'static str,
    /// The document it belongs to.
    pub document: &'static str,
    /// What must be there.
    pub text: &'static str,
    /// The check.
    pub check: ItemCheck,
    /// When it applies.
    pub when: When,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// The content items a machine can check.
pub const ITEMS: &[ItemRule] = &[
    ItemRule {
        id: "filing_leader_approval",
        document: "立案审批表",
        text: "负责人审批意见",
        check: ItemCheck::FilingByLeader,
        when: When::Filed,
        source: "研究 §2.3（立案报告须有负责人审批）；行政处罚法第五十四条第二款",
    },
    ItemRule {
        id: "record_officers",
        document: "询问笔录或现场检查（勘验）笔录",
        text: "两名执法人员（检查人、记录人）",
        check: ItemCheck::TwoInvestigators,
        when: When::Investigated,
        source: "研究 §2.3（笔录须载明检查人员和记录人）；行政处罚法第四十二条",
    },
    ItemRule {
        id: "notice_elements",
        document: "行政处罚事先告知书",
        text: "拟处罚的事实、理由、依据",
        check: ItemCheck::NoticeElements,
        when: When::Penalty,
        source: "行政处罚法第四十四条；研究 §1.5",
    },
    ItemRule {
        id: "decision_basis",
        document: "行政处罚决定书",
        text: "违反的规定（违则）和处罚依据（罚则）",
        check: ItemCheck::DecisionBasis,
        when: When::Penalty,
        source: "行政处罚法第五十九条第一款第三项；研究 §1.5",
    },
    ItemRule {
        id: "decision_number",
        document: "行政处罚决定书",
        text: "文书编号",
        check: ItemCheck::DecisionNumber,
        when: When::Decided,
        source: "研究 §1.5（决定书文号）",
    },
    ItemRule {
        id: "decision_seal",
        document: "行政处罚决定书",
        text: "行政机关印章",
        check: ItemCheck::DecisionSealed,
        when: When::Penalty,
        source: "行政处罚法第五十九条第二款；研究 §2.3 评分细则（未加盖印章）",
    },
    ItemRule {
        id: "service_officers",
        document: "送达回证",
        text: "两名送达人",
        check: ItemCheck::ServiceOfficers,
        when: When::ServedInPerson,
        source: "行政处罚法第四十二条、第六十一条；民事诉讼法第八十七条",
    },
];

/// What a veto item checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoCheck {
    /// A human's judgement.
    Human,
    /// The matter is among the township's 赋权事项 (in its catalogue
    /// release in force).
    WithinPowers,
    /// Two officers on every investigation and in-person service act.
    TwoOfficers,
    /// 立案 → 调查取证 → 告知 → 决定 → 送达, none reversed.
    StepsInOrder,
    /// Told before the decision; the statement heard, waived or lapsed.
    ToldAndHeard,
    /// The hearing right told where Art. 63 gives it; a requested hearing
    /// held or waived.
    HearingRight,
    /// The remedy route and period in writing: the 决定书 held.
    RemedyInWriting,
}

/// A 基础标准 item: failing any makes the file 不合格.
#[derive(Debug, Clone, Copy)]
pub struct VetoRule {
    /// Stable id.
    pub id: &'static str,
    /// Its group (案件主体, 事实与证据, 处罚程序, 适用依据).
    pub group: &'static str,
    /// What must hold.
    pub text: &'static str,
    /// The check.
    pub check: VetoCheck,
}

/// Part 1, item by item (§2.3).
pub const VETOES: &[VetoRule] = &[
    VetoRule {
        id: "subject_standing",
        group: "案件主体",
        text: "实施主体具有行政处罚主体资格",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "within_powers",
        group: "案件主体",
        text: "在法定职权范围内实施处罚",
        check: VetoCheck::WithinPowers,
    },
    VetoRule {
        id: "two_officers",
        group: "案件主体",
        text: "执法人员不少于两人",
        check: VetoCheck::TwoOfficers,
    },
    VetoRule {
        id: "valid_credentials",
        group: "案件主体",
        text: "执法人员持有有效执法证件",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "party_identified",
        group: "案件主体",
        text: "被处罚对象认定准确",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "facts_clear",
        group: "事实与证据",
        text: "基本事实和主要情节清楚",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "evidence_sufficient",
        group: "事实与证据",
        text: "证据确实充分，真实、关联、合法",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "steps_in_order",
        group: "处罚程序",
        text: "立（受）案、调查（检查）取证、审查决定（含事先告知）、送达执行无颠倒、遗漏",
        check: VetoCheck::StepsInOrder,
    },
    VetoRule {
        id: "told_and_heard",
        group: "处罚程序",
        text: "决定前告知事实、理由、依据，听取并记录陈述申辩",
        check: VetoCheck::ToldAndHeard,
    },
    VetoRule {
        id: "hearing_right",
        group: "处罚程序",
        text: "依法告知听证权利，当事人要求听证的依法组织听证",
        check: VetoCheck::HearingRight,
    },
    VetoRule {
        id: "remedy_in_writing",
        group: "处罚程序",
        text: "书面告知申请行政复议、提起行政诉讼的途径和期限",
        check: VetoCheck::RemedyInWriting,
    },
    VetoRule {
        id: "law_applied",
        group: "适用依据",
        text: "适用法律、法规、规章正确",
        check: VetoCheck::Human,
    },
    VetoRule {
        id: "penalty_proper",
        group: "适用依据",
        text: "处罚种类、幅度合法，无明显失当",
        check: VetoCheck::Human,
    },
];

/// The grade thresholds. The research found the grades
/// (优秀/良好/合格/不合格, §2.3) but not the scores that separate them, so
/// they are settings; the defaults are a design choice, not Chongqing's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Grading {
    /// 优秀 from this score (default 90).
    pub excellent_from: u32,
    /// 良好 from this score (default 80).
    pub good_from: u32,
    /// 合格 from this score (default 60); below it 不合格.
    pub pass_from: u32,
    /// Points off for a 先行登记保存 not disposed of in time: the research
    /// quotes −1 to −5 from a generic deduction list (§2.3 🟡, not the
    /// Chongqing sheet); default 1.
    pub late_save_points: u32,
    /// Points off for a late 立案: −1 in the same generic list (§2.3 🟡).
    pub late_filing_points: u32,
}

impl Default for Grading {
    fn default() -> Self {
        Self {
            excellent_from: 90,
            good_from: 80,
            pass_from: 60,
            late_save_points: 1,
            late_filing_points: 1,
        }
    }
}

impl Grading {
    /// The grade of `score` with no veto failed.
    pub fn grade(&self, score: u32) -> &'static str {
        if score >= self.excellent_from {
            "优秀"
        } else if score >= self.good_from {
            "良好"
        } else if score >= self.pass_from {
            "合格"
        } else {
            "不合格"
        }
    }
}
