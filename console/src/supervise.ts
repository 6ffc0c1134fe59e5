/**
 * The supervision cockpit's pure helpers (issue 18): the period kept in
 * the URL, totals over the townships, the chart's series, and which ids
 * of a clue are cases (they open the dossier) rather than inspections.
 * Fine totals are never ranked or charted (行政处罚法 Art. 74 ¶3): the
 * chart shows case counts only, and townships stay in code order.
 */
import type { LocationQuery } from 'vue-router'
import type { ClueAction, ClueRow, ClueStatus, DeadlineItem, HumanItem, Indicators, RecheckOutcome, ReviewFinding, ReviewResult, Scoring, SuperviseReport } from './api/client'

export interface Period {
  from?: string
  to?: string
  /** A district or township code inside the account's scope (drill-down). */
  scope?: string
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The period in the URL query, if well formed. */
export function periodFromQuery(q: LocationQuery): Period {
  const out: Period = {}
  for (const k of ['from', 'to'] as const) {
    const v = q[k]
    const s = Array.isArray(v) ? v[0] : v
    if (typeof s === 'string' && DAY.test(s)) out[k] = s
  }
  const v = Array.isArray(q.scope) ? q.scope[0] : q.scope
  if (typeof v === 'string' && /^\d{2,12}$/.test(v)) out.scope = v
  return out
}

export interface Totals {
  cases: number
  decided: number
  overdue: number
  flagged: number
  clues: number
}

/** What the cockpit says of its clue list when it holds fewer than the
 * period's clues: how many are shown, and how to see the rest. */
export function cluesNote(r: SuperviseReport): string {
  if (r.clues.length >= r.clues_total) return ''
  return `共 ${r.clues_total} 条线索，此处列出前 ${r.clues.length} 条（按镇街、模型排列）；点击镇街下钻查看该镇街的全部线索，各模型的线索数见下表。`
}

export function totals(r: SuperviseReport): Totals {
  const sum = (f: (i: Indicators) => number) => r.indicators.reduce((n, i) => n + f(i), 0)
  return {
    cases: sum((i) => i.cases),
    decided: sum((i) => i.decided),
    overdue: sum((i) => i.overdue),
    flagged: sum((i) => i.flagged),
    clues: r.clues_total,
  }
}

/** The chart's option: per township (code order), cases, decided, overdue. */
export function chartOption(r: SuperviseReport) {
  const towns = r.indicators.map((i) => i.township)
  const series = [
    { name: '案件', data: r.indicators.map((i) => i.cases) },
    { name: '已决定', data: r.indicators.map((i) => i.decided) },
    { name: '超期', data: r.indicators.map((i) => i.overdue) },
  ]
  return {
    aria: { enabled: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: towns, axisLabel: { rotate: towns.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ ...s, type: 'bar', barMaxWidth: 48 })),
  }
}

/** Case ids look like UUIDs; inspection ids too, so the model says which. */
export function clueOpensCases(model: string): boolean {
  return model !== 'repeated_inspection'
}

/** Mean minutes in words. */
export function minutes(m: number | null | undefined): string {
  if (m === null || m === undefined) return '—'
  if (m < 60) return `${m} 分钟`
  return `${Math.floor(m / 60)} 小时 ${m % 60} 分钟`
}

/** Which side of a clue an account is on (the server decides; this only
 * chooses the buttons): the 司法局 supervisor, or the supervised unit. */
export type Side = 'supervisor' | 'unit' | null

export function sideOf(role: string): Side {
  if (role === 'supervisor') return 'supervisor'
  if (role === 'command_centre' || role === 'approver') return 'unit'
  return null
}

/** The steps open to `side` on a clue in `status`, mirroring
 * server/src/supervise/disposal.rs. */
export function allowedActions(status: ClueStatus, side: Side): ClueAction[] {
  if (side === 'unit') return status === 'simple' || status === 'general' ? ['reply'] : []
  if (side !== 'supervisor') return []
  switch (status) {
    case 'open':
      return ['warn', 'simple', 'general', 'dismiss']
    case 'warned':
      return ['simple', 'general', 'dismiss']
    case 'simple':
      return ['general', 'dismiss']
    case 'replied':
      return ['accept', 'return']
    default:
      return []
  }
}

export const ACTION_ZH: Record<ClueAction, string> = {
  warn: '预警提醒',
  simple: '简易处置（请镇街说明）',
  general: '制发监督意见书',
  reply: '答复 / 报告整改情况',
  accept: '审核通过，办结',
  return: '退回重新整改',
  dismiss: '排除（非问题）',
}

/** Whether the step needs words, and what they are called. */
export function textLabel(a: ClueAction): string | null {
  switch (a) {
    case 'general':
      return '监督意见'
    case 'reply':
      return '答复或整改情况'
    case 'return':
      return '退回理由'
    case 'dismiss':
      return '排除理由'
    default:
      return null
  }
}

/** How a clock's level is shown: red (run out), yellow (near), normal. */
export function levelTag(level: string): { type: 'danger' | 'warning' | 'info'; text: string } {
  if (level === 'red') return { type: 'danger', text: '已超期' }
  if (level === 'yellow') return { type: 'warning', text: '临近到期' }
  return { type: 'info', text: '正常' }
}

const ESCALATION: Record<string, string> = { approver: '负责人', supervisor: '执法监督（司法局）' }

/** Who a clock is escalated to, in words ('—' for none). */
export function escalationText(roles: readonly string[]): string {
  return roles.length === 0 ? '—' : roles.map((r) => ESCALATION[r] ?? r).join('、')
}

