import { describe, expect, it } from 'vitest'
import type { SuperviseReport } from '../src/api/client'
import {
  emptyScoringForm,
  previewScore,
  recheckAction,
  recheckText,
  scoringBody,
  allowedActions,
  chartOption,
  clueOpensCases,
  daysLeftText,
  deadlineCounts,
  deductions,
  escalationText,
  findingKind,
  levelTag,
  resultTag,
  minutes,
  periodFromQuery,
  cluesNote,
  sideOf,
  textLabel,
  totals,
} from '../src/supervise'

function ind(township: string, cases: number, decided: number, overdue: number, flagged: number, fines: number) {
  return {
    township,
    cases,
    simple: cases,
    normal: 0,
    open: cases - decided,
    decided,
    penalties: decided,
    no_penalty: 0,
    first_violation_no_penalty: 0,
    closed: 0,
    overdue,
    flagged,
    voided: 0,
    avg_minutes_to_decision: 12,
    fines_fen_information_only: fines,
    inspections: 0,
    inspection_items: 0,
  }
}

const report: SuperviseReport = {
  scope: '500112',
  from: '2026-01-01',
  to: '2026-12-31',
  as_of: '2026-12-07',
  indicators: [ind('500112108', 7, 6, 2, 1, 900_000), ind('500112109', 3, 1, 0, 0, 5_000)],
  models: [{ name: 'peer_dispersion', title: '同案不同罚', basis: '第五条', clues: 1 }],
  clues: [{ id: 'k1', model: 'peer_dispersion', township: '500112108', cases: ['c1'], reason: '远高于同类' }],
  clues_total: 1,
  deadlines: { as_of: '2026-12-07', items: [], unavailable: [] },
}

describe('the supervision cockpit', () => {
  it('keeps only well-formed days of the period from the URL', () => {
    expect(periodFromQuery({ from: '2026-01-01', to: 'yesterday' })).toEqual({ from: '2026-01-01' })
    expect(periodFromQuery({ from: ['2026-02-01', 'x'] })).toEqual({ from: '2026-02-01' })
    expect(periodFromQuery({})).toEqual({})
  })

  it('keeps a drill-down scope only when it is a code', () => {
    expect(periodFromQuery({ scope: '500112108' })).toEqual({ scope: '500112108' })
    expect(periodFromQuery({ scope: '5001x' })).toEqual({})
    expect(periodFromQuery({ scope: '' })).toEqual({})
  })

  it('adds the townships up', () => {
    expect(totals(report)).toEqual({ cases: 10, decided: 7, overdue: 2, flagged: 1, clues: 1 })
  })

  it('counts every clue of the period, and says so when it lists fewer', () => {
    expect(cluesNote(report)).toBe('')
    const big = { ...report, clues_total: 40_610 }
    expect(totals(big).clues).toBe(40_610)
    expect(cluesNote(big)).toContain('共 40610 条线索，此处列出前 1 条')
  })

  it('charts counts per township in code order, never the fines', () => {
    const o = chartOption(report)
    expect(o.xAxis.data).toEqual(['500112108', '500112109'])
    expect(o.series.map((s) => s.name)).toEqual(['案件', '已决定', '超期'])
    expect(o.series[0]?.data).toEqual([7, 3])
    expect(JSON.stringify(o)).not.toContain('900000')
    expect(o.aria.enabled).toBe(true)
  })

  it('links case clues to dossiers but not inspection clues', () => {
    expect(clueOpensCases('peer_dispersion')).toBe(true)
    expect(clueOpensCases('repeated_inspection')).toBe(false)
  })

  it('says minutes in words', () => {
    expect(minutes(null)).toBe('—')
    expect(minutes(45)).toBe('45 分钟')
    expect(minutes(125)).toBe('2 小时 5 分钟')
  })
})

describe('clue disposal buttons', () => {
  it('gives each side only its own steps, as the server does', () => {
    expect(sideOf('supervisor')).toBe('supervisor')
    expect(sideOf('approver')).toBe('unit')
    expect(sideOf('command_centre')).toBe('unit')
    expect(sideOf('department')).toBeNull()
    expect(allowedActions('open', 'supervisor')).toEqual(['warn', 'simple', 'general', 'dismiss'])
    expect(allowedActions('open', 'unit')).toEqual([])
    expect(allowedActions('general', 'unit')).toEqual(['reply'])
    expect(allowedActions('general', 'supervisor')).toEqual([])
    expect(allowedActions('replied', 'supervisor')).toEqual(['accept', 'return'])
    expect(allowedActions('closed', 'supervisor')).toEqual([])
    expect(allowedActions('simple', null)).toEqual([])
  })

  it('asks for words where the server requires them', () => {
    expect(textLabel('general')).toBe('监督意见')
    expect(textLabel('reply')).not.toBeNull()
    expect(textLabel('warn')).toBeNull()
    expect(textLabel('accept')).toBeNull()
  })
})

