//! The request and response types of every command, as the screens see
//! them. They are view models, not the core's records: personal data is
//! masked where a screen only needs to recognise it, labels are already
//! Chinese, money is integer fen. TypeScript declarations are generated from
//! these types (ts-rs) into `ui/src/bindings/api.ts`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// No arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Empty {}

/// A failed command, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiErrorBody {
    /// The stable code, e.g. `SIGNIN_WRONG_PIN`.
    pub code: String,
    /// The message in Chinese.
    pub message: String,
}

// ---------------------------------------------------------------------------
// Session

/// An officer as the screens show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerBrief {
    /// Officer id.
    pub id: String,
    /// Full name (shown to the officer themself and on the case).
    pub name: String,
    /// 执法证号.
    pub credential_no: String,
    /// Township code.
    pub township_code: String,
    /// Has a PIN on this device.
    pub enrolled: bool,
    /// Locked out until (RFC 3339), after too many wrong PINs.
    pub locked_until: Option<String>,
}

/// What the app knows before anyone signs in.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AppState {
    /// Every officer listed on the device (enrolled or not).
    pub officers: Vec<OfficerBrief>,
    /// The signed-in officer, if any.
    pub signed_in: Option<OfficerBrief>,
    /// The catalogue release in force today, if any is imported.
    pub catalogue: Option<ReleaseBrief>,
    /// The device id (UUID), once the device identity exists.
    pub device_id: Option<String>,
    /// Which backend answers: `tauri` or `web`.
    pub shell: String,
}

/// A catalogue release.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReleaseBrief {
    /// Release id.
    pub id: String,
    /// Title.
    pub title: String,
    /// First day in force.
    pub effective_from: String,
    /// Sample data, not an official list.
    pub sample: bool,
}

/// Sign in (or enrol) with a PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SignInReq {
    /// Officer id.
    pub officer_id: String,
    /// The PIN (6–12 digits).
    pub pin: String,
}

/// Change the signed-in officer's PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChangePinReq {
    /// The current PIN.
    pub current: String,
    /// The new PIN.
    pub new_pin: String,
}

// ---------------------------------------------------------------------------
// Home

/// One case as a list row.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseSummary {
    /// Case id.
    pub id: String,
    /// Matter name.
    pub matter_name: String,
    /// Status code (`draft`, `served`, …).
    pub status: String,
    /// Status in Chinese.
    pub status_label: String,
    /// The party, masked (`周**`).
    pub party_masked: Option<String>,
    /// The document number once issued.
    pub document_number: Option<String>,
    /// Violation time (Beijing, `YYYY-MM-DDTHH:MM:SS`).
    pub violation_time: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The fine in fen, once decided.
    #[ts(type = "number | null")]
    pub amount_fen: Option<i64>,
    /// The wizard screen a saved draft continues on (`party`, `facts`, …),
    /// or `null` when no draft is kept for the case.
    pub draft_step: Option<String>,
    /// The no-penalty ground with its article, or `null`.
    pub no_penalty_ground: Option<String>,
}

/// A deadline on the home screen.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Deadline {
    /// `service`, `payment` or `follow_up`.
    pub kind: String,
    /// What is due, in Chinese.
    pub title: String,
    /// The case.
    pub case_id: String,
    /// The due day (`YYYY-MM-DD`); `null` when due now (e.g. service).
    pub due: Option<String>,
    /// Days left (negative: overdue).
    pub days_left: Option<i32>,
    /// For a payment: the fine in fen.
    #[ts(type = "number | null")]
    pub amount_fen: Option<i64>,
    /// For a payment: the surcharge accrued so far in fen (Art. 72).
    #[ts(type = "number | null")]
    pub late_fee_fen: Option<i64>,
}

/// The home screen.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Home {
    /// Today (Beijing, `YYYY-MM-DD`).
    pub today: String,
    /// The signed-in officer.
    pub officer: OfficerBrief,
    /// The township's name.
    pub township_name: Option<String>,
    /// Cases opened today.
    pub cases_today: Vec<CaseSummary>,
    /// Cases not finished (before service), newest first.
    pub open_cases: Vec<CaseSummary>,
    /// Deadlines, soonest first.
    pub deadlines: Vec<Deadline>,
    /// The sync state.
    pub sync: SyncState,
}

// ---------------------------------------------------------------------------
// Catalogue

/// Search the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SearchReq {
    /// What the officer typed (name, pinyin initials, code, words of a provision).
    pub text: String,
    /// The most hits.
    pub limit: Option<u32>,
    /// Every matter of the release, not only the township's.
    pub all: Option<bool>,
}

/// One search hit.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SearchHit {
    /// Matter code.
    pub code: String,
    /// Matter name.
    pub name: String,
    /// Kind in Chinese.
    pub kind_label: String,
    /// Domain.
    pub domain: String,
    /// How it matched (`name_exact`, `initials_prefix`, …).
    pub matched: String,
}

/// Search results.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SearchResp {
    /// The release searched.
    pub release_id: String,
    /// The township filter applied.
    pub township: Option<String>,
    /// Hits, best first.
    pub hits: Vec<SearchHit>,
    /// Matters the query finds that the officer's township may not enforce
    /// today, best first, each with the reason (empty with `all`).
    pub outside: Vec<OutsideHit>,
}

/// A matter found outside the township's scope.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OutsideHit {
    /// Matter code.
    pub code: String,
    /// Matter name.
    pub name: String,
    /// Kind in Chinese.
    pub kind_label: String,
    /// Domain.
    pub domain: String,
    /// Why the township may not enforce it, in Chinese.
    pub reason: String,
}

