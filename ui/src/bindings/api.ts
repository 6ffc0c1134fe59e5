// Generated from the Rust types in api/src/dto.rs by ts-rs. Do not edit:
// run `UPDATE_BINDINGS=1 cargo test -p zhifa-api --test bindings`.
/* eslint-disable */

export type Empty = Record<symbol, never>;

export type ApiErrorBody = { 
/**
 * The stable code, e.g. `SIGNIN_WRONG_PIN`.
 */
code: string, 
/**
 * The message in Chinese.
 */
message: string, };

export type OfficerBrief = { 
/**
 * Officer id.
 */
id: string, 
/**
 * Full name (shown to the officer themself and on the case).
 */
name: string, 
/**
 * 执法证号.
 */
credential_no: string, 
/**
 * Township code.
 */
township_code: string, 
/**
 * Has a PIN on this device.
 */
enrolled: boolean, 
/**
 * Locked out until (RFC 3339), after too many wrong PINs.
 */
locked_until: string | null, };

export type AppState = { 
/**
 * Every officer listed on the device (enrolled or not).
 */
officers: Array<OfficerBrief>, 
/**
 * The signed-in officer, if any.
 */
signed_in: OfficerBrief | null, 
/**
 * The catalogue release in force today, if any is imported.
 */
catalogue: ReleaseBrief | null, 
/**
 * The device id (UUID), once the device identity exists.
 */
device_id: string | null, 
/**
 * Which backend answers: `tauri` or `web`.
 */
shell: string, };

export type ReleaseBrief = { 
/**
 * Release id.
 */
id: string, 
/**
 * Title.
 */
title: string, 
/**
 * First day in force.
 */
effective_from: string, 
/**
 * Sample data, not an official list.
 */
sample: boolean, };

export type SignInReq = { 
/**
 * Officer id.
 */
officer_id: string, 
/**
 * The PIN (6–12 digits).
 */
pin: string, };

export type ChangePinReq = { 
/**
 * The current PIN.
 */
current: string, 
/**
 * The new PIN.
 */
new_pin: string, };

export type CaseSummary = { 
/**
 * Case id.
 */
id: string, 
/**
 * Matter name.
 */
matter_name: string, 
/**
 * Status code (`draft`, `served`, …).
 */
status: string, 
/**
 * Status in Chinese.
 */
status_label: string, 
/**
 * The party, masked (`周**`).
 */
party_masked: string | null, 
/**
 * The document number once issued.
 */
document_number: string | null, 
/**
 * Violation time (Beijing, `YYYY-MM-DDTHH:MM:SS`).
 */
violation_time: string, 
/**
 * Last changed (RFC 3339).
 */
updated_at: string, 
/**
 * The fine in fen, once decided.
 */
amount_fen: number | null, 
/**
 * The wizard screen a saved draft continues on (`party`, `facts`, …),
 * or `null` when no draft is kept for the case.
 */
draft_step: string | null, 
/**
 * The no-penalty ground with its article, or `null`.
 */
no_penalty_ground: string | null, };

export type Deadline = { 
/**
 * `service`, `payment` or `follow_up`.
 */
kind: string, 
/**
 * What is due, in Chinese.
 */
title: string, 
/**
 * The case.
 */
case_id: string, 
/**
 * The due day (`YYYY-MM-DD`); `null` when due now (e.g. service).
 */
due: string | null, 
/**
 * Days left (negative: overdue).
 */
days_left: number | null, 
/**
 * For a payment: the fine in fen.
 */
amount_fen: number | null, 
/**
 * For a payment: the surcharge accrued so far in fen (Art. 72).
 */
late_fee_fen: number | null, };

export type Home = { 
/**
 * Today (Beijing, `YYYY-MM-DD`).
 */
today: string, 
/**
 * The signed-in officer.
 */
officer: OfficerBrief, 
/**
 * The township's name.
 */
township_name: string | null, 
/**
 * Cases opened today.
 */
cases_today: Array<CaseSummary>, 
/**
 * Cases not finished (before service), newest first.
 */
open_cases: Array<CaseSummary>, 
/**
 * Deadlines, soonest first.
 */
deadlines: Array<Deadline>, 
/**
 * The sync state.
 */
sync: SyncState, };

export type SearchReq = { 
/**
 * What the officer typed (name, pinyin initials, code, words of a provision).
 */
text: string, 
/**
 * The most hits.
 */
limit: number | null, 
/**
 * Every matter of the release, not only the township's.
 */
all: boolean | null, };

export type SearchHit = { 
/**
 * Matter code.
 */
code: string, 
/**
 * Matter name.
 */
name: string, 
/**
 * Kind in Chinese.
 */
kind_label: string, 
/**
 * Domain.
 */
domain: string, 
/**
 * How it matched (`name_exact`, `initials_prefix`, …).
 */
matched: string, };

export type SearchResp = { 
/**
 * The release searched.
 */
release_id: string, 
/**
 * The township filter applied.
 */
township: string | null, 
/**
 * Hits, best first.
 */
hits: Array<SearchHit>, 
/**
 * Matters the query finds that the officer's township may not enforce
 * today, best first, each with the reason (empty with `all`).
 */
outside: Array<OutsideHit>, };

export type OutsideHit = { 
/**
 * Matter code.
 */
code: string, 
/**
 * Matter name.
 */
name: string, 
/**
 * Kind in Chinese.
 */
kind_label: string, 
/**
 * Domain.
 */
domain: string, 
/**
 * Why the township may not enforce it, in Chinese.
 */
reason: string, };

export type MatterReq = { 
/**
 * Matter code.
 */
code: string, };

export type Range = { 
/**
 * Lowest, inclusive.
 */
min_fen: number, 
/**
 * Highest, inclusive.
 */
max_fen: number, };

export type ProvisionView = { 
/**
 * 违则 or 罚则.
 */
role_label: string, 
/**
 * The citation, e.g. `《…》第18条第1款`.
 */
citation: string, 
/**
 * The text.
 */
text: string, 
/**
 * In force today.
 */
in_force: boolean, 
/**
 * Checked against the official text; the screen marks an unchecked
 * provision 未核对 (issue 14).
 */
verified: boolean, 
/**
 * Where the text comes from (official text URL or gazette), if given.
 */
source: string | null, };

export type PenaltyView = { 
/**
 * A warning is among the penalties.
 */
warning: boolean, 
/**
 * The fine range.
 */
fine: Range | null, 
/**
 * Other penalties in words.
 */
other: Array<string>, };

export type LevelView = { 
/**
 * Level code.
 */
code: string, 
/**
 * Level name.
 */
name: string, 
/**
 * 适用情形 as published.
 */
conditions: string, 
/**
 * The conditions as circumstance codes.
 */
circumstances: Array<string>, 
/**
 * For a natural person.
 */
individual: PenaltyView | null, 
/**
 * For an organisation.
 */
organization: PenaltyView | null, };

export type ExemptionView = { 
/**
 * The conditions in words.
 */
conditions: string, 
/**
 * As circumstance codes.
 */
circumstances: Array<string>, };