/** The days left in words: overdue, due today, or days to go. */
export function daysLeftText(item: Pick<DeadlineItem, 'days_left' | 'waiting'>): string {
  if (item.waiting) return item.days_left > 0 ? `等待期，剩 ${item.days_left} 天` : '等待期已满'
  if (item.days_left < 0) return `已超期 ${-item.days_left} 天`
  if (item.days_left === 0) return '今日到期'
  return `剩 ${item.days_left} 天`
}

/** How many clocks are red and yellow. */
export function deadlineCounts(items: readonly Pick<DeadlineItem, 'level'>[]): { red: number; yellow: number } {
  return {
    red: items.filter((i) => i.level === 'red').length,
    yellow: items.filter((i) => i.level === 'yellow').length,
  }
}

/** How a 评查 item's result is shown. */
export function resultTag(r: ReviewResult): { type: 'success' | 'danger' | 'info' | 'warning'; text: string } {
  switch (r) {
    case 'pass':
      return { type: 'success', text: '符合' }
    case 'fail':
      return { type: 'danger', text: '不符合' }
    case 'not_applicable':
      return { type: 'info', text: '不适用' }
    default:
      return { type: 'warning', text: '待人工评查' }
  }
}

const FINDING_KIND: Record<string, string> = { document: '必备文书', item: '内容要素', deadline: '期限' }

/** The kind of a 100-point-sheet row in words. */
export function findingKind(kind: string): string {
  return FINDING_KIND[kind] ?? kind
}

/** The rows that cost points, largest first, and their sum. */
export function deductions(findings: readonly ReviewFinding[]): { rows: ReviewFinding[]; total: number } {
  const rows = findings.filter((f) => f.deducted > 0).sort((a, b) => b.deducted - a.deducted)
  return { rows, total: rows.reduce((n, f) => n + f.deducted, 0) }
}

/** Which 复查 step (《重庆市行政执法监督条例》第二十一条) an account may
 * offer on a clue: the township's 负责人 applies once a 监督意见书 was
 * issued and none was applied for; the supervisor decides a pending one.
 * The server decides (periods, scope); this only chooses the button. */
export function recheckAction(row: Pick<ClueRow, 'events' | 'recheck' | 'status'>, role: string): 'request' | 'decide' | null {
  if (role === 'approver') {
    const issued = row.events.some((e) => e.action === 'general')
    return issued && !row.recheck && row.status !== 'dismissed' ? 'request' : null
  }
  if (role === 'supervisor') return row.recheck && !row.recheck.outcome ? 'decide' : null
  return null
}

/** A clue's 复查 in words, for its status column. */
export function recheckText(r: ClueRow['recheck']): string {
  if (!r) return ''
  if (r.outcome_zh) return `复查决定：${r.outcome_zh}`
  return `复查中，限 ${r.decision_due} 前决定`
}

export const RECHECK_OUTCOMES: { value: RecheckOutcome; label: string }[] = [
  { value: 'upheld', label: '维持' },
  { value: 'revoked', label: '撤销' },
  { value: 'changed', label: '变更' },
]

/** The scorer's form: every human veto item judged (true: 符合), the
 * points off per deduction item. */
export interface ScoringForm {
  vetoes: Record<string, boolean | null>
  points: Record<string, number>
  notes: Record<string, string>
  comment: string
}

export function emptyScoringForm(items: readonly HumanItem[]): ScoringForm {
  const f: ScoringForm = { vetoes: {}, points: {}, notes: {}, comment: '' }
  for (const i of items) {
    if (i.kind === 'veto') f.vetoes[i.id] = null
    else f.points[i.id] = 0
    f.notes[i.id] = ''
  }
  return f
}

/** The request body, or the first veto item left unjudged. */
export function scoringBody(items: readonly HumanItem[], f: ScoringForm): Scoring | { missing: string } {
  const vetoes = []
  for (const i of items.filter((x) => x.kind === 'veto')) {
    const v = f.vetoes[i.id]
    if (v === null || v === undefined) return { missing: i.text }
    vetoes.push({ id: i.id, passed: v, note: f.notes[i.id] ?? '' })
  }
  const deductions = items
    .filter((x) => x.kind === 'deduction' && (f.points[x.id] ?? 0) > 0)
    .map((x) => ({ id: x.id, points: Math.floor(f.points[x.id] ?? 0), note: f.notes[x.id] ?? '' }))
  return { vetoes, deductions, comment: f.comment }
}

/** The score and grade the form would give (the server's rule, shown
 * before submitting): the machine's score less the points; 不合格 on a
 * failed veto; thresholds from the grade basis' defaults. */
export function previewScore(auto: number, autoVetoPassed: boolean, f: ScoringForm, t = { excellent: 90, good: 80, pass: 60 }): { score: number; grade: string } {
  const off = Object.values(f.points).reduce((n, p) => n + Math.max(0, Math.floor(p || 0)), 0)
  const score = Math.max(0, auto - off)
  const vetoed = !autoVetoPassed || Object.values(f.vetoes).some((v) => v === false)
  const grade = vetoed ? '不合格' : score >= t.excellent ? '优秀' : score >= t.good ? '良好' : score >= t.pass ? '合格' : '不合格'
  return { score, grade }
}

/** A mean score in tenths as text. */
export function tenths(t: number | null | undefined): string {
  return t === null || t === undefined ? '—' : (t / 10).toFixed(1)
}