/// A matter by code.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MatterReq {
    /// Matter code.
    pub code: String,
}

/// A fine range in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Range {
    /// Lowest, inclusive.
    #[ts(type = "number")]
    pub min_fen: i64,
    /// Highest, inclusive.
    #[ts(type = "number")]
    pub max_fen: i64,
}

/// A provision of a matter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ProvisionView {
    /// 违则 or 罚则.
    pub role_label: String,
    /// The citation, e.g. `《…》第18条第1款`.
    pub citation: String,
    /// The text.
    pub text: String,
    /// In force today.
    pub in_force: bool,
    /// Checked against the official text; the screen marks an unchecked
    /// provision 未核对 (issue 14).
    pub verified: bool,
    /// Where the text comes from (official text URL or gazette), if given.
    pub source: Option<String>,
}

/// A level's penalty for one party kind.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PenaltyView {
    /// A warning is among the penalties.
    pub warning: bool,
    /// The fine range.
    pub fine: Option<Range>,
    /// Other penalties in words.
    pub other: Vec<String>,
}

/// One discretion level.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LevelView {
    /// Level code.
    pub code: String,
    /// Level name.
    pub name: String,
    /// 适用情形 as published.
    pub conditions: String,
    /// The conditions as circumstance codes.
    pub circumstances: Vec<String>,
    /// For a natural person.
    pub individual: Option<PenaltyView>,
    /// For an organisation.
    pub organization: Option<PenaltyView>,
}

/// A no-penalty list entry.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExemptionView {
    /// The conditions in words.
    pub conditions: String,
    /// As circumstance codes.
    pub circumstances: Vec<String>,
}

/// A matter with provisions, discretion table and exemption lists.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MatterDetail {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind in Chinese.
    pub kind_label: String,
    /// Domain.
    pub domain: String,
    /// Owning department.
    pub department: String,
    /// Entrusting authority, for entrusted matters.
    pub entrusting_authority: Option<String>,
    /// Where the regulation limits where or to what the matter applies
    /// (e.g. 市容条例 Art. 2/82 built-up areas), in words.
    pub scope_note: Option<String>,
    /// 违则 then 罚则.
    pub provisions: Vec<ProvisionView>,
    /// Statutory range for individuals.
    pub statutory_individual: Option<Range>,
    /// Statutory range for organisations.
    pub statutory_organization: Option<Range>,
    /// An order to correct must come first.
    pub correction_first: bool,
    /// 首违不罚.
    pub first_violation: Option<ExemptionView>,
    /// 轻微免罚.
    pub minor_violation: Option<ExemptionView>,
    /// 裁量阶次, lightest first.
    pub levels: Vec<LevelView>,
    /// Quick phrases for the 违法事实 (`＿＿` marks what to fill in).
    pub fact_phrases: Vec<String>,
    /// The release read.
    pub release: ReleaseBrief,
}

// ---------------------------------------------------------------------------
// Party and ID check

/// Check an ID number as it is typed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CheckIdReq {
    /// What was typed.
    pub text: String,
    /// `individual` or `organization`.
    pub party_kind: String,
    /// The document of a person (`resident_id`, `residence_permit`,
    /// `hk_macao_permit`, `taiwan_permit`, `chinese_passport`,
    /// `foreign_passport`, `foreign_permanent_resident`, `no_document`);
    /// absent: the number says what it is (居民身份证 or 统一社会信用代码).
    #[serde(default)]
    #[ts(optional)]
    pub id_kind: Option<String>,
}

/// The result of an ID check.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdCheck {
    /// Valid and of the right kind.
    pub ok: bool,
    /// Still being typed (shorter than a full number, nothing wrong yet).
    pub incomplete: bool,
    /// The normalised number.
    pub normalized: String,
    /// What it is, in Chinese (居民身份证号码, 统一社会信用代码).
    pub kind_label: Option<String>,
    /// Region name, where known.
    pub region: Option<String>,
    /// Birth date (citizen numbers).
    pub birth_date: Option<String>,
    /// Sex in Chinese (citizen numbers).
    pub sex: Option<String>,
    /// The problem's stable code.
    pub error_code: Option<String>,
    /// The problem in Chinese.
    pub message: Option<String>,
    /// Accepted, but not against a cited format (a document whose number
    /// format has no authoritative source): what to look at again.
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// The party as entered.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PartyInput {
    /// `individual` or `organization`.
    pub kind: String,
    /// 姓名 or 名称.
    pub name: String,
    /// Citizen ID or USCC.
    pub id_number: String,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: String,
    /// Legal representative (organisations).
    pub representative: Option<String>,
    /// The document a person showed (see [`CheckIdReq::id_kind`]); absent:
    /// 居民身份证.
    #[serde(default)]
    #[ts(optional)]
    pub id_kind: Option<String>,
    /// 国籍 (foreign passport).
    #[serde(default)]
    #[ts(optional)]
    pub nationality: Option<String>,
    /// 出生日期 (`YYYY-MM-DD`), where the number does not carry it.
    #[serde(default)]
    #[ts(optional)]
    pub birth_date: Option<String>,
    /// 无证件: why there is no document.
    #[serde(default)]
    #[ts(optional)]
    pub no_document_reason: Option<String>,
    /// 无证件: the evidence id of the photo of the party.
    #[serde(default)]
    #[ts(optional)]
    pub photo_evidence_id: Option<String>,
}

