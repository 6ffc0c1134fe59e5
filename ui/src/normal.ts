// The officer's part of a normal-procedure case (普通程序): the forms of
// each step and the request each sends. Money is integer fen; the
// procedure core decides whether a step is lawful (offline, then again at
// the centre) and its error names the article.
import type { OfficerRecordInput, OfficerStep, SignatureInput } from './bindings/api'
import { parseYuan } from './util/format'

/** What the step sheet collects (each step reads its own fields). */
export interface StepForm {
  act: string
  fineYuan: string
  grounds: string[]
  complex: boolean
  facts: string
  reasons: string
  basis: string
  hearingOffered: boolean
  review: string
  adopted: boolean
  waiveStatement: boolean
  waiveHearing: boolean
  method: string
  paidYuan: string
  /** 询问笔录: the questions and answers. */
  qa: { question: string; answer: string }[]
  /** 被询问人身份. */
  relation: string
  /** Start and end of an interview or statement (`YYYY-MM-DDTHH:MM`, Beijing). */
  start: string
  end: string
  /** Where the interview, statement or service took place. */
  recordPlace: string
  /** 陈述申辩: the party's words, and evidence offered. */
  statement: string
  evidenceOffered: string
  /** 电子送达: the channels and the documents covered. */
  channels: string
  scope: string
  /** 先行登记保存: the items, one a line (`名称 数量`), why, and where kept. */
  saveItems: string
  saveReason: string
  storagePlace: string
  /** 现场检查（勘验）笔录: 检查情况及结果. */
  findings: string
}

/** `YYYY-MM-DDTHH:MM` in Beijing time, `minutes` from `now`. */
export function beijingMinute(now: Date, minutes = 0): string {
  const t = new Date(now.getTime() + (minutes + 8 * 60) * 60_000)
  return t.toISOString().slice(0, 16)
}

export function emptyStepForm(): StepForm {
  return {
    act: '询问笔录',
    fineYuan: '',
    grounds: [],
    complex: false,
    facts: '',
    reasons: '',
    basis: '',
    hearingOffered: false,
    review: '',
    adopted: false,
    waiveStatement: true,
    waiveHearing: true,
    method: 'direct',
    paidYuan: '',
    qa: [{ question: '', answer: '' }],
    relation: '当事人本人',
    start: '',
    end: '',
    recordPlace: '',
    statement: '',
    evidenceOffered: '',
    channels: '',
    scope: '行政处罚决定书及本案其他执法文书',
    saveItems: '',
    saveReason: '',
    storagePlace: '',
    findings: '',
  }
}

/** The party's signature as the backend takes it (a refusal or the pad's PNG). */
export interface Signed {
  kind: 'signed' | 'refused'
  signer_name: string | null
  signature_png_base64: string | null
  refusal_reason: string | null
  witness: string | null
}

function signature(s: Signed): SignatureInput {
  return {
    kind: s.kind,
    signer_name: s.signer_name ?? undefined,
    signature_png_base64: s.signature_png_base64 ?? undefined,
    refusal_reason: s.refusal_reason ?? undefined,
    witness: s.witness ?? undefined,
  }
}

/** Whether step `name` with the form `f` carries a signed record (and so shows the pad). */
export function needsRecord(name: string, f: StepForm): boolean {
  if (name === 'investigate') return f.act === '询问笔录' || f.act === SAVE_NOTICE || f.act === INSPECTION
  if (name === 'hear_statement') return f.statement.trim() !== ''
  if (name === 'serve') return f.method !== 'post'
  return false
}

/**
 * The record written with step `name` (询问笔录, 陈述申辩笔录, 送达回证,
 * 电子送达确认书), `null` when the step has none, or what is missing.
 * `sig` is the party's signature or refusal, `null` while unsigned.
 */
export function officerRecord(name: string, f: StepForm, sig: Signed | null): OfficerRecordInput | null | string {
  if (!needsRecord(name, f)) return null
  if (!sig) return '请当事人签名，或注明拒绝签名的情况'
  if (sig.kind === 'signed' && !sig.signer_name?.trim()) return '请填写签名人姓名'
  if (sig.kind === 'refused' && !sig.refusal_reason?.trim()) return '请注明拒绝签名的情况'
  if (name === 'serve') {
    if (f.method === 'electronic') {
      if (sig.kind !== 'signed') return '电子送达须经当事人签名同意（行政处罚法第六十一条第二款）'
      const channels = f.channels.split(/[；;\n]+/).map((c) => c.trim()).filter(Boolean)
      if (channels.length === 0) return '请填写当事人同意的电子送达方式（如手机号码）'
      return { record: 'service_consent', channels, scope: f.scope.trim(), signature: signature(sig) }
    }
    if (f.method === 'left_at_address' && sig.kind !== 'refused') return '留置送达须为受送达人拒绝签收（民事诉讼法第八十九条）'
    if (!f.recordPlace.trim()) return '请填写送达地点'
    return { record: 'service_receipt', place: f.recordPlace.trim(), received_at: f.end, signature: signature(sig) }
  }
  if (name === 'investigate' && f.act === SAVE_NOTICE) {
    const items = parseItems(f.saveItems)
    if (!items) return '清单每行写一项：名称 数量（如：脚手架钢管 40根）'
    if (!f.storagePlace.trim()) return '请填写保存地点'
    return { record: 'preservation', items, storage_place: f.storagePlace.trim(), signature: signature(sig) }
  }
  if (!f.start || !f.end) return '请填写开始和结束时间'
  if (f.end < f.start) return '结束时间不能早于开始时间'
  if (!f.recordPlace.trim()) return '请填写地点'
  if (name === 'investigate' && f.act === INSPECTION) {
    if (!f.findings.trim()) return '请填写检查情况及结果'
    return { record: 'inspection', start: f.start, end: f.end, place: f.recordPlace.trim(), findings: f.findings.trim(), signature: signature(sig) }
  }
  if (name === 'investigate') {
    const qa = f.qa.map((x) => ({ question: x.question.trim(), answer: x.answer.trim() }))
    if (qa.length === 0 || qa.some((x) => !x.question || !x.answer)) return '询问笔录每一问都须有问有答'
    if (!f.relation.trim()) return '请填写被询问人身份'
    return { record: 'interview', start: f.start, end: f.end, place: f.recordPlace.trim(), relation: f.relation.trim(), qa, signature: signature(sig) }
  }
  return {
    record: 'statement',
    start: f.start,
    end: f.end,
    place: f.recordPlace.trim(),
    statement: f.statement.trim(),
    evidence_offered: f.evidenceOffered.trim() || undefined,
    signature: signature(sig),
  }
}