export type MatterDetail = { 
/**
 * Code.
 */
code: string, 
/**
 * Name.
 */
name: string, 
/**
 * Kind in Chinese.
 */
kind_label: string, 
/**
 * Domain.
 */
domain: string, 
/**
 * Owning department.
 */
department: string, 
/**
 * Entrusting authority, for entrusted matters.
 */
entrusting_authority: string | null, 
/**
 * Where the regulation limits where or to what the matter applies
 * (e.g. 市容条例 Art. 2/82 built-up areas), in words.
 */
scope_note: string | null, 
/**
 * 违则 then 罚则.
 */
provisions: Array<ProvisionView>, 
/**
 * Statutory range for individuals.
 */
statutory_individual: Range | null, 
/**
 * Statutory range for organisations.
 */
statutory_organization: Range | null, 
/**
 * An order to correct must come first.
 */
correction_first: boolean, 
/**
 * 首违不罚.
 */
first_violation: ExemptionView | null, 
/**
 * 轻微免罚.
 */
minor_violation: ExemptionView | null, 
/**
 * 裁量阶次, lightest first.
 */
levels: Array<LevelView>, 
/**
 * Quick phrases for the 违法事实 (`＿＿` marks what to fill in).
 */
fact_phrases: Array<string>, 
/**
 * The release read.
 */
release: ReleaseBrief, };

export type CheckIdReq = { 
/**
 * What was typed.
 */
text: string, 
/**
 * `individual` or `organization`.
 */
party_kind: string, 
/**
 * The document of a person (`resident_id`, `residence_permit`,
 * `hk_macao_permit`, `taiwan_permit`, `chinese_passport`,
 * `foreign_passport`, `foreign_permanent_resident`, `no_document`);
 * absent: the number says what it is (居民身份证 or 统一社会信用代码).
 */
id_kind?: string, };

export type IdCheck = { 
/**
 * Valid and of the right kind.
 */
ok: boolean, 
/**
 * Still being typed (shorter than a full number, nothing wrong yet).
 */
incomplete: boolean, 
/**
 * The normalised number.
 */
normalized: string, 
/**
 * What it is, in Chinese (居民身份证号码, 统一社会信用代码).
 */
kind_label: string | null, 
/**
 * Region name, where known.
 */
region: string | null, 
/**
 * Birth date (citizen numbers).
 */
birth_date: string | null, 
/**
 * Sex in Chinese (citizen numbers).
 */
sex: string | null, 
/**
 * The problem's stable code.
 */
error_code: string | null, 
/**
 * The problem in Chinese.
 */
message: string | null, 
/**
 * Accepted, but not against a cited format (a document whose number
 * format has no authoritative source): what to look at again.
 */
note?: string, };

export type IdentityReadReq = { 
/**
 * The photograph (JPEG or PNG), base64.
 */
image_base64: string, };

export type ReadField = { 
/**
 * The value (a birth date as `YYYY-MM-DD`).
 */
value: string, 
/**
 * Recognition confidence, 0–100.
 */
confidence: number, 
/**
 * Not legible on the card; taken from the valid number.
 */
from_number: boolean, };

export type ReadNote = { 
/**
 * Stable code (`OCR_NUMBER_CHECK_FAILED`, `OCR_SEX_MISMATCH`…).
 */
code: string, 
/**
 * In Chinese.
 */
message: string, };

export type IdentityRead = { 
/**
 * 姓名.
 */
name: ReadField | null, 
/**
 * 性别.
 */
sex: ReadField | null, 
/**
 * 民族.
 */
ethnicity: ReadField | null, 
/**
 * 出生.
 */
birth_date: ReadField | null, 
/**
 * 住址.
 */
address: ReadField | null, 
/**
 * 公民身份号码.
 */
id_number: ReadField | null, 
/**
 * Whether the number passes GB 11643.
 */
number_valid: boolean, 
/**
 * What to check before accepting.
 */
notes: Array<ReadNote>, };

export type PartyInput = { 
/**
 * `individual` or `organization`.
 */
kind: string, 
/**
 * 姓名 or 名称.
 */
name: string, 
/**
 * Citizen ID or USCC.
 */
id_number: string, 
/**
 * Phone.
 */
phone: string | null, 
/**
 * Address.
 */
address: string, 
/**
 * Legal representative (organisations).
 */
representative: string | null, 
/**
 * The document a person showed (see [`CheckIdReq::id_kind`]); absent:
 * 居民身份证.
 */
id_kind?: string, 
/**
 * 国籍 (foreign passport).
 */
nationality?: string, 
/**
 * 出生日期 (`YYYY-MM-DD`), where the number does not carry it.
 */
birth_date?: string, 
/**
 * 无证件: why there is no document.
 */
no_document_reason?: string, 
/**
 * 无证件: the evidence id of the photo of the party.
 */
photo_evidence_id?: string, };

export type NewCaseReq = { 
/**
 * Matter code.
 */
matter_code: string, 
/**
 * The second officer present (Art. 42); the signed-in officer is the first.
 */
partner_officer_id: string, 
/**
 * Minutes before now the act was found (default 0).
 */
minutes_ago: number | null, };

export type CaseReq = { 
/**
 * Case id.
 */
case_id: string, };

export type PartyFactsReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The party.
 */
party: PartyInput, 
/**
 * 违法事实.
 */
facts: string, 
/**
 * 违法地点.
 */
place: string, 
/**
 * A continuing act (连续或者继续状态, 行政处罚法 Art. 36 ¶2): the day it
 * ended (`YYYY-MM-DD`), if it has.
 */
act_end_date?: string, 
/**
 * A continuing act still going on (持续中).
 */
act_ongoing?: boolean, 
/**
 * 违法时间 as established (Beijing time, `YYYY-MM-DDTHH:MM`, as a
 * `datetime-local` input gives it); absent or empty keeps the time
 * the case was opened with.
 */
violation_time?: string, };

export type EvidenceAddReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The file name the camera or picker gave.
 */
file_name: string | null, 
/**
 * The file's bytes, base64.
 */
data_base64: string, 
/**
 * The device's location fix, if the platform gave one.
 */
lat: number | null, 
/**
 * Longitude.
 */
lon: number | null, 
/**
 * Accuracy in metres.
 */
accuracy_m: number | null, };

export type AttachReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The summary printed; a default is written from the items when empty.
 */
summary: string | null, };

export type PenaltyInput = { 
/**
 * `warning` or `fine`.
 */
kind: string, 
/**
 * The fine in fen.
 */
amount_fen: number | null, };

export type SuggestReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * Circumstance codes attested.
 */
circumstances: Array<string>, 
/**
 * The penalty considered, if any yet.
 */
penalty: PenaltyInput | null, };

export type LevelOption = { 
/**
 * Level code.
 */
code: string, 
/**
 * Name.
 */
name: string, 
/**
 * 适用情形.
 */
conditions: string, 
/**
 * Its circumstance codes.
 */
circumstances: Array<string>, 
/**
 * Applies to this party and these circumstances.
 */
applies: boolean, 
/**
 * The suggested level.
 */
suggested: boolean, 
/**
 * A warning is possible.
 */
warning: boolean, 
/**
 * The lawful fine of the level for this party.
 */
lawful_fine: Range | null, 
/**
 * Why it does or does not apply.
 */
reason: string, };

export type BandView = { 
/**
 * Band id, e.g. `B2`.
 */
id: string, 
/**
 * Band name, e.g. `情节严重`.
 */
name: string, 
/**
 * The article that sets the band, e.g. `《…条例》第三十九条第一款`.
 */
article: string, 
/**
 * The hull of the lawful fines, if the band fines.
 */
fine: Range | null, 
/**
 * For a fixed-amount band, the only lawful amounts in fen.
 */
fixed_fen: Array<number> | null, 
/**
 * The preconditions the band needs, in Chinese (`逾期未改正` …).
 */
preconditions: Array<string>, 
/**
 * Those not attested by the case, in Chinese.
 */
missing: Array<string>, 
/**
 * The kinds that must be imposed together (并处), in Chinese.
 */
mandatory: Array<string>, 
/**
 * The kinds that may be imposed together (可以并处), in Chinese.
 */
optional: Array<string>, 
/**
 * Whether the case may use the band.
 */
usable: boolean, 
/**
 * Why it is or is not usable, in Chinese.
 */
reason: string, };

