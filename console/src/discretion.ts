/**
 * The reviewer's discretion panel (裁量对比; issue 17): the case's level
 * and fine against the level the server suggests and against the same
 * matter's other decisions in the account's scope. The figures are the
 * server's (`GET /v1/console/records/cases/{id}/discretion`, the same
 * robust statistics as the 同案不同罚 model); this file only turns them
 * into the chart's option, the table's rows and words.
 */
import type { Discretion, LevelPeers } from './api/client'
import { yuan } from './format'

/** The roles the server lets read the panel. */
export function seesDiscretion(role: string): boolean {
  return role === 'legal_review' || role === 'approver' || role === 'supervisor'
}

const y = (fen: number | null | undefined): number | null => (fen === null || fen === undefined ? null : fen / 100)

/** The levels shown: those with a published fine or with peers. */
export function shownLevels(d: Discretion): LevelPeers[] {
  return d.levels.filter((l) => l.fine || l.count > 0 || l.chosen)
}

/** The ECharts option: per level its published range (a floating bar),
 * the peers' fines as a box (min, Q1, median, Q3, max) and this case's
 * fine as a point; amounts in 元. */
export function discretionOption(d: Discretion) {
  const levels = shownLevels(d)
  const names = levels.map((l) => (l.name ? `${l.level} ${l.name}` : l.level))
  return {
    aria: { enabled: true },
    tooltip: { trigger: 'item' },
    legend: { top: 0, data: ['裁量基准区间', '同类决定罚款', '本案'] },
    grid: { left: 64, right: 24, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: names },
    yAxis: { type: 'value', name: '元', min: 0 },
    series: [
      { name: '基准下限', type: 'bar', stack: 'range', silent: true, itemStyle: { color: 'transparent' }, data: levels.map((l) => y(l.fine?.min_fen)), tooltip: { show: false } },
      {
        name: '裁量基准区间',
        type: 'bar',
        stack: 'range',
        barMaxWidth: 56,
        itemStyle: { color: 'rgba(64,158,255,0.18)' },
        data: levels.map((l) => (l.fine ? (l.fine.max_fen - l.fine.min_fen) / 100 : null)),
      },
      {
        name: '同类决定罚款',
        type: 'boxplot',
        data: levels.map((l) => (l.count > 0 ? [y(l.min_fen), y(l.q1_fen), y(l.median_fen), y(l.q3_fen), y(l.max_fen)] : [])),
      },
      {
        name: '本案',
        type: 'scatter',
        symbolSize: 14,
        itemStyle: { color: d.outside_level || d.far_from_peers ? '#d03050' : '#18a058' },
        data: d.amount_fen === null || d.amount_fen === undefined || !d.chosen_level
          ? []
          : [[names[levels.findIndex((l) => l.chosen)] ?? d.chosen_level, d.amount_fen / 100]],
      },
    ],
  }
}

/** Where the case falls, in words. */
export function positionText(d: Discretion): string {
  const p = d.position
  if (!p) return d.amount_fen == null ? '本案未处罚款。' : '同一阶次没有其他已决定的案件可比。'
  return `同阶次 ${p.below + p.equal + p.above} 件中，${p.below} 件低于本案、${p.equal} 件相同、${p.above} 件高于本案（百分位 ${p.percentile.toFixed(0)}）。`
}

/** The server's replay of the decision, in words: agrees, or differs and
 * why (each message with its code). */
export function replayText(d: Discretion): string {
  const r = d.replay
  if (!r) return '服务器尚未复核本案的决定。'
  if (r.ok) return `服务器复核一致：按目录 ${r.release_id ?? '—'} 重新计算，认可本案决定。`
  const why = r.codes.map((c, i) => `${r.messages[i] ?? ''}（${c}）`).join('；')
  return `服务器复核不一致：${why}。`
}

const levelName = (d: Discretion, code: string | null | undefined): string => {
  if (!code) return '—'
  const l = d.levels.find((x) => x.level === code)
  return l?.name ? `${code}（${l.name}）` : code
}

/** The whole panel as one plain-text paragraph: what the chart shows, for
 * a screen reader (and anyone who prefers words to a picture). */
export function summaryText(d: Discretion): string {
  const parts: string[] = []
  parts.push(`本案适用阶次 ${levelName(d, d.chosen_level)}，罚款 ${yuan(d.amount_fen)}`)
  if (d.level_fine) parts.push(`该阶次裁量基准 ${yuan(d.level_fine.min_fen)} 至 ${yuan(d.level_fine.max_fen)}${d.outside_level ? '，罚款在区间之外' : '，罚款在区间之内'}`)
  if (!d.suggested_level) parts.push('服务器没有建议阶次')
  else if (d.suggested_level === d.chosen_level) parts.push(`与服务器建议阶次 ${levelName(d, d.suggested_level)} 一致`)
  else parts.push(`服务器建议阶次为 ${levelName(d, d.suggested_level)}，与适用阶次不同${d.deviation_reason ? '（已写明理由）' : '（未写明理由）'}`)
  const chosen = d.levels.find((l) => l.chosen)
  if (chosen && chosen.count > 0) {
    parts.push(`同阶次其他决定 ${chosen.count} 件，罚款最低 ${yuan(chosen.min_fen)}、下四分位 ${yuan(chosen.q1_fen)}、中位数 ${yuan(chosen.median_fen)}、上四分位 ${yuan(chosen.q3_fen)}、最高 ${yuan(chosen.max_fen)}`)
  }
  return `${parts.join('；')}。${positionText(d)}${replayText(d)}`
}

/** The marks shown beside the figures. */
export function marks(d: Discretion): { type: 'danger' | 'warning' | 'success'; text: string }[] {
  const out: { type: 'danger' | 'warning' | 'success'; text: string }[] = []
  if (d.outside_level) out.push({ type: 'danger', text: '罚款超出所适用阶次的裁量基准区间' })
  if (d.far_from_peers) out.push({ type: 'danger', text: `罚款偏离同类决定（中位数 ± ${d.k}×四分位距之外）` })
  if (d.chosen_level && d.suggested_level && d.chosen_level !== d.suggested_level) {
    out.push({ type: 'warning', text: d.deviation_reason ? '适用阶次与服务器建议不同（已写明理由）' : '适用阶次与服务器建议不同，且未写明理由' })
  }
  if (d.replay && !d.replay.ok) out.push({ type: 'danger', text: '服务器复核不一致' })
  if (out.length === 0 && d.amount_fen != null) out.push({ type: 'success', text: '在阶次区间内，未偏离同类决定' })
  return out
}
