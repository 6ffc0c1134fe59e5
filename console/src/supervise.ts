/**
 * The supervision cockpit's pure helpers (issue 18): the period kept in
 * the URL, totals over the townships, the chart's series, and which ids
 * of a clue are cases (they open the dossier) rather than inspections.
 * Fine totals are never ranked or charted (行政处罚法 Art. 74 ¶3): the
 * chart shows case counts only, and townships stay in code order.
 */
import type { LocationQuery } from 'vue-router'
import type { Indicators, SuperviseReport } from './api/client'

export interface Period {
  from?: string
  to?: string
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
  return out
}

export interface Totals {
  cases: number
  decided: number
  overdue: number
  flagged: number
  clues: number
}

export function totals(r: SuperviseReport): Totals {
  const sum = (f: (i: Indicators) => number) => r.indicators.reduce((n, i) => n + f(i), 0)
  return {
    cases: sum((i) => i.cases),
    decided: sum((i) => i.decided),
    overdue: sum((i) => i.overdue),
    flagged: sum((i) => i.flagged),
    clues: r.clues.length,
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