export type Suggestion = { 
/**
 * Every level.
 */
levels: Array<LevelOption>, 
/**
 * The suggested level's code.
 */
suggested_level: string | null, 
/**
 * The lawful range for this party.
 */
range: Range | null, 
/**
 * `none`, `mandatory`, `discretionary` or `no_fault`.
 */
exemption: string, 
/**
 * The simple procedure is allowed (Art. 51), and why.
 */
simple_procedure: boolean, 
/**
 * The reason, citing the article.
 */
simple_procedure_reason: string, 
/**
 * A penalty off the suggested level needs a written reason.
 */
needs_reason: boolean, 
/**
 * Problems found, each with a stable code. These are the assessment's
 * errors: the refusals of the proposal (in Chinese, naming the article);
 * the officer may not continue while any is present.
 */
problems: Array<ApiErrorBody>, 
/**
 * The bands (档次) of the matter's penalty clause for this party,
 * lightest first; empty for a matter without a clause.
 */
bands: Array<BandView>, 
/**
 * The id of the band the proposal keeps to; `null` without a lawful proposal.
 */
band: string | null, };

export type InformReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The penalty told.
 */
penalty: PenaltyInput, 
/**
 * What was told; a standard text is written when empty.
 */
content: string | null, };

export type StatementReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The party's statement; `null` or empty when the party waives it.
 */
statement: string | null, 
/**
 * The officers' review of the statement (required with a statement).
 */
review: string | null, 
/**
 * When waived: what the party said, in the party's words (optional).
 */
waiver_words: string | null, };

export type DecideReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The penalty.
 */
penalty: PenaltyInput, 
/**
 * Circumstance codes attested.
 */
circumstances: Array<string>, 
/**
 * The reason for a penalty off the suggested level.
 */
deviation_reason: string | null, };

export type ServeReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * `signed` or `refused`.
 */
kind: string, 
/**
 * The signer's name (signed).
 */
signer_name: string | null, 
/**
 * The signature as PNG, base64 (signed).
 */
signature_png_base64: string | null, 
/**
 * Why the party refused (refused).
 */
refusal_reason: string | null, 
/**
 * A witness (refused).
 */
witness: string | null, };

export type DocumentFile = { 
/**
 * A file name for saving or sharing.
 */
file_name: string, 
/**
 * The PDF, base64.
 */
pdf_base64: string, 
/**
 * Pages.
 */
pages: number, 
/**
 * The document hash printed on it.
 */
document_hash: string, };

export type SavedFile = { 
/**
 * Where it was written (absolute).
 */
path: string, 
/**
 * Bytes.
 */
bytes: number, };

export type PaymentQr = { 
/**
 * The URL encoded.
 */
url: string, 
/**
 * The QR as SVG.
 */
svg: string, 
/**
 * The 缴款码.
 */
payment_code: string | null, 
/**
 * The fine in fen.
 */
amount_fen: number, 
/**
 * The last day to pay.
 */
due: string | null, };

export type TicketReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * Paper width in millimetres: `58` or `80`.
 */
roll: string, };

export type TicketView = { 
/**
 * Paper width in millimetres.
 */
roll: string, 
/**
 * Bytes sent.
 */
bytes: number, 
/**
 * The ESC/POS stream, base64 (for a shell that prints it itself).
 */
escpos_base64: string, 
/**
 * The document hash printed on it (the PDF's).
 */
document_hash: string, 
/**
 * Where it went, in Chinese.
 */
sent_to: string, };

export type OfficerSignView = { 
/**
 * Officer id.
 */
officer_id: string, 
/**
 * Name.
 */
name: string, 
/**
 * Whether the officer has a PIN on this device.
 */
enrolled: boolean, 
/**
 * Whether the officer's signature is kept on this device.
 */
captured: boolean, 
/**
 * Whether the officer signed the issued decision.
 */
signed: boolean, };

export type OfficerSignReq = { 
/**
 * Case id (none: only keep the signature, e.g. in settings).
 */
case_id: string | null, 
/**
 * Officer id.
 */
officer_id: string, 
/**
 * The officer's PIN.
 */
pin: string, 
/**
 * The new PIN again, when the officer has none on this device yet.
 */
pin_again: string | null, 
/**
 * A signature to keep (PNG, base64), when none is kept or to replace it.
 */
signature_png_base64: string | null, };

export type CasePrintReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * `decision` or `receipt` (送达回证).
 */
document: string, 
/**
 * Paper width in millimetres: `58` or `80`.
 */
roll: string, };

export type InspPrintReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * Paper width in millimetres: `58` or `80`.
 */
roll: string, };

export type CaseView = { 
/**
 * Id.
 */
id: string, 
/**
 * Status code.
 */
status: string, 
/**
 * Status in Chinese.
 */
status_label: string, 
/**
 * Version (steps taken + 1).
 */
version: number, 
/**
 * Township code.
 */
township: string, 
/**
 * Matter code.
 */
matter_code: string, 
/**
 * Matter name.
 */
matter_name: string, 
/**
 * The two officers (`name（证号）`).
 */
officers: Array<string>, 
/**
 * Each officer's signature on the issued decision (行政处罚法 Art. 52).
 */
officer_signs: Array<OfficerSignView>, 
/**
 * When the issued decision was shown to the party to read.
 */
document_shown_at: string | null, 
/**
 * Violation time (Beijing).
 */
violation_time: string, 
/**
 * The party: name shown in full on the case screens (the officer is
 * dealing with them), ID masked.
 */
party_name: string | null, 
/**
 * The party's ID number, masked.
 */
party_id_masked: string | null, 
/**
 * The document a person showed, as printed (`护照（国籍：美国）`);
 * `None` for an organisation.
 */
party_id_kind: string | null, 
/**
 * `individual` or `organization`.
 */
party_kind: string | null, 
/**
 * Facts.
 */
facts: string | null, 
/**
 * Place.
 */
place: string | null, 
/**
 * Evidence attached.
 */
evidence_count: number, 
/**
 * Evidence summary.
 */
evidence_summary: string | null, 
/**
 * Rights told (content).
 */
rights: string | null, 
/**
 * Statement (or `当事人放弃陈述申辩`).
 */
statement: string | null, 
/**
 * The penalty decided, in Chinese (`罚款人民币150元`).
 */
penalty_text: string | null, 
/**
 * The fine, fen.
 */
amount_fen: number | null, 
/**
 * Suggested level.
 */
suggested_level: string | null, 
/**
 * Deviation reason.
 */
deviation_reason: string | null, 
/**
 * Remedy clause.
 */
remedy_clause: string | null, 
/**
 * 违则: the provisions violated, cited as the decision prints them
 * (from the catalogue release in force on the violation date).
 */
violated_provisions: Array<string>, 
/**
 * 罚则: the provisions the penalty rests on, cited as printed.
 */
penalty_provisions: Array<string>, 
/**
 * Document number as printed on the decision.
 */
document_number: string | null, 
/**
 * Whether the printed number is a provisional one (no leased number
 * was left offline and the township's policy allows it).
 */
number_provisional: boolean, 
/**
 * The final number the server assigned to the provisional one, once
 * synced (`null` while pending or for a leased number).
 */
final_document_number: string | null, 
/**
 * Payment due.
 */
payment_due: string | null, 
/**
 * Served at.
 */
served_at: string | null, 
/**
 * Has a payment QR.
 */
has_payment: boolean, 
/**
 * A continuing act: `持续中` or `终了于YYYY-MM-DD` (Art. 36 ¶2).
 */
act_end: string | null, 
/**
 * The last day to file the decision (备案, 行政处罚法 Art. 52 ¶3) by
 * the township's configured working days; `null` before a decision or
 * when the calendar does not cover it.
 */
filing_due: string | null, 
/**
 * The 备案 is late (filed after, or not filed by, `filing_due`).
 */
filing_overdue: boolean, 
/**
 * `payment_due` was counted on a calendar year marked estimated.
 */
payment_due_estimated: boolean, 
/**
 * `filing_due` was counted on a calendar year marked estimated.
 */
filing_due_estimated: boolean, 
/**
 * Shown beside a deadline counted on an estimated calendar year:
 * `（按预估日历）`, else `null`.
 */
calendar_note: string | null, 
/**
 * Created (RFC 3339).
 */
created_at: string, 
/**
 * Why the case was voided (it is kept, closed), or `null`.
 */
void_reason: string | null, 
/**
 * The no-penalty outcome (行政处罚法 Art. 30, 31, 33), or `null`.
 */
no_penalty: NoPenaltyView | null, };

