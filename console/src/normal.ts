/**
 * The normal procedure (普通程序) on the console: which steps each role
 * takes (the server's `console_role`, server/src/procedure/routes.rs — the
 * server decides, this only offers the buttons), the steps a case in a
 * stage may want next, and how a clock is shown. Wire types are generated.
 */
import type { components } from './api/schema'

export type CaseSummary = components['schemas']['CaseSummary']
export type CaseView = components['schemas']['CaseView']
export type ClockView = components['schemas']['ClockView']
export type StepView = components['schemas']['StepView']
export type EventKind = components['schemas']['EventKind']
export type StepName = EventKind['step']

/** The steps of each console role (行政机关负责人, 审核人/法制审核人员/主持人, 档案员). */
const ROLE_STEPS: Record<string, StepName[]> = {
  approver: [
    'file',
    'decline_filing',
    'register_save',
    'dispose_save',
    'seize',
    'extend_seizure',
    'release_seizure',
    'approve_proposal',
    'discuss_collectively',
    'extend_decision',
    'decide',
    'approve_deferral',
    'remind',
    'apply_to_court',
    'close',
    'withdraw',
    'revoke',
  ],
  legal_review: ['review_case', 'submit_legal_review', 'legal_review', 'notice_hearing', 'hold_hearing', 'publish'],
  administrator: ['archive'],
}

/** The steps a role may take at all. */
export function stepsOfRole(role: string): StepName[] {
  return ROLE_STEPS[role] ?? []
}

/** What a case in `stage` usually needs next from the centre, in order. */
const NEXT: Record<string, StepName[]> = {
  case_source: ['file', 'decline_filing'],
  filed: ['withdraw'],
  investigating: ['withdraw', 'extend_decision'],
  investigation_ended: ['review_case'],
  case_reviewed: ['approve_proposal'],
  proposal_approved: [],
  informed: [],
  statement_heard: ['submit_legal_review', 'legal_review', 'discuss_collectively', 'decide', 'extend_decision'],
  hearing: ['notice_hearing', 'hold_hearing', 'submit_legal_review', 'legal_review', 'decide'],
  legal_reviewed: ['discuss_collectively', 'decide'],
  collectively_discussed: ['decide'],
  decided: ['publish', 'revoke'],
  served: ['publish', 'close', 'remind', 'revoke'],
  published: ['close', 'approve_deferral', 'remind', 'revoke'],
  executing: ['publish', 'close', 'remind', 'apply_to_court', 'revoke'],
  reminded: ['apply_to_court', 'revoke'],
  court_applied: ['close', 'revoke'],
  closed: ['archive', 'revoke'],
  revoked: ['archive'],
}

/** The steps `role` is offered on a case in `stage` that waits for `waiting`. */
export function offered(role: string, stage: string, waiting: string[] = []): StepName[] {
  const mine = new Set(stepsOfRole(role))
  const next: StepName[] = [...(NEXT[stage] ?? [])]
  // The officer asked for a 先行登记保存 (行政处罚法第五十六条).
  if (waiting.includes('先行登记保存审批')) next.unshift('register_save')
  return next.filter((s) => mine.has(s))
}

/** Each step's name on its button. */
export const STEP_LABEL: Partial<Record<StepName, string>> = {
  file: '批准立案',
  decline_filing: '不予立案',
  withdraw: '撤销立案',
  review_case: '案件审核',
  approve_proposal: '审批拟处理意见',
  submit_legal_review: '受理法制审核',
  legal_review: '出具法制审核意见',
  notice_hearing: '听证通知',
  hold_hearing: '记录听证',
  discuss_collectively: '集体讨论',
  extend_decision: '延长办案期限',
  decide: '作出处罚决定',
  publish: '公示',
  approve_deferral: '批准延期（分期）缴纳',
  remind: '催告',
  apply_to_court: '申请法院强制执行',
  close: '批准结案',
  archive: '归档',
  register_save: '批准先行登记保存',
  revoke: '撤销处罚决定',
}