// ---------------------------------------------------------------------------
// Case steps

/// Open a new case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NewCaseReq {
    /// Matter code.
    pub matter_code: String,
    /// The second officer present (Art. 42); the signed-in officer is the first.
    pub partner_officer_id: String,
    /// Minutes before now the act was found (default 0).
    pub minutes_ago: Option<u32>,
}

/// A case by id.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseReq {
    /// Case id.
    pub case_id: String,
}

/// Record party, facts and place.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PartyFactsReq {
    /// Case id.
    pub case_id: String,
    /// The party.
    pub party: PartyInput,
    /// 违法事实.
    pub facts: String,
    /// 违法地点.
    pub place: String,
    /// A continuing act (连续或者继续状态, 行政处罚法 Art. 36 ¶2): the day it
    /// ended (`YYYY-MM-DD`), if it has.
    #[serde(default)]
    #[ts(optional)]
    pub act_end_date: Option<String>,
    /// A continuing act still going on (持续中).
    #[serde(default)]
    #[ts(optional)]
    pub act_ongoing: Option<bool>,
    /// 违法时间 as established (Beijing time, `YYYY-MM-DDTHH:MM`, as a
    /// `datetime-local` input gives it); absent or empty keeps the time
    /// the case was opened with.
    #[serde(default)]
    #[ts(optional)]
    pub violation_time: Option<String>,
}

/// Add a photo (or other evidence file) to a case.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EvidenceAddReq {
    /// Case id.
    pub case_id: String,
    /// The file name the camera or picker gave.
    pub file_name: Option<String>,
    /// The file's bytes, base64.
    pub data_base64: String,
    /// The device's location fix, if the platform gave one.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Accuracy in metres.
    pub accuracy_m: Option<f64>,
}

/// Attach the case's evidence with a summary.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AttachReq {
    /// Case id.
    pub case_id: String,
    /// The summary printed; a default is written from the items when empty.
    pub summary: Option<String>,
}

/// The penalty considered: `warning` or `fine` (with the amount).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PenaltyInput {
    /// `warning` or `fine`.
    pub kind: String,
    /// The fine in fen.
    #[ts(type = "number | null")]
    pub amount_fen: Option<i64>,
}

/// Ask for the discretion suggestion.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SuggestReq {
    /// Case id.
    pub case_id: String,
    /// Circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The penalty considered, if any yet.
    pub penalty: Option<PenaltyInput>,
}

/// One level as the discretion screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LevelOption {
    /// Level code.
    pub code: String,
    /// Name.
    pub name: String,
    /// 适用情形.
    pub conditions: String,
    /// Its circumstance codes.
    pub circumstances: Vec<String>,
    /// Applies to this party and these circumstances.
    pub applies: bool,
    /// The suggested level.
    pub suggested: bool,
    /// A warning is possible.
    pub warning: bool,
    /// The lawful fine of the level for this party.
    pub lawful_fine: Option<Range>,
    /// Why it does or does not apply.
    pub reason: String,
}

/// The discretion suggestion.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Suggestion {
    /// Every level.
    pub levels: Vec<LevelOption>,
    /// The suggested level's code.
    pub suggested_level: Option<String>,
    /// The lawful range for this party.
    pub range: Option<Range>,
    /// `none`, `mandatory`, `discretionary` or `no_fault`.
    pub exemption: String,
    /// The simple procedure is allowed (Art. 51), and why.
    pub simple_procedure: bool,
    /// The reason, citing the article.
    pub simple_procedure_reason: String,
    /// A penalty off the suggested level needs a written reason.
    pub needs_reason: bool,
    /// Problems found, each with a stable code. These are the assessment's
    /// errors: the refusals of the proposal (in Chinese, naming the article);
    /// the officer may not continue while any is present.
    pub problems: Vec<ApiErrorBody>,
    /// The bands (档次) of the matter's penalty clause for this party,
    /// lightest first; empty for a matter without a clause.
    pub bands: Vec<BandView>,
    /// The id of the band the proposal keeps to; `null` without a lawful proposal.
    pub band: Option<String>,
}

/// One band of the penalty clause as the discretion screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BandView {
    /// Band id, e.g. `B2`.
    pub id: String,
    /// Band name, e.g. `情节严重`.
    pub name: String,
    /// The article that sets the band, e.g. `《…条例》第三十九条第一款`.
    pub article: String,
    /// The hull of the lawful fines, if the band fines.
    pub fine: Option<Range>,
    /// For a fixed-amount band, the only lawful amounts in fen.
    #[ts(type = "Array<number> | null")]
    pub fixed_fen: Option<Vec<i64>>,
    /// The preconditions the band needs, in Chinese (`逾期未改正` …).
    pub preconditions: Vec<String>,
    /// Those not attested by the case, in Chinese.
    pub missing: Vec<String>,
    /// The kinds that must be imposed together (并处), in Chinese.
    pub mandatory: Vec<String>,
    /// The kinds that may be imposed together (可以并处), in Chinese.
    pub optional: Vec<String>,
    /// Whether the case may use the band.
    pub usable: bool,
    /// Why it is or is not usable, in Chinese.
    pub reason: String,
}

/// 告知 (行政处罚法 Art. 44): the proposed penalty, its facts, reasons and
/// basis, and the rights, told to the party. The statement is its own act
/// ([`StatementReq`]).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InformReq {
    /// Case id.
    pub case_id: String,
    /// The penalty told.
    pub penalty: PenaltyInput,
    /// What was told; a standard text is written when empty.
    pub content: Option<String>,
}