export type TimelineView = { 
/**
 * 1, 2, …
 */
seq: number, 
/**
 * When (RFC 3339).
 */
at: string, 
/**
 * Step name.
 */
kind: string, 
/**
 * In Chinese.
 */
label: string, 
/**
 * Status after.
 */
to_label: string, };

export type EvidenceView = { 
/**
 * Id.
 */
id: string, 
/**
 * Chain position.
 */
seq: number, 
/**
 * Case.
 */
case_id: string | null, 
/**
 * `photo`, `video`, `audio`.
 */
kind: string, 
/**
 * MIME type.
 */
media_type: string, 
/**
 * SHA-256 of the original.
 */
sha256: string, 
/**
 * Bytes.
 */
size: number, 
/**
 * Captured (device clock, RFC 3339).
 */
device_time: string, 
/**
 * Has a device location fix.
 */
located: boolean, 
/**
 * `verified`, `unchecked` or a problem code (`FILE_ALTERED`, …).
 */
verification: string, 
/**
 * The problem in Chinese, if any.
 */
problem: string | null, 
/**
 * A small JPEG thumbnail, base64.
 */
thumb_base64: string | null, };

export type EvidenceListReq = { 
/**
 * Only this case's.
 */
case_id: string | null, 
/**
 * Re-hash every original and check the chain (slower).
 */
verify: boolean, };

export type EvidenceList = { 
/**
 * Items, newest first.
 */
items: Array<EvidenceView>, 
/**
 * Whether the chain was checked now.
 */
verified: boolean, 
/**
 * Chain-level problems (gaps, head mismatch), in Chinese.
 */
chain_problems: Array<string>, };

export type CaseListReq = { 
/**
 * Only this status.
 */
status: string | null, };

export type CaseDetail = { 
/**
 * The case.
 */
case: CaseView, 
/**
 * Timeline, oldest first.
 */
timeline: Array<TimelineView>, 
/**
 * Its evidence.
 */
evidence: Array<EvidenceView>, 
/**
 * The payment standing today, for a served fine.
 */
payment: Deadline | null, 
/**
 * What the server has said about the case since (payment confirmed,
 * legal review, reassignment), newest state; empty before any.
 */
server_notes: Array<ServerNote>, };

export type ServerNote = { 
/**
 * `payment`, `review_approved`, `review_returned` or `reassigned`.
 */
kind: string, 
/**
 * The headline in Chinese (`缴款已确认`, `法制审核：通过` …).
 */
title: string, 
/**
 * The detail in Chinese (amount and time, opinion, reason).
 */
detail: string, };

export type StreamState = { 
/**
 * Stream name (e.g. `case`).
 */
stream: string, 
/**
 * In Chinese.
 */
label: string, 
/**
 * Records waiting to be pushed.
 */
pending: number, 
/**
 * Records pushed.
 */
pushed: number, };

export type SyncState = { 
/**
 * Outbox counts per entity.
 */
streams: Array<StreamState>, 
/**
 * Records waiting in all.
 */
pending: number, 
/**
 * Records pushed in all.
 */
pushed: number, 
/**
 * Conflicts the officer has not resolved yet.
 */
conflicts: number, 
/**
 * The last sync error (its code is translated by the UI's i18n).
 */
last_error: SyncErrorView | null, 
/**
 * Whether the device is enrolled with a sync server.
 */
enrolled: boolean, 
/**
 * `idle`, `running`, `ok`, `failed`, `offline` or `not_enrolled`.
 */
state: string, 
/**
 * When the last sync completed (RFC 3339).
 */
last_ok_at: string | null, };

export type Settings = { 
/**
 * Township code.
 */
township: string | null, 
/**
 * Townships of the release in force.
 */
townships: Array<TownshipOption>, 
/**
 * Catalogue releases on the device.
 */
releases: Array<ReleaseBrief>, 
/**
 * The device id.
 */
device_id: string | null, 
/**
 * Schema version of the store.
 */
schema_version: number, 
/**
 * App version.
 */
app_version: string, 
/**
 * Data folder.
 */
data_dir: string, 
/**
 * The enrolment with the sync server, if any.
 */
enrolment: EnrolmentView | null, };

export type TownshipOption = { 
/**
 * Code.
 */
code: string, 
/**
 * Name.
 */
name: string, 
/**
 * District.
 */
district: string, };

export type SetTownshipReq = { 
/**
 * Township code.
 */
township: string, };

export type SyncErrorView = { 
/**
 * The stable code the UI translates.
 */
code: string, 
/**
 * The detail (Chinese), shown under the translation.
 */
message: string, 
/**
 * When it happened (RFC 3339).
 */
at: string, };

export type EnrolmentView = { 
/**
 * Server base URL.
 */
server_url: string, 
/**
 * The officer the device is enrolled for.
 */
officer_id: string, 
/**
 * Their township.
 */
township: string, 
/**
 * Their role.
 */
role: string, };

export type SyncEnrolReq = { 
/**
 * The server's base URL (HTTPS; plain HTTP only to this machine).
 */
server_url: string, 
/**
 * The one-time enrolment code from the server's operator.
 */
code: string, };

export type SyncNowReq = { 
/**
 * Why: `manual`, `online`, `sign_in`, `case_issued`, `resume`.
 */
reason: string | null, };

export type SyncNetworkReq = { 
/**
 * `navigator.onLine`.
 */
online: boolean, };

export type StreamProgress = { 
/**
 * `catalogue`, `push`, `inbox`, `blobs` or `leases`.
 */
stream: string, 
/**
 * In Chinese.
 */
label: string, 
/**
 * `idle`, `waiting`, `running`, `done` or `stopped` (the run failed first).
 */
state: string, 
/**
 * Records done in the current or last run.
 */
records_done: number, 
/**
 * Records expected, when known.
 */
records_total: number | null, 
/**
 * Bytes done.
 */
bytes_done: number, 
/**
 * Bytes expected, when known.
 */
bytes_total: number | null, };

export type SyncReportView = { 
/**
 * Applied by the server.
 */
pushed: number, 
/**
 * Already held by the server.
 */
duplicates: number, 
/**
 * Rejected (now conflicts).
 */
rejected: number, 
/**
 * Inbox events applied.
 */
pulled_inbox: number, 
/**
 * The catalogue release in force after the run.
 */
catalogue_release: string | null, 
/**
 * Evidence originals verified on the server.
 */
blobs_uploaded: number, 
/**
 * Evidence bytes sent.
 */
bytes_uploaded: number, 
/**
 * Number leases granted.
 */
leases_granted: number, 
/**
 * Attempts used.
 */
attempts: number, };