/** What confirming each step means, with its article (shown in the dialog). */
export const STEP_NOTE: Partial<Record<StepName, string>> = {
  file: '以行政机关负责人身份批准立案，办案期限自立案之日起计算（《行政处罚法》第五十四条第二款、第六十条）。',
  decline_filing: '以行政机关负责人身份决定不予立案（《行政处罚法》第五十四条第二款）。',
  withdraw: '以行政机关负责人身份撤销立案。',
  register_save: '以行政机关负责人身份批准先行登记保存；应当在七个工作日内作出处理决定（《行政处罚法》第五十六条、第八十五条）。',
  review_case: '以审核人身份审核调查终结报告；退回的案件回到调查取证。',
  approve_proposal: '以行政机关负责人身份批准拟处理意见，之后由执法人员事先告知当事人（《行政处罚法》第五十七条、第四十四条）。',
  submit_legal_review: '受理法制审核，法制审核期限自此计算（《行政处罚法》第五十八条）。',
  legal_review: '以法制审核人员身份出具审核意见；未通过的案件回到调查取证（《行政处罚法》第五十八条）。',
  discuss_collectively: '记录行政机关负责人集体讨论的参加人员与结论（《行政处罚法》第五十七条第二款）。',
  extend_decision: '以行政机关负责人身份延长办案期限（《行政处罚法》第六十条）。',
  decide: '以行政机关负责人身份作出决定；中心编定文号、生成决定书并加盖电子签章（《行政处罚法》第五十七条、第五十九条）。',
  publish: '公示行政处罚决定，个人信息依法遮蔽（《行政处罚法》第四十八条）。',
  close: '以行政机关负责人身份批准结案。',
  revoke:
    '以行政机关负责人身份记录处罚决定被变更、撤销、确认违法或者确认无效（复议决定、判决或者自行纠错）；已公示的决定在记录的同时撤下公示（《行政处罚法》第四十八条第二款：三个工作日内）。此后只能归档。',
  archive: '以档案员身份归档：生成卷宗（封面、卷内目录、文书、证据清单、办案过程记录）（《行政处罚法》第四十七条）。',
  remind: '缴款期限届满仍未缴纳的，以行政机关书面催告当事人履行；中心生成催告书，载明罚款及截至今日的加处罚款（《行政强制法》第三十五条、第五十四条，《行政处罚法》第七十二条第一款第一项）。',
  apply_to_court: '以行政机关负责人身份申请人民法院强制执行；中心生成由负责人签名并加盖电子签章的强制执行申请书（《行政强制法》第五十三条至第五十五条）。',
  approve_deferral: '以行政机关负责人身份批准延期或者分期缴纳罚款（《行政处罚法》第六十六条第二款）。',
  notice_hearing: '以听证主持人身份通知听证，通知应在听证七个工作日前送达（《行政处罚法》第六十四条）。',
  hold_hearing: '以听证主持人身份记录听证（《行政处罚法》第六十四条、第六十五条）。',
}

/** The tag type of a clock's level. */
export function levelTag(level: string): 'danger' | 'warning' | 'success' {
  if (level === 'red') return 'danger'
  if (level === 'yellow') return 'warning'
  return 'success'
}

/** A clock in words: `办案期限（作出决定） 2026-06-08（已超期）`. */
export function clockText(c: ClockView): string {
  const state = c.waiting ? '（等待期）' : c.level === 'red' ? '（已超期）' : c.level === 'yellow' ? '（临近）' : ''
  return `${c.label} ${c.due}${state}`
}

/** The 法制审核 checklist (research §1.5: 主体、事实、证据、依据、程序、裁量). */
export const REVIEW_CHECKLIST = [
  '执法主体合法、执法人员具备资格',
  '案件事实清楚',
  '证据确凿充分',
  '适用法律依据正确',
  '程序合法',
  '裁量基准适用适当',
  '执法文书规范完备',
] as const

/** The 法制审核 outcome (通过 / 退回补充调查 / 修改后再报) as the step sends it. */
export function reviewStep(
  outcome: 'pass' | 'return' | 'revise',
  checked: readonly string[],
  opinion: string,
): Extract<EventKind, { step: 'legal_review' }> {
  const failed = REVIEW_CHECKLIST.filter((c) => !checked.includes(c))
  const head = outcome === 'pass' ? '审核通过' : outcome === 'return' ? '退回补充调查' : '修改后再报'
  const notes = failed.length > 0 ? `；不符合项：${failed.join('、')}` : '；各审核项均符合'
  return {
    step: 'legal_review',
    // The server puts the reviewer's own 法律职业资格 number here.
    qualification: '',
    passed: outcome === 'pass',
    opinion: `${head}${notes}。${opinion.trim()}`,
    checklist: REVIEW_CHECKLIST.map((point) => ({ point, finding: checked.includes(point) ? '符合' : '不符合' })),
  }
}

/** The penalty a case's 事先告知 told (a decision may not be heavier). */
export function toldFineFen(view: CaseView): number | null {
  const state = view.state as { told?: { penalty?: { fine_fen?: number } } | null }
  return state.told?.penalty?.fine_fen ?? null
}