/// 陈述申辩 (行政处罚法 Art. 45) or its waiver (Art. 62), after the 告知
/// and as its own act, with its own time.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StatementReq {
    /// Case id.
    pub case_id: String,
    /// The party's statement; `null` or empty when the party waives it.
    pub statement: Option<String>,
    /// The officers' review of the statement (required with a statement).
    pub review: Option<String>,
    /// When waived: what the party said, in the party's words (optional).
    pub waiver_words: Option<String>,
}

/// Decide.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DecideReq {
    /// Case id.
    pub case_id: String,
    /// The penalty.
    pub penalty: PenaltyInput,
    /// Circumstance codes attested.
    pub circumstances: Vec<String>,
    /// The reason for a penalty off the suggested level.
    pub deviation_reason: Option<String>,
}

/// Serve the issued decision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ServeReq {
    /// Case id.
    pub case_id: String,
    /// `signed` or `refused`.
    pub kind: String,
    /// The signer's name (signed).
    pub signer_name: Option<String>,
    /// The signature as PNG, base64 (signed).
    pub signature_png_base64: Option<String>,
    /// Why the party refused (refused).
    pub refusal_reason: Option<String>,
    /// A witness (refused).
    pub witness: Option<String>,
}

/// The rendered decision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentFile {
    /// A file name for saving or sharing.
    pub file_name: String,
    /// The PDF, base64.
    pub pdf_base64: String,
    /// Pages.
    pub pages: u32,
    /// The document hash printed on it.
    pub document_hash: String,
}

/// Print the served decision on a thermal printer.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TicketReq {
    /// Case id.
    pub case_id: String,
    /// Paper width in millimetres: `58` or `80`.
    pub roll: String,
}

/// A ticket sent to the printer.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TicketView {
    /// Paper width in millimetres.
    pub roll: String,
    /// Bytes sent.
    pub bytes: u32,
    /// The ESC/POS stream, base64 (for a shell that prints it itself).
    pub escpos_base64: String,
    /// The document hash printed on it (the PDF's).
    pub document_hash: String,
    /// Where it went, in Chinese.
    pub sent_to: String,
}

/// The decision saved as a file on the device.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SavedFile {
    /// Where it was written (absolute).
    pub path: String,
    /// Bytes.
    pub bytes: u32,
}

/// The payment QR for the party to scan.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaymentQr {
    /// The URL encoded.
    pub url: String,
    /// The QR as SVG.
    pub svg: String,
    /// The 缴款码.
    pub payment_code: Option<String>,
    /// The fine in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// The last day to pay.
    pub due: Option<String>,
}

/// A case for the wizard and the detail screen.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseView {
    /// Id.
    pub id: String,
    /// Status code.
    pub status: String,
    /// Status in Chinese.
    pub status_label: String,
    /// Version (steps taken + 1).
    pub version: u32,
    /// Township code.
    pub township: String,
    /// Matter code.
    pub matter_code: String,
    /// Matter name.
    pub matter_name: String,
    /// The two officers (`name（证号）`).
    pub officers: Vec<String>,
    /// Each officer's signature on the issued decision (行政处罚法 Art. 52).
    pub officer_signs: Vec<OfficerSignView>,
    /// When the issued decision was shown to the party to read.
    pub document_shown_at: Option<String>,
    /// Violation time (Beijing).
    pub violation_time: String,
    /// The party: name shown in full on the case screens (the officer is
    /// dealing with them), ID masked.
    pub party_name: Option<String>,
    /// The party's ID number, masked.
    pub party_id_masked: Option<String>,
    /// The document a person showed, as printed (`护照（国籍：美国）`);
    /// `None` for an organisation.
    pub party_id_kind: Option<String>,
    /// `individual` or `organization`.
    pub party_kind: Option<String>,
    /// Facts.
    pub facts: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Evidence attached.
    pub evidence_count: u32,
    /// Evidence summary.
    pub evidence_summary: Option<String>,
    /// Rights told (content).
    pub rights: Option<String>,
    /// Statement (or `当事人放弃陈述申辩`).
    pub statement: Option<String>,
    /// The penalty decided, in Chinese (`罚款人民币150元`).
    pub penalty_text: Option<String>,
    /// The fine, fen.
    #[ts(type = "number | null")]
    pub amount_fen: Option<i64>,
    /// Suggested level.
    pub suggested_level: Option<String>,
    /// Deviation reason.
    pub deviation_reason: Option<String>,
    /// Remedy clause.
    pub remedy_clause: Option<String>,
    /// 违则: the provisions violated, cited as the decision prints them
    /// (from the catalogue release in force on the violation date).
    pub violated_provisions: Vec<String>,
    /// 罚则: the provisions the penalty rests on, cited as printed.
    pub penalty_provisions: Vec<String>,
    /// Document number as printed on the decision.
    pub document_number: Option<String>,
    /// Whether the printed number is a provisional one (no leased number
    /// was left offline and the township's policy allows it).
    pub number_provisional: bool,
    /// The final number the server assigned to the provisional one, once
    /// synced (`null` while pending or for a leased number).
    pub final_document_number: Option<String>,
    /// Payment due.
    pub payment_due: Option<String>,
    /// Served at.
    pub served_at: Option<String>,
    /// Has a payment QR.
    pub has_payment: bool,
    /// A continuing act: `持续中` or `终了于YYYY-MM-DD` (Art. 36 ¶2).
    pub act_end: Option<String>,
    /// The last day to file the decision (备案, 行政处罚法 Art. 52 ¶3) by
    /// the township's configured working days; `null` before a decision or
    /// when the calendar does not cover it.
    pub filing_due: Option<String>,
    /// The 备案 is late (filed after, or not filed by, `filing_due`).
    pub filing_overdue: bool,
    /// `payment_due` was counted on a calendar year marked estimated.
    pub payment_due_estimated: bool,
    /// `filing_due` was counted on a calendar year marked estimated.
    pub filing_due_estimated: bool,
    /// Shown beside a deadline counted on an estimated calendar year:
    /// `（按预估日历）`, else `null`.
    pub calendar_note: Option<String>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Why the case was voided (it is kept, closed), or `null`.
    pub void_reason: Option<String>,
    /// The no-penalty outcome (行政处罚法 Art. 30, 31, 33), or `null`.
    pub no_penalty: Option<crate::dto_no_penalty::NoPenaltyView>,
}