export type SyncLive = { 
/**
 * `idle`, `running`, `ok`, `failed`, `offline` or `not_enrolled`.
 */
state: string, 
/**
 * Why the current or last run started.
 */
reason: string | null, 
/**
 * Whether the webview reports a connection.
 */
online: boolean, 
/**
 * Per stream.
 */
streams: Array<StreamProgress>, 
/**
 * The last error, until a run succeeds.
 */
last_error: SyncErrorView | null, 
/**
 * When the current or last run started.
 */
started_at: string | null, 
/**
 * When the last run succeeded.
 */
last_ok_at: string | null, 
/**
 * When the next periodic attempt is due.
 */
next_attempt_at: string | null, 
/**
 * Failed runs in a row (the period backs off).
 */
failures: number, 
/**
 * The last completed run.
 */
last_report: SyncReportView | null, };

export type RecordCounts = { 
/**
 * Waiting to be pushed.
 */
pending: number, 
/**
 * Applied by the server.
 */
applied: number, 
/**
 * Already held by the server.
 */
duplicate: number, 
/**
 * Rejected.
 */
rejected: number, };

export type SyncStatus = { 
/**
 * The enrolment, if any.
 */
enrolment: EnrolmentView | null, 
/**
 * The live state.
 */
live: SyncLive, 
/**
 * Records per status.
 */
counts: RecordCounts, 
/**
 * Unresolved conflicts.
 */
open_conflicts: number, };

export type SyncRecordsReq = { 
/**
 * Only this status (`pending`, `applied`, `duplicate`, `rejected`).
 */
status: string | null, 
/**
 * The most records (newest first); default 100.
 */
limit: number | null, };

export type SyncRecordView = { 
/**
 * Outbox seq.
 */
seq: number, 
/**
 * Entity.
 */
entity: string, 
/**
 * What it is, in Chinese (e.g. `案件 · 出具决定书`).
 */
label: string, 
/**
 * The entity's id.
 */
entity_id: string, 
/**
 * Operation.
 */
op: string, 
/**
 * When it was made.
 */
created_at: string, 
/**
 * When the server acknowledged it.
 */
pushed_at: string | null, 
/**
 * `pending`, `applied`, `duplicate` or `rejected`.
 */
status: string, 
/**
 * The rejection's code.
 */
code: string | null, 
/**
 * The server's message.
 */
message: string | null, };

export type ConflictView = { 
/**
 * Outbox seq of the rejected record; 0 for a refused lease grant.
 */
seq: number, 
/**
 * The server's lease id of a refused number-lease grant (it has no
 * outbox record; resolve it by this id); `null` for a rejected record.
 */
lease_id: string | null, 
/**
 * Entity.
 */
entity: string, 
/**
 * What it is, in Chinese.
 */
label: string, 
/**
 * Entity id.
 */
entity_id: string, 
/**
 * The rejection's stable code (translated by the UI).
 */
code: string, 
/**
 * The server's message.
 */
message: string, 
/**
 * When it arrived.
 */
at: string, 
/**
 * When the officer resolved it.
 */
resolved_at: string | null, 
/**
 * `acknowledged` or `retried`.
 */
resolution: string | null, 
/**
 * The officer's note.
 */
note: string | null, 
/**
 * The new record a retry queued.
 */
retry_seq: number | null, 
/**
 * The actions the officer may take: `acknowledge`, and `retry` where a
 * resend can succeed.
 */
actions: Array<string>, };

export type ResolveConflictReq = { 
/**
 * Outbox seq of the rejected record (ignored when `lease_id` is set).
 */
seq: number, 
/**
 * The server's lease id of a refused lease grant, which is resolved
 * by it instead of a seq (acknowledge only).
 */
lease_id?: string, 
/**
 * `acknowledge` (keep as rejected, note required) or `retry`.
 */
action: string, 
/**
 * The officer's note.
 */
note: string | null, };

export type ScenarioView = { 
/**
 * Scenario code.
 */
code: string, 
/**
 * Name, e.g. `小型商超`.
 */
name: string, 
/**
 * Which places it applies to.
 */
description: string | null, 
/**
 * Its items.
 */
items: number, 
/**
 * The departments of its items, by name.
 */
department_names: Array<string>, };

export type InspStartReq = { 
/**
 * Scenario codes, in the order to merge.
 */
scenarios: Array<string>, 
/**
 * 检查地点/场所.
 */
place: string, 
/**
 * The party inspected.
 */
party: PartyInput, 
/**
 * The second officer (行政处罚法 Art. 42, 55).
 */
partner_officer_id: string, 
/**
 * The task this inspection handles, if any.
 */
task_id: string | null, };

export type InspReq = { 
/**
 * Inspection id.
 */
inspection_id: string, };

export type InspResultReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * Item code.
 */
item: string, 
/**
 * `pass`, `fail` or `not_applicable`.
 */
verdict: string, 
/**
 * What was seen (required for `fail`).
 */
note: string, 
/**
 * Evidence captured for it.
 */
evidence_ids: Array<string>, };

export type InspEvidenceReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * The file name the camera or picker gave.
 */
file_name: string | null, 
/**
 * The file's bytes, base64.
 */
data_base64: string, 
/**
 * The device's location fix, if the platform gave one.
 */
lat: number | null, 
/**
 * Longitude.
 */
lon: number | null, 
/**
 * Accuracy in metres.
 */
accuracy_m: number | null, };

export type InspDecideReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * Item code.
 */
item: string, 
/**
 * `order_to_correct`, `simple_case` or `referral`.
 */
kind: string, 
/**
 * 改正要求 (order) or 移送理由 (referral).
 */
text: string | null, };

export type InspFinishReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * `signed` or `refused`.
 */
kind: string, 
/**
 * The signer's name (signed).
 */
signer_name: string | null, 
/**
 * The signature as PNG, base64 (signed).
 */
signature_png_base64: string | null, 
/**
 * Why the party refused (refused).
 */
refusal_reason: string | null, 
/**
 * A witness (见证人).
 */
witness: string | null, 
/**
 * Both inspectors' PINs (and signatures on first need): their
 * signatures are applied to the record and the orders; empty: unsigned.
 */
officer_signs: Array<OfficerSignReq>, };

export type InspDocumentReq = { 
/**
 * Inspection id.
 */
inspection_id: string, 
/**
 * An order's number for its 责令改正通知书; none for the 现场检查笔录.
 */
order_number: string | null, };

export type InspectionSummary = { 
/**
 * Id.
 */
id: string, 
/**
 * `open` or `finished`.
 */
status: string, 
/**
 * Place.
 */
place: string, 
/**
 * The party's name.
 */
party_name: string, 
/**
 * Scenario names.
 */
scenarios: Array<string>, 
/**
 * Departments of the merged checklist.
 */
departments: number, 
/**
 * Items of the merged checklist.
 */
items: number, 
/**
 * Items checked.
 */
checked: number, 
/**
 * Items failed.
 */
failed: number, 
/**
 * Started (Beijing, `YYYY-MM-DD HH:MM`).
 */
started_at: string, };

export type OutcomeView = { 
/**
 * `order_to_correct`, `simple_case` or `referral`.
 */
kind: string, 
/**
 * One line in Chinese.
 */
label: string, 
/**
 * The order's number.
 */
number: string | null, 
/**
 * The order's deadline (`YYYY-MM-DD`).
 */
deadline: string | null, 
/**
 * 改正要求 or 移送理由.
 */
detail: string, 
/**
 * The case opened (simple case).
 */
case_id: string | null, 
/**
 * The receiving department (referral).
 */
department_name: string | null, };

