// The officer's part of a normal-procedure case (普通程序): the forms of
// each step and the request each sends. Money is integer fen; the
// procedure core decides whether a step is lawful (offline, then again at
// the centre) and its error names the article.
import type { OfficerStep } from './bindings/api'
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
  }
}

/** The acts of investigation an officer records (行政处罚法 Art. 54, 55). */
export const ACTS = ['询问笔录', '现场检查（勘验）笔录', '抽样取证', '视听资料', '书证物证'] as const

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
