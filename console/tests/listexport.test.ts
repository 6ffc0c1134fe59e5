import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import type { AuditRow, CaseRow, EventRow, InspectionPage, TaskPage } from '../src/api/client'
import { ApiError } from '../src/api/errors'
import { beijingDay, limitNote, listFileName, listNotes, listWorkbook, LIST_NOTES_SHEET, type ListColumn } from '../src/export'
import { AUDIT_EXPORT, CASE_EXPORT, EVENT_EXPORT, filterWords, INSPECTION_EXPORT, TASK_EXPORT, type ListExportSpec } from '../src/listcolumns'
import { EXPORT_LIMIT, fetchAll, type PageLoader } from '../src/paged'

async function readBack(bytes: ArrayBuffer) {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes)
  return wb
}

function headers(ws: ExcelJS.Worksheet): unknown[] {
  return (ws.getRow(1).values as unknown[]).slice(1)
}

async function sheetOf<Row>(spec: ListExportSpec<Row>, rows: Row[]) {
  const wb = await readBack(await listWorkbook(spec.title, spec.columns, rows))
  const ws = wb.getWorksheet(spec.title)!
  expect(headers(ws)).toEqual(spec.columns.map((c) => c.header))
  const cell = (row: number, header: string) => ws.getRow(row).getCell(spec.columns.findIndex((c) => c.header === header) + 1)
  return { ws, cell }
}

type Plain = { name: string; fen: number | null; n: number }
const PLAIN: ListColumn<Plain>[] = [
  { header: '名称', value: (r) => r.name },
  { header: '金额（元）', value: (r) => r.fen, fen: true },
  { header: '数量', value: (r) => r.n },
]

describe('the generic list workbook', () => {
  it('writes the headers, the cells, fen as 元 with two decimals, and the notes', async () => {
    const rows: Plain[] = [
      { name: '甲', fen: 123_456, n: 2 },
      { name: '乙', fen: null, n: 0 },
      { name: '丙', fen: 5, n: 1 },
    ]
    const wb = await readBack(await listWorkbook('测试列表', PLAIN, rows, ['第一行说明']))
    const ws = wb.getWorksheet('测试列表')!
    expect(headers(ws)).toEqual(['名称', '金额（元）', '数量'])
    expect(ws.rowCount).toBe(4)
    expect(ws.getCell('A2').value).toBe('甲')
    expect(ws.getCell('B2').value).toBe(1234.56)
    expect(ws.getCell('B2').numFmt).toBe('0.00')
    expect(ws.getCell('B3').value).toBeNull()
    expect(ws.getCell('B4').value).toBe(0.05)
    expect(ws.getCell('C3').value).toBe(0)
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(wb.getWorksheet(LIST_NOTES_SHEET)!.getCell('A1').value).toBe('第一行说明')
  })

  it('names the file by list, filters in words and day', () => {
    expect(listFileName('案件列表', [], '2026-12-07')).toBe('案件列表_全部_2026-12-07.xlsx')
    const words = filterWords(CASE_EXPORT, { status: 'closed', township: '500112108', flagged: 'true', ignored: 'x' })
    expect(words).toEqual([
      ['镇街', '500112108'],
      ['状态', '已结案'],
      ['标记', '需关注'],
    ])
    expect(listFileName('案件列表', words, '2026-12-07')).toBe('案件列表_镇街500112108_状态已结案_标记需关注_2026-12-07.xlsx')
    expect(listFileName('审计日志', [['操作人', 'staff:demo reviewer/x']], '2026-12-07')).toBe('审计日志_操作人staff-demo-reviewer-x_2026-12-07.xlsx')
    expect(beijingDay(new Date('2026-12-07T16:30:00Z'))).toBe('2026-12-08')
  })

  it('states the row limit in the notes when the list was cut', async () => {
    const words = filterWords(TASK_EXPORT, { kind: 'complaint' })
    const cut = listNotes('任务列表', words, EXPORT_LIMIT, true, EXPORT_LIMIT, '2026-12-07 10:00')
    expect(cut).toContain(limitNote(EXPORT_LIMIT))
    expect(limitNote(EXPORT_LIMIT)).toBe('符合条件的记录超过 10000 条，本次只导出了前 10000 条；请缩小筛选条件（如日期范围）后分批导出。')
    expect(cut[1]).toBe('筛选条件：类型：投诉处置')
    expect(listNotes('任务列表', [], 3, false, EXPORT_LIMIT, '2026-12-07 10:00').join('\n')).not.toContain('超过')
  })

  it('exports the first EXPORT_LIMIT rows of a longer list with the limit in its notes', async () => {
    let served = 0
    const load: PageLoader<Plain> = async (q) => {
      const from = typeof q.after === 'string' ? Number(q.after) : 0
      const rows = Array.from({ length: 1000 }, (_, i) => ({ name: `r${from + i}`, fen: from + i, n: i }))
      served += rows.length
      return { rows, next: String(from + 1000) }
    }
    const all = await fetchAll(load, {})
    expect(all.rows.length).toBe(EXPORT_LIMIT)
    expect(all.truncated).toBe(true)
    expect(served).toBe(EXPORT_LIMIT + 1000)
    const notes = listNotes('测试列表', [], all.rows.length, all.truncated, EXPORT_LIMIT, '2026-12-07 10:00')
    const wb = await readBack(await listWorkbook('测试列表', PLAIN, all.rows, notes))
    const ws = wb.getWorksheet('测试列表')!
    expect(ws.rowCount).toBe(EXPORT_LIMIT + 1)
    expect(ws.getCell(`A${EXPORT_LIMIT + 1}`).value).toBe(`r${EXPORT_LIMIT - 1}`)
    expect(ws.getCell(`B${EXPORT_LIMIT + 1}`).value).toBe((EXPORT_LIMIT - 1) / 100)
    const n = wb.getWorksheet(LIST_NOTES_SHEET)!
    expect(n.getCell('A4').value).toBe(limitNote(EXPORT_LIMIT))
  })
})