export type FindingView = { 
/**
 * Item code.
 */
code: string, 
/**
 * Department code.
 */
department: string, 
/**
 * Department name.
 */
department_name: string, 
/**
 * 检查内容.
 */
subject: string, 
/**
 * 检查方式.
 */
method: string, 
/**
 * 检查依据.
 */
basis: string, 
/**
 * The violation a failure means.
 */
violation: string, 
/**
 * The matter a failure maps to.
 */
matter_code: string | null, 
/**
 * 改正期限 in days.
 */
correction_days: number, 
/**
 * `pass`, `fail`, `not_applicable`, or none while unchecked.
 */
verdict: string | null, 
/**
 * The note.
 */
note: string, 
/**
 * Evidence count.
 */
evidence: number, 
/**
 * The outcome of a failure.
 */
outcome: OutcomeView | null, };

export type InspectionView = { 
/**
 * The list line.
 */
summary: InspectionSummary, 
/**
 * The party's ID, masked.
 */
party_id_masked: string, 
/**
 * Departments, in checklist order.
 */
department_names: Array<string>, 
/**
 * The items.
 */
findings: Array<FindingView>, 
/**
 * Numbers of the orders to correct.
 */
orders: Array<string>, 
/**
 * Departments referred to.
 */
referrals: Array<string>, 
/**
 * The record's SHA-256, once finished.
 */
record_sha256: string | null, 
/**
 * The task handled.
 */
task_id: string | null, };

export type BadgeView = { 
/**
 * The verification URL the QR encodes (`{SERVER}/V/{token}`, the
 * short token, scheme and host upper-cased: a QR of at most 57
 * modules a side).
 */
url: string, 
/**
 * The short token text alone (base32).
 */
token: string, 
/**
 * The QR as SVG.
 */
svg: string, 
/**
 * 执法人员.
 */
officer_name: string, 
/**
 * 执法证号.
 */
credential_no: string, 
/**
 * 执法单位 (township or its authority).
 */
township_name: string, 
/**
 * 检查地点.
 */
place: string, 
/**
 * The items to be checked (names, as in the token).
 */
items: Array<string>, 
/**
 * How many items the checklist has in all.
 */
items_total: number, 
/**
 * Issued at, Beijing time (`YYYY-MM-DD HH:MM`).
 */
issued_at: string, 
/**
 * Expires at, Beijing time.
 */
expires_at: string, 
/**
 * Expires at, UTC RFC 3339 (for a countdown).
 */
expires_at_utc: string, 
/**
 * The certificate's end, Beijing time.
 */
certificate_valid_until: string, };

export type TaskReq = { 
/**
 * Task id.
 */
task_id: string, };

export type TaskReportReq = { 
/**
 * Task id.
 */
task_id: string, 
/**
 * What was found and done.
 */
note: string, 
/**
 * For a follow-up check: whether the party corrected.
 */
corrected: boolean | null, 
/**
 * The inspection that handled it.
 */
inspection_id: string | null, 
/**
 * The case opened for it.
 */
case_id: string | null, };

export type TaskView = { 
/**
 * Id.
 */
id: string, 
/**
 * `device` (follow-ups made here) or `server` (assigned).
 */
origin: string, 
/**
 * `complaint`, `random`, `follow_up` ….
 */
kind: string, 
/**
 * The kind in Chinese.
 */
kind_label: string, 
/**
 * `assigned`, `accepted`, `done`.
 */
status: string, 
/**
 * The place.
 */
place: string, 
/**
 * The party, if known.
 */
party_name: string | null, 
/**
 * What to do.
 */
detail: string, 
/**
 * Due (`YYYY-MM-DD`).
 */
due_on: string | null, 
/**
 * Scenario codes to inspect under.
 */
scenarios: Array<string>, 
/**
 * The inspection it came from or that handled it.
 */
inspection_id: string | null, 
/**
 * Accepted (RFC 3339).
 */
accepted_at: string | null, 
/**
 * Done (RFC 3339).
 */
done_at: string | null, };

export type VoidReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * Why, in the officer's words.
 */
reason: string, };

export type DraftSaveReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The wizard screen (`new`, `party`, `facts`, `discretion`, `rights`,
 * `preview`, `sign`, `done`).
 */
step: string, 
/**
 * The screens' own JSON of what was typed (kept as given, at most
 * 64 KiB, in the encrypted store).
 */
data: string, };

export type DraftView = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The wizard screen it was saved on.
 */
step: string, 
/**
 * The screens' JSON.
 */
data: string, 
/**
 * When saved (RFC 3339).
 */
saved_at: string, };

export type NormalReq = { 
/**
 * Case id.
 */
case_id: string, };

export type NormalNewReq = { 
/**
 * The catalogue matter code.
 */
matter_code: string, 
/**
 * The party.
 */
party: PartyInput, 
/**
 * Where.
 */
place: string, 
/**
 * The facts as found.
 */
facts: string, 
/**
 * The second officer (the signed-in officer is the first; Art. 42).
 */
partner: string, 
/**
 * Where the case comes from (巡查, 投诉举报, 移送, 交办 …).
 */
source: string, 
/**
 * 违法时间 (Beijing, `YYYY-MM-DDTHH:MM`); default now.
 */
violation_time?: string, };

export type NormalFromCaseReq = { 
/**
 * The simple-procedure case.
 */
case_id: string, };

export type OfficerStep = { "step": "investigate", 
/**
 * What, e.g. `询问笔录`.
 */
act: string, 
/**
 * The record's or evidence's SHA-256.
 */
document?: string, } | { "step": "request_save", 
/**
 * What is to be preserved.
 */
items: string, 
/**
 * Why the evidence may be lost or hard to obtain later.
 */
reason: string, } | { "step": "end_investigation", 
/**
 * The proposed fine, fen.
 */
fine_fen?: number, 
/**
 * Art. 58 grounds found (`public_interest`, `major_rights`, `complex`).
 */
review_grounds: Array<string>, 
/**
 * 情节复杂或者重大违法行为 (Art. 57 ¶2).
 */
complex_or_major: boolean, } | { "step": "inform", 
/**
 * The fine told, fen.
 */
fine_fen: number, 
/**
 * The facts.
 */
facts: string, 
/**
 * The reasons.
 */
reasons: string, 
/**
 * The legal basis.
 */
basis: Array<string>, 
/**
 * Whether the 听证 right was told.
 */
hearing_offered: boolean, } | { "step": "hear_statement", 
/**
 * The 复核.
 */
review: string, 
/**
 * Whether adopted.
 */
adopted: boolean, } | { "step": "waive", 
/**
 * 陈述申辩.
 */
statement: boolean, 
/**
 * 听证.
 */
hearing: boolean, } | { "step": "request_hearing" } | { "step": "serve", 
/**
 * How.
 */
method: string, } | { "step": "confirm_payment", 
/**
 * The amount paid, fen.
 */
amount_fen: number, } | { "step": "remind" };

export type NormalStepReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The step.
 */
step: OfficerStep, 
/**
 * The record written with it (询问笔录, 陈述申辩笔录, 送达回证,
 * 电子送达确认书), rendered into the case's documents.
 */
record?: OfficerRecordInput, };

export type NormalStepView = { 
/**
 * The step in Chinese.
 */
label: string, 
/**
 * The actor's role in Chinese.
 */
role: string, 
/**
 * The actor.
 */
actor: string, 
/**
 * When (RFC 3339).
 */
at: string, 
/**
 * The articles.
 */
basis: string, 
/**
 * 待同步 / 中心已接收 / 中心退回 / 中心作出.
 */
status: string, 
/**
 * The centre's reason for a refused step (naming the article).
 */
message: string | null, };

