/**
 * The supervision report as an XLSX workbook for the periodic statistics
 * (issue 18 item 6): one sheet of indicators per township, one of the
 * clues with where each stands, one of the models run, one of the open
 * normal-procedure deadlines with their levels. Built in the
 * browser from the report the cockpit already holds, with ExcelJS (loaded
 * only when someone exports). Fines stay a column for information, in
 * township-code order, never ranked (行政处罚法 Art. 74 ¶3).
 *
 * The same code builds the 案卷评查 通报 (issue 18 item 2): one sheet of
 * results per township (files drawn, scored, the four grades, the mean
 * score), one of every drawn file with its score — no personal data: a
 * file is its blind number and case id.
 */
import type { Bulletin, ClueRow, SuperviseReport } from './api/client'
import { escalationText, levelTag, tenths } from './supervise'

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
  if (r.clues_total > clues.length) {
    cl.addRow([`本期共 ${r.clues_total} 条线索，本表列出驾驶舱所列的 ${clues.length} 条；按镇街下钻后导出可得该镇街的全部线索，各模型线索数见“${SHEETS.models}”。`])
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

export const BULLETIN_SHEETS = { townships: '评查通报', samples: '抽查案卷' } as const

/** The 通报's file name: scope and period. */
export function bulletinName(b: Bulletin): string {
  return `案卷评查通报_${b.scope || '全市'}_${b.from}_${b.to}.xlsx`
}

/** The 通报 workbook's bytes. */
export async function bulletinWorkbook(b: Bulletin): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = '掌上执法 执法监督'
  const t = wb.addWorksheet(BULLETIN_SHEETS.townships)
  t.addRow([`行政处罚案卷评查通报　抽查期间 ${b.from} 至 ${b.to}；范围 ${b.scope || '全市'}`])
  t.addRow(['镇街', '抽查批次', '期间结案案卷', '抽查案卷', '已评查', '优秀', '良好', '合格', '不合格', '平均分'])
  for (const r of b.townships) {
    t.addRow([r.township, r.draws, r.population, r.sampled, r.scored, r.excellent, r.good, r.pass, r.fail, tenths(r.mean_score_tenths)])
  }
  t.addRow([`评查标准：《重庆市行政处罚案卷评查标准（试行）》；${b.grade_basis}`])
  const s = wb.addWorksheet(BULLETIN_SHEETS.samples)
  s.addRow(['抽查编号', '镇街', '案件', '评查人员', '机器评分', '最终得分', '基础标准', '等级', '评查时间'])
  for (const x of b.samples) {
    const veto = x.veto_passed === null || x.veto_passed === undefined ? '' : x.veto_passed ? '通过' : '否决'
    s.addRow([x.sample_id, x.township, x.case_id, x.scorer ?? '未分配', x.auto_score ?? '', x.score ?? '', veto, x.grade ?? '未评查', x.scored_at ?? ''])
  }
  for (const ws of [t, s]) ws.columns.forEach((col) => (col.width = 16))
  return (await wb.xlsx.writeBuffer()) as ArrayBuffer
}

/** Saves `bytes` as an XLSX download named `name`. */
export function download(bytes: ArrayBuffer, name: string) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * The record lists as XLSX (issue 17 item 5): one generic builder for the
 * case, inspection, task, audit and event lists. Each list names its
 * columns (`src/listcolumns.ts`); the rows are the whole filtered list as
 * the server returned it (personal data already masked there, never
 * unmasked here), fetched by `paged.ts::fetchAll` up to `EXPORT_LIMIT`.
 */
export interface ListColumn<Row> {
  /** The Chinese header. */
  header: string
  /** The cell: a string or number, nothing for an empty cell. */
  value: (r: Row) => string | number | null | undefined
  /** The value is integer fen, written as 元 (fen / 100, format 0.00). */
  fen?: boolean
  width?: number
}

/** The sheet of notes beside the list: what was exported, and any limit. */
export const LIST_NOTES_SHEET = '说明'

/** The list's workbook: a sheet named `title` (header in row 1, frozen),
 * then a `说明` sheet with `notes`, one a line. */
export async function listWorkbook<Row>(
  title: string,
  columns: readonly ListColumn<Row>[],
  rows: readonly Row[],
  notes: readonly string[] = [],
): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import('exceljs')
  const wb = new ExcelJS.Workbook()
  wb.creator = '掌上执法 指挥中心'
  const ws = wb.addWorksheet(sheetName(title), { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.addRow(columns.map((c) => c.header)).font = { bold: true }
  for (const r of rows) {
    const row = ws.addRow(
      columns.map((c) => {
        const v = c.value(r)
        if (v === null || v === undefined) return null
        return c.fen && typeof v === 'number' ? v / 100 : v
      }),
    )
    columns.forEach((c, i) => {
      if (c.fen) row.getCell(i + 1).numFmt = '0.00'
    })
  }
  columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width ?? 16))
  const n = wb.addWorksheet(LIST_NOTES_SHEET)
  for (const line of notes) n.addRow([line])
  n.getColumn(1).width = 80
  return (await wb.xlsx.writeBuffer()) as ArrayBuffer
}

/** A sheet name Excel accepts: at most 31 characters, none of []:*?/\. */
function sheetName(title: string): string {
  return title.replace(/[[\]:*?/\\]/g, '-').slice(0, 31) || '列表'
}

/** Today in Beijing (UTC+8), `YYYY-MM-DD`. */
export function beijingDay(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10)
}

/** The filters in words, one per filter: `状态：已结案`. */
export type FilterWords = [label: string, value: string][]

/** The list's file name: the list, its filters (or 全部), the day. */
export function listFileName(title: string, filters: FilterWords, day: string): string {
  const clean = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, '-').slice(0, 40)
  const parts = filters.length === 0 ? ['全部'] : filters.map(([l, v]) => clean(`${l}${v}`))
  return `${clean(title)}_${parts.join('_')}_${day}.xlsx`
}

/** What the limit means, in the UI and the workbook's notes. */
export function limitNote(limit: number): string {
  return `符合条件的记录超过 ${limit} 条，本次只导出了前 ${limit} 条；请缩小筛选条件（如日期范围）后分批导出。`
}

/** The 说明 sheet's lines. */
export function listNotes(title: string, filters: FilterWords, count: number, truncated: boolean, limit: number, at: string): string[] {
  const lines = [
    `${title}　导出时间（北京）${at}`,
    `筛选条件：${filters.length === 0 ? '全部' : filters.map(([l, v]) => `${l}：${v}`).join('；')}`,
    `导出 ${count} 条（每次最多 ${limit} 条）。个人信息按列表显示的脱敏形式导出；金额单位为元。`,
  ]
  if (truncated) lines.push(limitNote(limit))
  return lines
}