/// One timeline entry.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TimelineView {
    /// 1, 2, …
    pub seq: u32,
    /// When (RFC 3339).
    pub at: String,
    /// Step name.
    pub kind: String,
    /// In Chinese.
    pub label: String,
    /// Status after.
    pub to_label: String,
}

/// One evidence item.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EvidenceView {
    /// Id.
    pub id: String,
    /// Chain position.
    #[ts(type = "number")]
    pub seq: u64,
    /// Case.
    pub case_id: Option<String>,
    /// `photo`, `video`, `audio`.
    pub kind: String,
    /// MIME type.
    pub media_type: String,
    /// SHA-256 of the original.
    pub sha256: String,
    /// Bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Captured (device clock, RFC 3339).
    pub device_time: String,
    /// Has a device location fix.
    pub located: bool,
    /// `verified`, `unchecked` or a problem code (`FILE_ALTERED`, …).
    pub verification: String,
    /// The problem in Chinese, if any.
    pub problem: Option<String>,
    /// A small JPEG thumbnail, base64.
    pub thumb_base64: Option<String>,
}

/// List evidence.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EvidenceListReq {
    /// Only this case's.
    pub case_id: Option<String>,
    /// Re-hash every original and check the chain (slower).
    pub verify: bool,
}

/// The evidence gallery.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EvidenceList {
    /// Items, newest first.
    pub items: Vec<EvidenceView>,
    /// Whether the chain was checked now.
    pub verified: bool,
    /// Chain-level problems (gaps, head mismatch), in Chinese.
    pub chain_problems: Vec<String>,
}

/// Case list filter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseListReq {
    /// Only this status.
    pub status: Option<String>,
}

/// Case detail.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseDetail {
    /// The case.
    pub case: CaseView,
    /// Timeline, oldest first.
    pub timeline: Vec<TimelineView>,
    /// Its evidence.
    pub evidence: Vec<EvidenceView>,
    /// The payment standing today, for a served fine.
    pub payment: Option<Deadline>,
    /// What the server has said about the case since (payment confirmed,
    /// legal review, reassignment), newest state; empty before any.
    pub server_notes: Vec<ServerNote>,
}

/// One thing the server said about a case (sync stream C).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ServerNote {
    /// `payment`, `review_approved`, `review_returned` or `reassigned`.
    pub kind: String,
    /// The headline in Chinese (`缴款已确认`, `法制审核：通过` …).
    pub title: String,
    /// The detail in Chinese (amount and time, opinion, reason).
    pub detail: String,
}

// ---------------------------------------------------------------------------
// Sync and settings

/// Outbox counts of one stream.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StreamState {
    /// Stream name (e.g. `case`).
    pub stream: String,
    /// In Chinese.
    pub label: String,
    /// Records waiting to be pushed.
    pub pending: u32,
    /// Records pushed.
    pub pushed: u32,
}

/// What the device knows of its sync state (the home screen's summary).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncState {
    /// Outbox counts per entity.
    pub streams: Vec<StreamState>,
    /// Records waiting in all.
    pub pending: u32,
    /// Records pushed in all.
    pub pushed: u32,
    /// Conflicts the officer has not resolved yet.
    pub conflicts: u32,
    /// The last sync error (its code is translated by the UI's i18n).
    pub last_error: Option<SyncErrorView>,
    /// Whether the device is enrolled with a sync server.
    pub enrolled: bool,
    /// `idle`, `running`, `ok`, `failed`, `offline` or `not_enrolled`.
    pub state: String,
    /// When the last sync completed (RFC 3339).
    pub last_ok_at: Option<String>,
}

/// A sync failure: the stable code (a protocol code such as
/// `device_revoked`, or `SYNC_NETWORK`, `SYNC_BUSY`, …) and the detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncErrorView {
    /// The stable code the UI translates.
    pub code: String,
    /// The detail (Chinese), shown under the translation.
    pub message: String,
    /// When it happened (RFC 3339).
    pub at: String,
}

/// The enrolment with the sync server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrolmentView {
    /// Server base URL.
    pub server_url: String,
    /// The officer the device is enrolled for.
    pub officer_id: String,
    /// Their township.
    pub township: String,
    /// Their role.
    pub role: String,
}

/// Enrol the device with the sync server (not the local PIN set-up).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncEnrolReq {
    /// The server's base URL (HTTPS; plain HTTP only to this machine).
    pub server_url: String,
    /// The one-time enrolment code from the server's operator.
    pub code: String,
}