export type NormalClockView = { 
/**
 * The clock in Chinese.
 */
label: string, 
/**
 * Its last day (`YYYY-MM-DD`).
 */
due: string, 
/**
 * The articles.
 */
basis: string, 
/**
 * `normal`, `yellow`, `red`.
 */
level: string, 
/**
 * A waiting period rather than a deadline.
 */
waiting: boolean, 
/**
 * Its length is a township setting Chongqing has not published: the
 * research's default, shown as such.
 */
unverified: boolean, };

export type NormalView = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * S0–S18.
 */
stage: string, 
/**
 * The stage in Chinese.
 */
stage_label: string, 
/**
 * The centre's act it waits for (待审批).
 */
waiting_for: string | null, 
/**
 * The party.
 */
party_name: string, 
/**
 * The matter.
 */
matter_name: string, 
/**
 * Where.
 */
place: string, 
/**
 * The facts.
 */
facts: string, 
/**
 * The decision's number, once decided.
 */
decision_number: string | null, 
/**
 * The fine told, fen.
 */
told_fine_fen: number | null, 
/**
 * The fine the 负责人 approved (or, before that, proposed), fen.
 */
proposed_fine_fen: number | null, 
/**
 * Whether the hearing right was told.
 */
hearing_offered: boolean, 
/**
 * Every step, in time order.
 */
steps: Array<NormalStepView>, 
/**
 * The open clocks.
 */
clocks: Array<NormalClockView>, 
/**
 * The officer's steps it may take next (request names).
 */
next: Array<string>, 
/**
 * The documents the device made for it, oldest first.
 */
documents: Array<NormalDocView>, };

export type NormalSummary = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * S0–S18.
 */
stage: string, 
/**
 * The stage in Chinese.
 */
stage_label: string, 
/**
 * 待审批.
 */
waiting_for: string | null, 
/**
 * The party, masked.
 */
party_name: string, 
/**
 * The matter.
 */
matter_name: string, 
/**
 * The nearest deadline.
 */
nearest: NormalClockView | null, };

export type SignatureInput = { 
/**
 * `signed` or `refused`.
 */
kind: string, 
/**
 * The signer's name (signed).
 */
signer_name?: string, 
/**
 * The signature as PNG, base64 (signed).
 */
signature_png_base64?: string, 
/**
 * Why the party refused (refused).
 */
refusal_reason?: string, 
/**
 * A witness (见证人, refused).
 */
witness?: string, };

export type QaInput = { 
/**
 * 问.
 */
question: string, 
/**
 * 答.
 */
answer: string, };

export type OfficerRecordInput = { "record": "interview", 
/**
 * Start.
 */
start: string, 
/**
 * End.
 */
end: string, 
/**
 * Where.
 */
place: string, 
/**
 * The interviewee's relation (`当事人本人`, `法定代表人` …).
 */
relation: string, 
/**
 * The questions and answers.
 */
qa: Array<QaInput>, 
/**
 * The interviewee's signature on every page, or the refusal.
 */
signature: SignatureInput, } | { "record": "statement", 
/**
 * Start.
 */
start: string, 
/**
 * End.
 */
end: string, 
/**
 * Where.
 */
place: string, 
/**
 * What the party said.
 */
statement: string, 
/**
 * Evidence offered.
 */
evidence_offered?: string, 
/**
 * The party's signature, or the refusal.
 */
signature: SignatureInput, } | { "record": "service_receipt", 
/**
 * Where.
 */
place: string, 
/**
 * When received.
 */
received_at: string, 
/**
 * 代收人 and relation, if not the party.
 */
proxy?: string, 
/**
 * The signature, or the refusal.
 */
signature: SignatureInput, } | { "record": "inspection", 
/**
 * Start.
 */
start: string, 
/**
 * End.
 */
end: string, 
/**
 * Where.
 */
place: string, 
/**
 * 在场人 if not the party.
 */
present_person?: string, 
/**
 * 见证人.
 */
witness?: string, 
/**
 * 检查情况及结果.
 */
findings: string, 
/**
 * The party's signature, or the refusal.
 */
signature: SignatureInput, } | { "record": "preservation", 
/**
 * The items.
 */
items: Array<PreservedItemInput>, 
/**
 * 保存地点.
 */
storage_place: string, 
/**
 * The party's signature, or the refusal.
 */
signature: SignatureInput, } | { "record": "service_consent", 
/**
 * The channels agreed (`短信 138…` …).
 */
channels: Array<string>, 
/**
 * The documents it covers.
 */
scope: string, 
/**
 * The party's signature.
 */
signature: SignatureInput, };

export type NormalDocView = { 
/**
 * The title, e.g. `询问笔录`.
 */
title: string, 
/**
 * Its number, if it has one.
 */
number: string | null, 
/**
 * SHA-256 of the PDF.
 */
sha256: string, 
/**
 * `待同步` or `已同步`.
 */
status: string, };

export type PreservedItemInput = { 
/**
 * 名称.
 */
name: string, 
/**
 * 规格.
 */
spec?: string, 
/**
 * 数量 with its unit.
 */
quantity: string, };

export type NoPenaltyOptionsReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * Circumstance codes attested on the discretion screen.
 */
circumstances: Array<string>, };

export type NoPenaltyCondition = { 
/**
 * The circumstance code sent back in `attested`.
 */
code: string, 
/**
 * What is attested, in Chinese, citing the article.
 */
label: string, };

export type NoPenaltyGround = { 
/**
 * `under_14` (Art. 30), `incapacity` (Art. 31), `minor` (Art. 33 ¶1,
 * first sentence) or `first_violation` (Art. 33 ¶1, second sentence).
 */
code: string, 
/**
 * The ground in a few words (未满十四周岁, 首违不罚 …).
 */
title: string, 
/**
 * The article, in Chinese (行政处罚法第三十条).
 */
article: string, 
/**
 * The article's words.
 */
article_text: string, 
/**
 * The conditions to attest; all must hold.
 */
conditions: Array<NoPenaltyCondition>, 
/**
 * The order to the guardian as the article words it, when the ground
 * needs one (Art. 30, 31); `null` otherwise.
 */
guardian_order: string | null, 
/**
 * Whether the ground can be chosen for this case.
 */
available: boolean, 
/**
 * Why it cannot, in Chinese; `null` when available.
 */
reason: string | null, 
/**
 * Whether the law says 可以 (the agency's discretion: 首违不罚) rather
 * than 不予 (mandatory).
 */
discretionary: boolean, };

export type NoPenaltyOptions = { 
/**
 * Every ground, in the order of the law.
 */
grounds: Array<NoPenaltyGround>, 
/**
 * The ground the assessment already finds (`under_14` for a child),
 * or `null`.
 */
suggested: string | null, 
/**
 * Quick texts for the 教育 record (Art. 33 ¶3).
 */
education_phrases: Array<string>, };

export type NoPenaltyReq = { 
/**
 * Case id.
 */
case_id: string, 
/**
 * The ground's code (see [`NoPenaltyGround::code`]).
 */
ground: string, 
/**
 * The condition codes the officer attests.
 */
attested: Array<string>, 
/**
 * The 教育 record (Art. 33 ¶3).
 */
education: string, 
/**
 * The order to the guardian (Art. 30, 31).
 */
guardian_order: string | null, };

export type NoPenaltyView = { 
/**
 * The ground with its article, as recorded.
 */
ground: string, 
/**
 * The 教育 record.
 */
education: string, 
/**
 * The order to the guardian, when the ground needs one.
 */
guardian_order: string | null, 
/**
 * When (Beijing, `YYYY-MM-DD HH:MM`).
 */
at: string, 
/**
 * The article the 不予行政处罚决定书 rests on, e.g.
 * `《中华人民共和国行政处罚法》第三十条`; `null` when the case has no
 * written decision (recorded before it was made).
 */
decision_article: string | null, 
/**
 * The decision's number, when the township numbers them.
 */
decision_number: string | null, 
/**
 * Whether the decision was served (signed for or refusal noted).
 */
decision_served: boolean, };