describe('the deadline monitor', () => {
  it('colours red, yellow and normal clocks', () => {
    expect(levelTag('red')).toEqual({ type: 'danger', text: '已超期' })
    expect(levelTag('yellow')).toEqual({ type: 'warning', text: '临近到期' })
    expect(levelTag('normal')).toEqual({ type: 'info', text: '正常' })
  })

  it('names who a clock escalates to', () => {
    expect(escalationText([])).toBe('—')
    expect(escalationText(['approver'])).toBe('负责人')
    expect(escalationText(['approver', 'supervisor'])).toBe('负责人、执法监督（司法局）')
  })

  it('says how many days are left', () => {
    expect(daysLeftText({ days_left: -2, waiting: false })).toBe('已超期 2 天')
    expect(daysLeftText({ days_left: 0, waiting: false })).toBe('今日到期')
    expect(daysLeftText({ days_left: 5, waiting: false })).toBe('剩 5 天')
    expect(daysLeftText({ days_left: 3, waiting: true })).toBe('等待期，剩 3 天')
    expect(daysLeftText({ days_left: -1, waiting: true })).toBe('等待期已满')
  })

  it('counts red and yellow clocks', () => {
    expect(deadlineCounts([{ level: 'red' }, { level: 'yellow' }, { level: 'red' }, { level: 'normal' }])).toEqual({ red: 2, yellow: 1 })
  })
})

describe('the 案卷评查 panel', () => {
  const f = (id: string, kind: string, deducted: number) => ({
    id,
    kind,
    title: id,
    result: (deducted > 0 ? 'fail' : 'pass') as 'fail' | 'pass',
    deducted,
    finding: '',
    source: '§2.3',
  })

  it('shows each result in words', () => {
    expect(resultTag('pass').text).toBe('符合')
    expect(resultTag('fail')).toEqual({ type: 'danger', text: '不符合' })
    expect(resultTag('not_applicable').text).toBe('不适用')
    expect(resultTag('needs_human').text).toBe('待人工评查')
    expect(findingKind('document')).toBe('必备文书')
    expect(findingKind('deadline')).toBe('期限')
  })

  it('lists the rows that cost points, largest first, with their sum', () => {
    const d = deductions([f('a', 'item', 1), f('b', 'document', 0), f('c', 'document', 5)])
    expect(d.rows.map((r) => r.id)).toEqual(['c', 'a'])
    expect(d.total).toBe(6)
    expect(deductions([]).total).toBe(0)
  })
})

describe('复查 on a clue', () => {
  const ev = (action: 'general' | 'reply') => ({ seq: 1, at: '2026-03-10T02:00:00Z', actor: 'staff:sv', action, status: 'general' as const, text: null })
  const pending = { received_on: '2026-03-10', request_due: '2026-03-24', requested_on: '2026-03-12', requested_at: '', requested_by: 'staff:ap', reason: '不服', decision_due: '2026-04-02', decided_at: null, decided_by: null, outcome: null, outcome_zh: null, decision_reason: null, basis: '第二十一条' }

  it('is offered to the 负责人 after a 监督意见书, once, and to the supervisor to decide', () => {
    expect(recheckAction({ events: [ev('general')], recheck: null, status: 'general' }, 'approver')).toBe('request')
    expect(recheckAction({ events: [ev('reply')], recheck: null, status: 'replied' }, 'approver')).toBeNull()
    expect(recheckAction({ events: [ev('general')], recheck: pending, status: 'general' }, 'approver')).toBeNull()
    expect(recheckAction({ events: [ev('general')], recheck: null, status: 'general' }, 'command_centre')).toBeNull()
    expect(recheckAction({ events: [ev('general')], recheck: pending, status: 'general' }, 'supervisor')).toBe('decide')
    const decided = { ...pending, outcome: 'upheld' as const, outcome_zh: '维持' }
    expect(recheckAction({ events: [ev('general')], recheck: decided, status: 'general' }, 'supervisor')).toBeNull()
    expect(recheckText(pending)).toBe('复查中，限 2026-04-02 前决定')
    expect(recheckText(decided)).toBe('复查决定：维持')
    expect(recheckText(null)).toBe('')
  })
})

describe('the blind scoring form', () => {
  const items = [
    { id: 'facts_clear', kind: 'veto', text: '事实清楚' },
    { id: 'law_applied', kind: 'veto', text: '适用法律正确' },
    { id: 'wording', kind: 'deduction', text: '用语' },
    { id: 'content', kind: 'deduction', text: '内容' },
  ]

  it('needs every veto item judged and sends only the points given', () => {
    const f = emptyScoringForm(items)
    expect(scoringBody(items, f)).toEqual({ missing: '事实清楚' })
    f.vetoes.facts_clear = true
    f.vetoes.law_applied = true
    f.points.wording = 2
    f.notes.wording = '错别字两处'
    expect(scoringBody(items, f)).toEqual({
      vetoes: [
        { id: 'facts_clear', passed: true, note: '' },
        { id: 'law_applied', passed: true, note: '' },
      ],
      deductions: [{ id: 'wording', points: 2, note: '错别字两处' }],
      comment: '',
    })
  })

  it('previews the score and grade as the server computes them', () => {
    const f = emptyScoringForm(items)
    f.vetoes.facts_clear = true
    f.vetoes.law_applied = true
    f.points.wording = 3
    expect(previewScore(92, true, f)).toEqual({ score: 89, grade: '良好' })
    expect(previewScore(92, false, f).grade).toBe('不合格')
    f.vetoes.law_applied = false
    expect(previewScore(100, true, f)).toEqual({ score: 97, grade: '不合格' })
  })
})