/// Run a sync now.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncNowReq {
    /// Why: `manual`, `online`, `sign_in`, `case_issued`, `resume`.
    pub reason: Option<String>,
}

/// The webview's connectivity changed (`online` / `offline` events).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncNetworkReq {
    /// `navigator.onLine`.
    pub online: bool,
}

/// One stream of a sync run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StreamProgress {
    /// `catalogue`, `push`, `inbox`, `blobs` or `leases`.
    pub stream: String,
    /// In Chinese.
    pub label: String,
    /// `idle`, `waiting`, `running`, `done` or `stopped` (the run failed first).
    pub state: String,
    /// Records done in the current or last run.
    pub records_done: u64,
    /// Records expected, when known.
    pub records_total: Option<u64>,
    /// Bytes done.
    pub bytes_done: u64,
    /// Bytes expected, when known.
    pub bytes_total: Option<u64>,
}

/// What the last completed run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncReportView {
    /// Applied by the server.
    pub pushed: u64,
    /// Already held by the server.
    pub duplicates: u64,
    /// Rejected (now conflicts).
    pub rejected: u64,
    /// Inbox events applied.
    pub pulled_inbox: u64,
    /// The catalogue release in force after the run.
    pub catalogue_release: Option<String>,
    /// Evidence originals verified on the server.
    pub blobs_uploaded: u64,
    /// Evidence bytes sent.
    pub bytes_uploaded: u64,
    /// Number leases granted.
    pub leases_granted: u64,
    /// Attempts used.
    pub attempts: u32,
}

/// The live state of the background sync (also the Tauri event payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncLive {
    /// `idle`, `running`, `ok`, `failed`, `offline` or `not_enrolled`.
    pub state: String,
    /// Why the current or last run started.
    pub reason: Option<String>,
    /// Whether the webview reports a connection.
    pub online: bool,
    /// Per stream.
    pub streams: Vec<StreamProgress>,
    /// The last error, until a run succeeds.
    pub last_error: Option<SyncErrorView>,
    /// When the current or last run started.
    pub started_at: Option<String>,
    /// When the last run succeeded.
    pub last_ok_at: Option<String>,
    /// When the next periodic attempt is due.
    pub next_attempt_at: Option<String>,
    /// Failed runs in a row (the period backs off).
    pub failures: u32,
    /// The last completed run.
    pub last_report: Option<SyncReportView>,
}

/// Records per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordCounts {
    /// Waiting to be pushed.
    pub pending: u64,
    /// Applied by the server.
    pub applied: u64,
    /// Already held by the server.
    pub duplicate: u64,
    /// Rejected.
    pub rejected: u64,
}

/// The sync screen.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// The enrolment, if any.
    pub enrolment: Option<EnrolmentView>,
    /// The live state.
    pub live: SyncLive,
    /// Records per status.
    pub counts: RecordCounts,
    /// Unresolved conflicts.
    pub open_conflicts: u32,
}

/// The outbox records to list.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncRecordsReq {
    /// Only this status (`pending`, `applied`, `duplicate`, `rejected`).
    pub status: Option<String>,
    /// The most records (newest first); default 100.
    pub limit: Option<u32>,
}

/// One outbox record and its sync status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncRecordView {
    /// Outbox seq.
    pub seq: i64,
    /// Entity.
    pub entity: String,
    /// What it is, in Chinese (e.g. `案件 · 出具决定书`).
    pub label: String,
    /// The entity's id.
    pub entity_id: String,
    /// Operation.
    pub op: String,
    /// When it was made.
    pub created_at: String,
    /// When the server acknowledged it.
    pub pushed_at: Option<String>,
    /// `pending`, `applied`, `duplicate` or `rejected`.
    pub status: String,
    /// The rejection's code.
    pub code: Option<String>,
    /// The server's message.
    pub message: Option<String>,
}

/// A conflict: a mutation the server rejected, and its resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictView {
    /// Outbox seq of the rejected record; 0 for a refused lease grant.
    pub seq: i64,
    /// The server's lease id of a refused number-lease grant (it has no
    /// outbox record; resolve it by this id); `null` for a rejected record.
    pub lease_id: Option<String>,
    /// Entity.
    pub entity: String,
    /// What it is, in Chinese.
    pub label: String,
    /// Entity id.
    pub entity_id: String,
    /// The rejection's stable code (translated by the UI).
    pub code: String,
    /// The server's message.
    pub message: String,
    /// When it arrived.
    pub at: String,
    /// When the officer resolved it.
    pub resolved_at: Option<String>,
    /// `acknowledged` or `retried`.
    pub resolution: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
    /// The new record a retry queued.
    pub retry_seq: Option<i64>,
    /// The actions the officer may take: `acknowledge`, and `retry` where a
    /// resend can succeed.
    pub actions: Vec<String>,
}

/// Resolve a conflict.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ResolveConflictReq {
    /// Outbox seq of the rejected record (ignored when `lease_id` is set).
    pub seq: i64,
    /// The server's lease id of a refused lease grant, which is resolved
    /// by it instead of a seq (acknowledge only).
    #[serde(default)]
    #[ts(optional)]
    pub lease_id: Option<String>,
    /// `acknowledge` (keep as rejected, note required) or `retry`.
    pub action: String,
    /// The officer's note.
    pub note: Option<String>,
}