/** Every command: its request and response types. */
export interface Commands {
  app_state: { req: Empty; resp: AppState };
  enrol: { req: SignInReq; resp: OfficerBrief };
  sign_in: { req: SignInReq; resp: OfficerBrief };
  sign_out: { req: Empty; resp: Empty };
  change_pin: { req: ChangePinReq; resp: Empty };
  home: { req: Empty; resp: Home };
  catalogue_search: { req: SearchReq; resp: SearchResp };
  matter_detail: { req: MatterReq; resp: MatterDetail };
  check_id: { req: CheckIdReq; resp: IdCheck };
  identity_read: { req: IdentityReadReq; resp: IdentityRead };
  case_new: { req: NewCaseReq; resp: CaseView };
  case_party_facts: { req: PartyFactsReq; resp: CaseView };
  evidence_add: { req: EvidenceAddReq; resp: EvidenceView };
  case_attach_evidence: { req: AttachReq; resp: CaseView };
  case_suggest: { req: SuggestReq; resp: Suggestion };
  case_show_credentials: { req: CaseReq; resp: CaseView };
  case_inform: { req: InformReq; resp: CaseView };
  case_statement: { req: StatementReq; resp: CaseView };
  case_decide: { req: DecideReq; resp: CaseView };
  case_no_penalty_options: { req: NoPenaltyOptionsReq; resp: NoPenaltyOptions };
  case_no_penalty: { req: NoPenaltyReq; resp: CaseView };
  case_issue: { req: CaseReq; resp: CaseView };
  case_serve: { req: ServeReq; resp: CaseView };
  case_document: { req: CaseReq; resp: DocumentFile };
  case_save_document: { req: CaseReq; resp: SavedFile };
  case_print: { req: TicketReq; resp: TicketView };
  case_print_document: { req: CasePrintReq; resp: TicketView };
  insp_print: { req: InspPrintReq; resp: TicketView };
  case_officer_sign: { req: OfficerSignReq; resp: CaseView };
  officer_signature_set: { req: OfficerSignReq; resp: OfficerSignView };
  case_show_document: { req: CaseReq; resp: CaseView };
  case_issued_document: { req: CaseReq; resp: DocumentFile };
  case_receipt_document: { req: CaseReq; resp: DocumentFile };
  case_payment_qr: { req: CaseReq; resp: PaymentQr };
  case_list: { req: CaseListReq; resp: Array<CaseSummary> };
  case_detail: { req: CaseReq; resp: CaseDetail };
  case_void: { req: VoidReq; resp: CaseView };
  draft_save: { req: DraftSaveReq; resp: Empty };
  draft_get: { req: CaseReq; resp: DraftView | null };
  evidence_list: { req: EvidenceListReq; resp: EvidenceList };
  sync_state: { req: Empty; resp: SyncState };
  sync_status: { req: Empty; resp: SyncStatus };
  sync_enrol: { req: SyncEnrolReq; resp: SyncStatus };
  sync_now: { req: SyncNowReq; resp: SyncStatus };
  sync_network: { req: SyncNetworkReq; resp: SyncLive };
  sync_records: { req: SyncRecordsReq; resp: Array<SyncRecordView> };
  sync_conflicts: { req: Empty; resp: Array<ConflictView> };
  sync_resolve: { req: ResolveConflictReq; resp: ConflictView };
  settings_get: { req: Empty; resp: Settings };
  settings_set_township: { req: SetTownshipReq; resp: Settings };
  insp_scenarios: { req: Empty; resp: Array<ScenarioView> };
  insp_start: { req: InspStartReq; resp: InspectionView };
  insp_get: { req: InspReq; resp: InspectionView };
  insp_list: { req: Empty; resp: Array<InspectionSummary> };
  insp_result: { req: InspResultReq; resp: InspectionView };
  insp_evidence_add: { req: InspEvidenceReq; resp: EvidenceView };
  insp_decide: { req: InspDecideReq; resp: InspectionView };
  insp_finish: { req: InspFinishReq; resp: InspectionView };
  insp_document: { req: InspDocumentReq; resp: DocumentFile };
  insp_badge: { req: InspReq; resp: BadgeView };
  task_list: { req: Empty; resp: Array<TaskView> };
  task_accept: { req: TaskReq; resp: TaskView };
  task_report: { req: TaskReportReq; resp: TaskView };
  normal_list: { req: Empty; resp: Array<NormalSummary> };
  normal_get: { req: NormalReq; resp: NormalView };
  normal_new: { req: NormalNewReq; resp: NormalView };
  normal_from_case: { req: NormalFromCaseReq; resp: NormalView };
  normal_step: { req: NormalStepReq; resp: NormalView };
}

/** Every command's name. */
export const COMMANDS = [
  'app_state',
  'enrol',
  'sign_in',
  'sign_out',
  'change_pin',
  'home',
  'catalogue_search',
  'matter_detail',
  'check_id',
  'identity_read',
  'case_new',
  'case_party_facts',
  'evidence_add',
  'case_attach_evidence',
  'case_suggest',
  'case_show_credentials',
  'case_inform',
  'case_statement',
  'case_decide',
  'case_no_penalty_options',
  'case_no_penalty',
  'case_issue',
  'case_serve',
  'case_document',
  'case_save_document',
  'case_print',
  'case_print_document',
  'insp_print',
  'case_officer_sign',
  'officer_signature_set',
  'case_show_document',
  'case_issued_document',
  'case_receipt_document',
  'case_payment_qr',
  'case_list',
  'case_detail',
  'case_void',
  'draft_save',
  'draft_get',
  'evidence_list',
  'sync_state',
  'sync_status',
  'sync_enrol',
  'sync_now',
  'sync_network',
  'sync_records',
  'sync_conflicts',
  'sync_resolve',
  'settings_get',
  'settings_set_township',
  'insp_scenarios',
  'insp_start',
  'insp_get',
  'insp_list',
  'insp_result',
  'insp_evidence_add',
  'insp_decide',
  'insp_finish',
  'insp_document',
  'insp_badge',
  'task_list',
  'task_accept',
  'task_report',
  'normal_list',
  'normal_get',
  'normal_new',
  'normal_from_case',
  'normal_step',
] as const;

/** Request-level error codes of the sync protocol (protocol/src/error.rs `ErrorKind`). */
export const SYNC_ERROR_KINDS = [
  'bad_request',
  'protocol_version',
  'unauthorized',
  'signature_invalid',
  'refresh_invalid',
  'device_revoked',
  'forbidden',
  'enrol_code_invalid',
  'not_found',
  'seq_gap',
  'offset_mismatch',
  'payload_too_large',
  'chunk_checksum_mismatch',
  'blob_hash_mismatch',
  'finance_signature_invalid',
  'payload_corrupt',
  'lease_refused',
  'method_not_allowed',
  'uri_too_long',
  'range_not_satisfiable',
  'rate_limited',
  'lease_quota',
  'payment_conflict',
  'unavailable',
  'internal',
] as const;

/** Codes of mutations the server rejected (protocol/src/error.rs `RejectCode`). */
export const SYNC_REJECT_CODES = [
  'seq_reuse',
  'dependency_rejected',
  'jurisdiction',
  'unknown_case',
  'case_exists',
  'not_owner',
  'version_conflict',
  'unknown_evidence',
  'number_outside_lease',
  'number_reused',
  'lease_not_granted',
  'invalid_payload',
  'unsupported_mutation',
  'procedure_refused',
] as const;