/** What a step dialog collects (only the fields its step uses are read). */
export interface StepForm {
  reason: string
  opinion: string
  passed: boolean
  outcome: 'pass' | 'return' | 'revise'
  checked: string[]
  attendees: string
  conclusion: string
  days: number
  decision: 'penalty' | 'no_penalty_minor' | 'not_established' | 'transfer'
  fineYuan: string
  until: string
  hearingOn: string
  /** 听证开始时间 `HH:MM` (Beijing); empty: not stated. */
  hearingTime: string
  /** 听证地点 (《行政处罚法》第六十四条第二项). */
  hearingPlace: string
  presider: string
  partyAttended: boolean
  /** The 听证笔录 (第六十四条第七项、第八项). */
  recorder: string
  agent: string
  investigatorsCase: string
  partyStatement: string
  crossExamination: string
  /** Whether the party (or agent) signed the 笔录 or refused. */
  minutesSigned: 'signed' | 'refused'
  signedBy: string
  refusalNote: string
  /** The presider's opinion: the 听证报告 (empty: no report yet). */
  hearingOpinion: string
  items: string
  source: string
  /** 分期: one instalment a line, `2026-04-30 1500` (date, 元); empty for a 延期. */
  instalments: string
}

export function emptyForm(): StepForm {
  return {
    reason: '',
    opinion: '',
    passed: true,
    outcome: 'pass',
    checked: [...REVIEW_CHECKLIST],
    attendees: '',
    conclusion: '',
    days: 30,
    decision: 'penalty',
    fineYuan: '',
    until: '',
    hearingOn: '',
    hearingTime: '',
    hearingPlace: '',
    presider: '',
    partyAttended: true,
    recorder: '',
    agent: '',
    investigatorsCase: '',
    partyStatement: '',
    crossExamination: '',
    minutesSigned: 'signed',
    signedBy: '',
    refusalNote: '',
    hearingOpinion: '',
    items: '',
    source: '',
    instalments: '',
  }
}

/** 元 as typed (`8000`, `8000.5`, `8,000.50`) to integer fen, without
 * floating point; `null` when it is not an amount. */
export function yuanToFen(text: string): number | null {
  const t = text.replace(/[,，\s]/g, '')
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(t)
  if (!m) return null
  const cents = (m[2] ?? '').padEnd(2, '0')
  return Number(m[1]) * 100 + Number(cents)
}

export type Instalment = components['schemas']['Instalment']

/** A 分期 plan as typed, one instalment a line (`2026-04-30 1500` or
 * `2026-04-30，1,500.00元`), to instalments in fen; the reason it is not a
 * plan otherwise. Whether it adds up to the fine is the server's question
 * (《行政处罚法》第六十六条第二款). */