/// Device settings.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Township code.
    pub township: Option<String>,
    /// Townships of the release in force.
    pub townships: Vec<TownshipOption>,
    /// Catalogue releases on the device.
    pub releases: Vec<ReleaseBrief>,
    /// The device id.
    pub device_id: Option<String>,
    /// Schema version of the store.
    pub schema_version: u32,
    /// App version.
    pub app_version: String,
    /// Data folder.
    pub data_dir: String,
    /// The enrolment with the sync server, if any.
    pub enrolment: Option<EnrolmentView>,
}

/// A township choice.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TownshipOption {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// District.
    pub district: String,
}

/// Change the township.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetTownshipReq {
    /// Township code.
    pub township: String,
}

// ---------------------------------------------------------------------------
// Joint inspections (综合查一次) and tasks

/// A scenario of the catalogue, as the officer picks it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenarioView {
    /// Scenario code.
    pub code: String,
    /// Name, e.g. `小型商超`.
    pub name: String,
    /// Which places it applies to.
    pub description: Option<String>,
    /// Its items.
    pub items: u32,
    /// The departments of its items, by name.
    pub department_names: Vec<String>,
}

/// Start a joint inspection.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspStartReq {
    /// Scenario codes, in the order to merge.
    pub scenarios: Vec<String>,
    /// 检查地点/场所.
    pub place: String,
    /// The party inspected.
    pub party: PartyInput,
    /// The second officer (行政处罚法 Art. 42, 55).
    pub partner_officer_id: String,
    /// The task this inspection handles, if any.
    pub task_id: Option<String>,
}

/// One inspection.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspReq {
    /// Inspection id.
    pub inspection_id: String,
}

/// Mark one item.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspResultReq {
    /// Inspection id.
    pub inspection_id: String,
    /// Item code.
    pub item: String,
    /// `pass`, `fail` or `not_applicable`.
    pub verdict: String,
    /// What was seen (required for `fail`).
    pub note: String,
    /// Evidence captured for it.
    pub evidence_ids: Vec<String>,
}

/// A photo for an inspection item.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspEvidenceReq {
    /// Inspection id.
    pub inspection_id: String,
    /// The file name the camera or picker gave.
    pub file_name: Option<String>,
    /// The file's bytes, base64.
    pub data_base64: String,
    /// The device's location fix, if the platform gave one.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Accuracy in metres.
    pub accuracy_m: Option<f64>,
}

/// What a failed item becomes.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspDecideReq {
    /// Inspection id.
    pub inspection_id: String,
    /// Item code.
    pub item: String,
    /// `order_to_correct`, `simple_case` or `referral`.
    pub kind: String,
    /// 改正要求 (order) or 移送理由 (referral).
    pub text: Option<String>,
}

/// Finish with the party's signature on the record.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspFinishReq {
    /// Inspection id.
    pub inspection_id: String,
    /// `signed` or `refused`.
    pub kind: String,
    /// The signer's name (signed).
    pub signer_name: Option<String>,
    /// The signature as PNG, base64 (signed).
    pub signature_png_base64: Option<String>,
    /// Why the party refused (refused).
    pub refusal_reason: Option<String>,
    /// A witness (见证人).
    pub witness: Option<String>,
    /// Both inspectors' PINs (and signatures on first need): their
    /// signatures are applied to the record and the orders; empty: unsigned.
    #[serde(default)]
    pub officer_signs: Vec<OfficerSignReq>,
}

/// A document of a finished inspection.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspDocumentReq {
    /// Inspection id.
    pub inspection_id: String,
    /// An order's number for its 责令改正通知书; none for the 现场检查笔录.
    pub order_number: Option<String>,
}

/// An inspection in a list.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspectionSummary {
    /// Id.
    pub id: String,
    /// `open` or `finished`.
    pub status: String,
    /// Place.
    pub place: String,
    /// The party's name.
    pub party_name: String,
    /// Scenario names.
    pub scenarios: Vec<String>,
    /// Departments of the merged checklist.
    pub departments: u32,
    /// Items of the merged checklist.
    pub items: u32,
    /// Items checked.
    pub checked: u32,
    /// Items failed.
    pub failed: u32,
    /// Started (Beijing, `YYYY-MM-DD HH:MM`).
    pub started_at: String,
}

/// What a failed item became.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OutcomeView {
    /// `order_to_correct`, `simple_case` or `referral`.
    pub kind: String,
    /// One line in Chinese.
    pub label: String,
    /// The order's number.
    pub number: Option<String>,
    /// The order's deadline (`YYYY-MM-DD`).
    pub deadline: Option<String>,
    /// 改正要求 or 移送理由.
    pub detail: String,
    /// The case opened (simple case).
    pub case_id: Option<String>,
    /// The receiving department (referral).
    pub department_name: Option<String>,
}

/// One checklist item with its result.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FindingView {
    /// Item code.
    pub code: String,
    /// Department code.
    pub department: String,
    /// Department name.
    pub department_name: String,
    /// 检查内容.
    pub subject: String,
    /// 检查方式.
    pub method: String,
    /// 检查依据.
    pub basis: String,
    /// The violation a failure means.
    pub violation: String,
    /// The matter a failure maps to.
    pub matter_code: Option<String>,
    /// 改正期限 in days.
    pub correction_days: u32,
    /// `pass`, `fail`, `not_applicable`, or none while unchecked.
    pub verdict: Option<String>,
    /// The note.
    pub note: String,
    /// Evidence count.
    pub evidence: u32,
    /// The outcome of a failure.
    pub outcome: Option<OutcomeView>,
}