describe('the cursor-following fetch', () => {
  /** Pages of `size` rows of 0..total-1, the cursor the next row's number. */
  function pages(total: number, size: number) {
    const calls: Record<string, string | boolean>[] = []
    const load: PageLoader<number> = async (q) => {
      calls.push(q)
      const from = typeof q.after === 'string' ? Number(q.after) : 0
      const rows = Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => from + i)
      return { rows, next: from + size < total ? String(from + size) : null }
    }
    return { load, calls }
  }

  it('fetches every page in order with the same filters', async () => {
    const { load, calls } = pages(7, 3)
    const seen: number[] = []
    const all = await fetchAll(load, { status: 'closed', flagged: 'true' }, { onPage: (n) => seen.push(n) })
    expect(all).toEqual({ rows: [0, 1, 2, 3, 4, 5, 6], truncated: false })
    expect(calls).toEqual([
      { status: 'closed', flagged: true },
      { status: 'closed', flagged: true, after: '3' },
      { status: 'closed', flagged: true, after: '6' },
    ])
    expect(seen).toEqual([3, 6, 7])
  })

  it('stops at the limit and says there were more', async () => {
    const { load, calls } = pages(25, 4)
    const all = await fetchAll(load, {}, { limit: 10 })
    expect(all.rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(all.truncated).toBe(true)
    expect(calls.length).toBe(3)
  })

  it('is not cut when the list is exactly the limit', async () => {
    const exact = await fetchAll(pages(8, 4).load, {}, { limit: 8 })
    expect(exact).toEqual({ rows: [0, 1, 2, 3, 4, 5, 6, 7], truncated: false })
    // A server that still sends a cursor after the last row: one more page, empty.
    const load: PageLoader<number> = async (q) => (q.after ? { rows: [], next: 'x' } : { rows: [1, 2], next: 'a' })
    expect(await fetchAll(load, {}, { limit: 2 })).toEqual({ rows: [1, 2], truncated: false })
  })

  it('never loops on a cursor that does not move', async () => {
    const load: PageLoader<number> = async () => ({ rows: [1], next: 'same' })
    expect(await fetchAll(load, {})).toEqual({ rows: [1, 1], truncated: false })
  })

  it('throws the ApiError of a failing page', async () => {
    const load: PageLoader<number> = async (q) => {
      if (q.after) throw new ApiError('forbidden', 403, '')
      return { rows: [1, 2], next: '2' }
    }
    const err = await fetchAll(load, {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe('forbidden')
    expect((err as ApiError).display).toContain('（错误代码：forbidden）')
  })
})

describe("each list's columns", () => {
  it('the case list: masked party, officers, status in words, fine in 元', async () => {
    const row: CaseRow = {
      case_id: 'c-1',
      violation_date: '2026-03-10',
      township: '500112108',
      matter_code: 'CQ-CG-001',
      procedure: 'simple',
      party_masked: '王**',
      party_kind: 'person',
      officers: ['OFF-LX-01', 'OFF-LX-02'],
      status: 'closed',
      amount_fen: 20_050,
      decided_on: '2026-03-10',
      flagged: false,
      replay_ok: true,
      updated_at: '2026-03-10T02:05:00Z',
    }
    const { cell } = await sheetOf(CASE_EXPORT, [row, { ...row, case_id: 'c-2', amount_fen: null, flagged: true, procedure: 'normal' }])
    expect(cell(2, '案件编号').value).toBe('c-1')
    expect(cell(2, '程序').value).toBe('简易程序')
    expect(cell(2, '当事人（脱敏）').value).toBe('王**')
    expect(cell(2, '执法人员').value).toBe('OFF-LX-01、OFF-LX-02')
    expect(cell(2, '状态').value).toBe('已结案')
    expect(cell(2, '罚款（元）').value).toBe(200.5)
    expect(cell(2, '罚款（元）').numFmt).toBe('0.00')
    expect(cell(2, '复核').value).toBe('规则复核通过')
    expect(cell(2, '更新时间（北京）').value).toBe('2026-03-10 10:05')
    expect(cell(3, '罚款（元）').value).toBeNull()
    expect(cell(3, '复核').value).toBe('需关注')
    expect(cell(3, '程序').value).toBe('普通程序')
  })

  it('the inspection list', async () => {
    const row: InspectionPage['rows'][number] = {
      inspection_id: 'i-1',
      started_on: '2026-04-01',
      township: '500112108',
      party_masked: '某**店',
      officers: ['OFF-1'],
      items: 12,
      failed: 2,
      status: 'finished',
      updated_at: '2026-04-01T08:00:00Z',
    }
    const { cell } = await sheetOf(INSPECTION_EXPORT, [row])
    expect(cell(2, '检查对象（脱敏）').value).toBe('某**店')
    expect(cell(2, '检查项').value).toBe(12)
    expect(cell(2, '不合格').value).toBe(2)
    expect(cell(2, '状态').value).toBe('检查完成')
    expect(cell(2, '更新时间（北京）').value).toBe('2026-04-01 16:00')
  })

  it('the task list', async () => {
    const row: TaskPage['rows'][number] = { task_id: 't-1', township: '500112108', kind: 'random_inspection', status: 'accepted', updated_at: '2026-05-01T00:00:00Z' }
    const { cell } = await sheetOf(TASK_EXPORT, [row])
    expect(cell(2, '类型').value).toBe('双随机检查')
    expect(cell(2, '状态').value).toBe('已接收')
  })

  it('the audit log', async () => {
    const row: AuditRow = { id: 42, at: '2026-06-01T01:00:00Z', actor: 'staff:demo-reviewer', action: 'case.read', object: 'case:c-1' }
    const { cell } = await sheetOf(AUDIT_EXPORT, [row])
    expect(cell(2, '序号').value).toBe(42)
    expect(cell(2, '时间（北京）').value).toBe('2026-06-01 09:00')
    expect(cell(2, '操作').value).toBe('查看案卷（含个人信息）')
    expect(cell(2, '操作代码').value).toBe('case.read')
    expect(cell(2, '对象').value).toBe('case:c-1')
  })

  it('the platform events: reporter masked, the reply clock in words', async () => {
    const row: EventRow = {
      event_id: 'e-1',
      platform: '12345',
      platform_name: '12345 热线',
      external_id: 'GD-001',
      kind: 'complaint',
      kind_label: '投诉举报',
      township: '500112108',
      place: '某路 1 号',
      description: '占道经营',
      reporter_masked: '李*',
      received_at: '2026-07-01T00:00:00Z',
      arrived_at: '2026-07-01T00:00:01Z',
      reply_days: 15,
      reply_due: '2026-07-22',
      reply_basis: '重庆市行政执法责任制条例第十三条',
      status: 'new',
      task_id: null,
      note: null,
    }
    const { cell } = await sheetOf(EVENT_EXPORT, [row])
    expect(cell(2, '来源').value).toBe('12345 热线')
    expect(cell(2, '反映人（脱敏）').value).toBe('李*')
    expect(cell(2, '答复期限').value).toBe('2026-07-22 前答复（15 个工作日，重庆市行政执法责任制条例第十三条）')
    expect(cell(2, '状态').value).toBe('待处置')
    expect(cell(2, '任务编号').value).toBeNull()
    expect(filterWords(EVENT_EXPORT, { status: 'task', kind: 'camera' })).toEqual([
      ['状态', '已派发任务'],
      ['类型', '视频发现'],
    ])
  })
})