export function parseInstalments(text: string): Instalment[] | string {
  const lines = text
    .split(/\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  const out: Instalment[] = []
  for (const [i, line] of lines.entries()) {
    const m = /^(\d{4}-\d{2}-\d{2})[\s,，]+(.+?)元?$/.exec(line)
    const fen = m ? yuanToFen(m[2]) : null
    if (!m || fen === null || fen <= 0) return `第${i + 1}行应为“缴纳日 金额（元）”，如 2026-04-30 1500`
    out.push({ due: m[1], amount_fen: fen })
  }
  if (out.length === 1) return '分期缴纳至少分为两期；一次缴清的请只填最后缴纳日'
  return out
}

/** The reason a required text is missing, or `null`. */
function need(v: string, what: string): string | null {
  return v.trim() ? null : `请填写${what}`
}

/** `09:30` to the wire's `09:30:00`; `null` when blank, `undefined` when
 * it is not a time. */
export function hearingTime(text: string): string | null | undefined {
  const t = text.trim()
  if (!t) return null
  const m = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/.exec(t)
  if (!m) return undefined
  return `${m[1].padStart(2, '0')}:${m[2]}:00`
}

export type HearingMinutes = components['schemas']['HearingMinutes']

/** The 听证笔录 as typed (《行政处罚法》第六十四条第七项、第八项): a hearing
 * the party attended records the investigators' case, the party's 申辩
 * and 质证, and the signature or the presider's note of a refusal; the
 * reason it cannot be sent otherwise. An absent party (第六十四条第六项)
 * needs none of it. */
export function hearingMinutes(f: StepForm): HearingMinutes | string {
  const attendees = f.attendees.split(/[,，、\n]+/).map((a) => a.trim()).filter(Boolean)
  const opinion = f.hearingOpinion.trim()
  if (!f.partyAttended) return { attendees, opinion, signature: { kind: 'unrecorded' } }
  const missing =
    need(f.investigatorsCase, '调查人员提出的事实、证据和处罚建议') ??
    need(f.partyStatement, '当事人的陈述和申辩') ??
    need(f.crossExamination, '质证情况') ??
    (f.minutesSigned === 'signed' ? need(f.signedBy, '签字（盖章）的当事人或代理人') : need(f.refusalNote, '听证主持人对拒绝签字的注明'))
  if (missing) return missing
  const agent = f.agent.trim()
  return {
    attendees,
    recorder: f.recorder.trim(),
    agent: agent || null,
    investigators_case: f.investigatorsCase.trim(),
    party_statement: f.partyStatement.trim(),
    cross_examination: f.crossExamination.trim(),
    signature: f.minutesSigned === 'signed' ? { kind: 'signed', by: f.signedBy.trim() } : { kind: 'refused', note: f.refusalNote.trim() },
    opinion,
  }
}

/** The step a dialog sends, or the reason it cannot be sent yet. */
export function buildStep(name: StepName, f: StepForm): EventKind | string {
  switch (name) {
    case 'decline_filing':
    case 'withdraw':
    case 'close':
      return need(f.reason, '理由') ?? { step: name, reason: f.reason.trim() }
    case 'revoke':
      return (
        need(f.reason, '撤销理由') ??
        need(f.source, '撤销依据（复议决定书、判决书文号或者自行纠错）') ?? { step: 'revoke', reason: f.reason.trim(), source: f.source.trim() }
      )
    case 'review_case':
      return need(f.opinion, '审核意见') ?? { step: 'review_case', passed: f.passed, opinion: f.opinion.trim() }
    case 'legal_review':
      return reviewStep(f.outcome, f.checked, f.opinion)
    case 'discuss_collectively': {
      const attendees = f.attendees.split(/[,，、\s]+/).filter(Boolean)
      if (attendees.length === 0) return '请填写参加讨论的人员'
      return need(f.conclusion, '讨论结论') ?? { step: 'discuss_collectively', attendees, conclusion: f.conclusion.trim() }
    }
    case 'extend_decision':
      if (!Number.isInteger(f.days) || f.days < 1) return '延长天数应为正整数'
      return need(f.reason, '延长理由') ?? { step: 'extend_decision', days: f.days, reason: f.reason.trim() }
    case 'decide': {
      if (f.decision !== 'penalty') return { step: 'decide', outcome: { outcome: f.decision }, number: '' }
      const fen = yuanToFen(f.fineYuan)
      if (fen === null || fen <= 0) return '请填写罚款金额（元，最多两位小数）'
      return { step: 'decide', outcome: { outcome: 'penalty', penalty: { kinds: ['fine'], fine_fen: fen, confiscation_fen: 0 } }, number: '' }
    }
    case 'approve_deferral': {
      const plan = parseInstalments(f.instalments)
      if (typeof plan === 'string') return plan
      const last = plan[plan.length - 1]
      // A 分期 plan ends on its last instalment's day.
      if (last) return { step: 'approve_deferral', until: last.due, instalments: plan }
      return need(f.until, '延期（分期）的最后缴纳日') ?? { step: 'approve_deferral', until: f.until }
    }
    case 'notice_hearing': {
      const missing = need(f.hearingOn, '听证日期') ?? need(f.hearingPlace, '听证地点') ?? need(f.presider, '听证主持人')
      if (missing) return missing
      const time = hearingTime(f.hearingTime)
      if (time === undefined) return '听证时间应为“时:分”，如 09:30'
      return { step: 'notice_hearing', hearing_on: f.hearingOn, presider: f.presider.trim(), place: f.hearingPlace.trim(), time }
    }
    case 'register_save':
      return need(f.items, '先行登记保存的物品') ?? { step: 'register_save', items: f.items.trim() }
    case 'hold_hearing': {
      const minutes = hearingMinutes(f)
      if (typeof minutes === 'string') return minutes
      return { step: 'hold_hearing', party_attended: f.partyAttended, minutes }
    }
    case 'file':
    case 'approve_proposal':
    case 'submit_legal_review':
    case 'publish':
    case 'remind':
    case 'apply_to_court':
    case 'archive':
      return { step: name }
    default:
      return '此步骤由执法人员在终端办理'
  }
}