/** The acts of investigation an officer records (行政处罚法 Art. 54, 55). */
export const ACTS = ['询问笔录', '先行登记保存通知书及清单', '现场检查（勘验）笔录', '抽样取证', '视听资料', '书证物证'] as const

/** The act whose record is the 现场检查（勘验）笔录 (行政处罚法第五十五条). */
export const INSPECTION = '现场检查（勘验）笔录'

/** The act whose record is the 先行登记保存 notice (行政处罚法第五十六条). */
export const SAVE_NOTICE = '先行登记保存通知书及清单'

/** The 清单 as typed, one item a line, `名称 数量` (the quantity last). */
export function parseItems(text: string): { name: string; quantity: string }[] | null {
  const lines = text.split(/\n+/).map((l) => l.trim()).filter(Boolean)
  const items = lines.map((l) => {
    const m = /^(.+?)\s+(\S+)$/.exec(l)
    return m ? { name: m[1].trim(), quantity: m[2] } : null
  })
  return items.length > 0 && items.every((i) => i !== null) ? (items as { name: string; quantity: string }[]) : null
}

/** The Art. 58 grounds (法制审核) the 调查终结报告 may find. */
export const REVIEW_GROUNDS = [
  { code: 'public_interest', label: '涉及重大公共利益' },
  { code: 'major_rights', label: '直接关系当事人或者第三人重大权益，经过听证程序' },
  { code: 'complex', label: '案件情况疑难复杂、涉及多个法律关系' },
] as const

/** The step a sheet sends, or what is missing. */
export function officerStep(name: string, f: StepForm): OfficerStep | string {
  switch (name) {
    case 'investigate':
      return f.act.trim() ? { step: 'investigate', act: f.act.trim() } : '请选择调查取证的方式'
    case 'request_save':
      if (!f.saveItems.trim() || !f.saveReason.trim()) return '请填写拟先行登记保存的物品和理由（行政处罚法第五十六条）'
      return { step: 'request_save', items: f.saveItems.trim(), reason: f.saveReason.trim() }
    case 'end_investigation': {
      if (f.fineYuan.trim() === '') return { step: 'end_investigation', review_grounds: f.grounds, complex_or_major: f.complex }
      const fen = parseYuan(f.fineYuan)
      if (fen === null || fen <= 0) return '拟罚款金额应为元，最多两位小数'
      return { step: 'end_investigation', fine_fen: fen, review_grounds: f.grounds, complex_or_major: f.complex }
    }
    case 'inform': {
      const fen = parseYuan(f.fineYuan)
      if (fen === null || fen <= 0) return '请填写拟罚款金额'
      if (!f.facts.trim() || !f.reasons.trim() || !f.basis.trim()) return '告知书须载明事实、理由和依据（行政处罚法第四十四条）'
      const basis = f.basis.split(/[；;\n]+/).map((b) => b.trim()).filter(Boolean)
      return { step: 'inform', fine_fen: fen, facts: f.facts.trim(), reasons: f.reasons.trim(), basis, hearing_offered: f.hearingOffered }
    }
    case 'hear_statement':
      return f.review.trim() ? { step: 'hear_statement', review: f.review.trim(), adopted: f.adopted } : '请填写复核意见'
    case 'waive':
      return f.waiveStatement || f.waiveHearing ? { step: 'waive', statement: f.waiveStatement, hearing: f.waiveHearing } : '请选择当事人放弃的权利'
    case 'request_hearing':
      return { step: 'request_hearing' }
    case 'serve':
      return { step: 'serve', method: f.method }
    case 'confirm_payment': {
      const fen = parseYuan(f.paidYuan)
      return fen === null || fen <= 0 ? '请填写实缴金额' : { step: 'confirm_payment', amount_fen: fen }
    }
    case 'remind':
      return { step: 'remind' }
    default:
      return '此步骤由中心办理'
  }
}