/// One inspection with its merged checklist.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspectionView {
    /// The list line.
    pub summary: InspectionSummary,
    /// The party's ID, masked.
    pub party_id_masked: String,
    /// Departments, in checklist order.
    pub department_names: Vec<String>,
    /// The items.
    pub findings: Vec<FindingView>,
    /// Numbers of the orders to correct.
    pub orders: Vec<String>,
    /// Departments referred to.
    pub referrals: Vec<String>,
    /// The record's SHA-256, once finished.
    pub record_sha256: Option<String>,
    /// The task handled.
    pub task_id: Option<String>,
}

/// The 亮码 of an inspection: the signed token as a QR to show the
/// inspected party, and what it says (docs/PROTOCOL.md, "亮码").
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BadgeView {
    /// The verification URL the QR encodes (`{SERVER}/V/{token}`, the
    /// short token, scheme and host upper-cased: a QR of at most 57
    /// modules a side).
    pub url: String,
    /// The short token text alone (base32).
    pub token: String,
    /// The QR as SVG.
    pub svg: String,
    /// 执法人员.
    pub officer_name: String,
    /// 执法证号.
    pub credential_no: String,
    /// 执法单位 (township or its authority).
    pub township_name: String,
    /// 检查地点.
    pub place: String,
    /// The items to be checked (names, as in the token).
    pub items: Vec<String>,
    /// How many items the checklist has in all.
    pub items_total: u32,
    /// Issued at, Beijing time (`YYYY-MM-DD HH:MM`).
    pub issued_at: String,
    /// Expires at, Beijing time.
    pub expires_at: String,
    /// Expires at, UTC RFC 3339 (for a countdown).
    pub expires_at_utc: String,
    /// The certificate's end, Beijing time.
    pub certificate_valid_until: String,
}

/// One task.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TaskReq {
    /// Task id.
    pub task_id: String,
}

/// Report a task handled.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TaskReportReq {
    /// Task id.
    pub task_id: String,
    /// What was found and done.
    pub note: String,
    /// For a follow-up check: whether the party corrected.
    pub corrected: Option<bool>,
    /// The inspection that handled it.
    pub inspection_id: Option<String>,
    /// The case opened for it.
    pub case_id: Option<String>,
}

/// A task as the officer sees it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TaskView {
    /// Id.
    pub id: String,
    /// `device` (follow-ups made here) or `server` (assigned).
    pub origin: String,
    /// `complaint`, `random`, `follow_up` ….
    pub kind: String,
    /// The kind in Chinese.
    pub kind_label: String,
    /// `assigned`, `accepted`, `done`.
    pub status: String,
    /// The place.
    pub place: String,
    /// The party, if known.
    pub party_name: Option<String>,
    /// What to do.
    pub detail: String,
    /// Due (`YYYY-MM-DD`).
    pub due_on: Option<String>,
    /// Scenario codes to inspect under.
    pub scenarios: Vec<String>,
    /// The inspection it came from or that handled it.
    pub inspection_id: Option<String>,
    /// Accepted (RFC 3339).
    pub accepted_at: Option<String>,
    /// Done (RFC 3339).
    pub done_at: Option<String>,
}

// ---------------------------------------------------------------------------
// Drafts and voiding

/// Void a case before its decision, with the reason (kept and audited).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct VoidReq {
    /// Case id.
    pub case_id: String,
    /// Why, in the officer's words.
    pub reason: String,
}

/// Save what the wizard holds for a case, at the screen the officer is on.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DraftSaveReq {
    /// Case id.
    pub case_id: String,
    /// The wizard screen (`new`, `party`, `facts`, `discretion`, `rights`,
    /// `preview`, `sign`, `done`).
    pub step: String,
    /// The screens' own JSON of what was typed (kept as given, at most
    /// 64 KiB, in the encrypted store).
    pub data: String,
}

/// A saved wizard draft.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DraftView {
    /// Case id.
    pub case_id: String,
    /// The wizard screen it was saved on.
    pub step: String,
    /// The screens' JSON.
    pub data: String,
    /// When saved (RFC 3339).
    pub saved_at: String,
}

/// One officer of a case and the signature on its issued decision.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OfficerSignView {
    /// Officer id.
    pub officer_id: String,
    /// Name.
    pub name: String,
    /// Whether the officer has a PIN on this device.
    pub enrolled: bool,
    /// Whether the officer's signature is kept on this device.
    pub captured: bool,
    /// Whether the officer signed the issued decision.
    pub signed: bool,
}

/// One officer signs the issued decision (or, in settings, keeps a new
/// signature): the PIN; on first need the signature, and for an officer
/// without a PIN on this device the new PIN twice.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OfficerSignReq {
    /// Case id (none: only keep the signature, e.g. in settings).
    pub case_id: Option<String>,
    /// Officer id.
    pub officer_id: String,
    /// The officer's PIN.
    pub pin: String,
    /// The new PIN again, when the officer has none on this device yet.
    pub pin_again: Option<String>,
    /// A signature to keep (PNG, base64), when none is kept or to replace it.
    pub signature_png_base64: Option<String>,
}

/// Print a case's document on a thermal roll.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CasePrintReq {
    /// Case id.
    pub case_id: String,
    /// `decision` or `receipt` (送达回证).
    pub document: String,
    /// Paper width in millimetres: `58` or `80`.
    pub roll: String,
}

/// Print an inspection's record on a thermal roll.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspPrintReq {
    /// Inspection id.
    pub inspection_id: String,
    /// Paper width in millimetres: `58` or `80`.
    pub roll: String,
}
