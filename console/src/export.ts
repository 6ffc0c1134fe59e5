/**
 * The supervision report as an XLSX workbook for the periodic statistics
 * (issue 18 item 6): one sheet of indicators per township, one of the
 * clues with where each stands, one of the models run, one of the open
 * normal-procedure deadlines with their levels. Built in the
 * browser from the report the cockpit already holds, with ExcelJS (loaded
 * only when someone exports). Fines stay a column for information, in
 * township-code order, never ranked (行政处罚法 Art. 74 ¶3).
 */
import type { ClueRow, SuperviseReport } from './api/client'
import { escalationText, levelTag } from './supervise'

export const SHEETS = { indicators: '各镇街指标', clues: '问题线索', models: '问题模型', deadlines: '普通程序期限' } as const

const INDICATOR_COLUMNS: [string, (i: SuperviseReport['indicators'][number]) => string | number][] = [
  ['镇街', (i) => i.township],
  ['案件', (i) => i.cases],
  ['其中简易程序', (i) => i.simple],
  ['其中普通程序', (i) => i.normal],
  ['未决定', (i) => i.open],
  ['已决定', (i) => i.decided],
  ['处罚', (i) => i.penalties],
  ['不予处罚', (i) => i.no_penalty],
  ['其中首违不罚', (i) => i.first_violation_no_penalty],
  ['办结', (i) => i.closed],
  ['超期', (i) => i.overdue],
  ['复核未通过', (i) => i.flagged],
  ['作废', (i) => i.voided],
  ['平均决定用时（分钟）', (i) => i.avg_minutes_to_decision ?? ''],
  ['联合检查', (i) => i.inspections],
  ['检查事项', (i) => i.inspection_items],
  ['罚款合计（元，仅供参考）', (i) => i.fines_fen_information_only / 100],
]

/** The file name: scope and period. */
export function exportName(r: SuperviseReport): string {
  return `执法监督统计_${r.scope || '全市'}_${r.from}_${r.to}.xlsx`
}

/** The workbook's bytes. `clues` are the period's clues with their state. */
export async function reportWorkbook(r: SuperviseReport, clues: ClueRow[]): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = '掌上执法 执法监督'
  const ind = wb.addWorksheet(SHEETS.indicators)
  ind.addRow([`统计期间 ${r.from} 至 ${r.to}；范围 ${r.scope || '全市'}；统计日 ${r.as_of}`])
  ind.addRow(INDICATOR_COLUMNS.map(([h]) => h))
  for (const i of r.indicators) ind.addRow(INDICATOR_COLUMNS.map(([, f]) => f(i)))
  ind.addRow(['罚没款仅作信息展示，不作排名，也不作考核指标（《行政处罚法》第七十四条第三款）。'])
  const cl = wb.addWorksheet(SHEETS.clues)
  cl.addRow(['模型', '镇街', '线索', '涉及案件或检查', '状态', '答复期限', '首次发现'])
  for (const c of clues) {
    cl.addRow([c.title, c.township, c.reason, c.cases.join('\n'), c.status_zh, c.due_on ?? '', c.found_at])
  }
  const md = wb.addWorksheet(SHEETS.models)
  md.addRow(['模型', '依据', '线索数'])
  for (const m of r.models) md.addRow([m.title, m.basis, m.clues])
  const dl = wb.addWorksheet(SHEETS.deadlines)
  dl.addRow(['状态', '期限', '到期日', '剩余天数', '案件', '镇街', '依据', '提醒'])
  for (const d of r.deadlines.items) {
    dl.addRow([levelTag(d.level).text, d.label, d.due, d.days_left, d.case_id, d.township, d.basis, escalationText(d.escalate_to)])
  }
  for (const ws of [ind, cl, md, dl]) ws.columns.forEach((col) => (col.width = 16))
  return (await wb.xlsx.writeBuffer()) as ArrayBuffer
}
