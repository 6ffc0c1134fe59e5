import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import type { Bulletin, ClueRow, SuperviseReport } from '../src/api/client'
import { BULLETIN_SHEETS, bulletinName, bulletinWorkbook, exportName, reportWorkbook, SHEETS } from '../src/export'

const report: SuperviseReport = {
  scope: '500112',
  from: '2026-01-01',
  to: '2026-06-30',
  as_of: '2026-07-01',
  indicators: [
    {
      township: '500112108',
      cases: 7,
      simple: 7,
      normal: 0,
      open: 1,
      decided: 6,
      penalties: 5,
      no_penalty: 1,
      first_violation_no_penalty: 1,
      closed: 4,
      overdue: 2,
      flagged: 1,
      voided: 0,
      avg_minutes_to_decision: 12,
      fines_fen_information_only: 123_450,
      inspections: 3,
      inspection_items: 12,
    },
  ],
  models: [{ name: 'peer_dispersion', title: '同案不同罚：罚款偏离同类案件', basis: '行政处罚法第五条第二款', clues: 1 }],
  clues: [{ id: 'k1', model: 'peer_dispersion', township: '500112108', cases: ['c1'], reason: '远高于同类' }],
  clues_total: 1,
  deadlines: {
    as_of: '2026-12-07',
    items: [
      {
        case_id: 'n1',
        township: '500112108',
        stage: 'filed',
        stage_label: '立案',
        clock: 'decision',
        label: '办案期限（作出决定）',
        started_on: '2026-09-01',
        due: '2026-11-30',
        days_left: -7,
        level: 'red',
        basis: '《行政处罚法》第六十条',
        unverified: false,
        estimated: false,
        waiting: false,
        escalate_to: ['approver', 'supervisor'],
      },
    ],
    unavailable: [],
  },
}

const clue: ClueRow = {
  clue_id: 'k1',
  model: 'peer_dispersion',
  title: '同案不同罚：罚款偏离同类案件',
  township: '500112108',
  cases: ['c1', 'c2'],
  reason: '远高于同类',
  status: 'general',
  status_zh: '监督意见书待整改',
  track: 'general',
  due_on: '2026-08-01',
  found_at: '2026-07-01T02:00:00.000Z',
  last_seen_at: '2026-07-01T02:00:00.000Z',
  events: [],
}

describe('the supervision export', () => {
  it('names the file by scope and period', () => {
    expect(exportName(report)).toBe('执法监督统计_500112_2026-01-01_2026-06-30.xlsx')
    expect(exportName({ ...report, scope: '' })).toContain('全市')
  })

  it('writes indicators, clues and models that read back', async () => {
    const bytes = await reportWorkbook(report, [clue])
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes)
    const ind = wb.getWorksheet(SHEETS.indicators)!
    expect(String(ind.getCell('A1').value)).toContain('2026-01-01 至 2026-06-30')
    expect(ind.getRow(2).getCell(1).value).toBe('镇街')
    expect(ind.getRow(3).getCell(1).value).toBe('500112108')
    expect(ind.getRow(3).getCell(2).value).toBe(7)
    // Fines in 元, the last column, for information only.
    expect(ind.getRow(3).getCell(17).value).toBe(1234.5)
    expect(String(ind.getRow(4).getCell(1).value)).toContain('第七十四条')
    const cl = wb.getWorksheet(SHEETS.clues)!
    expect(cl.getRow(2).getCell(3).value).toBe('远高于同类')
    expect(cl.getRow(2).getCell(4).value).toBe('c1\nc2')
    expect(cl.getRow(2).getCell(5).value).toBe('监督意见书待整改')
    expect(cl.rowCount, 'no note when every clue is listed').toBe(2)
    const md = wb.getWorksheet(SHEETS.models)!
    expect(md.getRow(2).getCell(3).value).toBe(1)
    const dl = wb.getWorksheet(SHEETS.deadlines)!
    expect(dl.getRow(2).getCell(1).value).toBe('已超期')
    expect(dl.getRow(2).getCell(4).value).toBe(-7)
    expect(dl.getRow(2).getCell(8).value).toBe('负责人、执法监督（司法局）')
  })

  it('says how many clues the period holds when the cockpit lists fewer', async () => {
    const bytes = await reportWorkbook({ ...report, clues_total: 250 }, [clue])
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes)
    const cl = wb.getWorksheet(SHEETS.clues)!
    expect(String(cl.getRow(3).getCell(1).value)).toContain('本期共 250 条线索，本表列出驾驶舱所列的 1 条')
  })
})

const bulletin: Bulletin = {
  scope: '500112',
  from: '2026-01-01',
  to: '2026-12-31',
  grade_basis: '基础标准任一项不符合即为不合格；否则优秀≥90、良好≥80、合格≥60分',
  townships: [{ township: '500112108', draws: 1, population: 6, sampled: 3, scored: 2, excellent: 1, good: 0, pass: 0, fail: 1, mean_score_tenths: 765 }],
  samples: [
    { sample_id: 'PC-abc-001', seq: 1, case_id: 'c1', township: '500112108', scorer: 'LR-X', assigned_at: '2026-12-01T00:00:00Z', auto_score: 95, score: 93, veto_passed: true, grade: '优秀', scored_at: '2026-12-02T00:00:00Z' },
    { sample_id: 'PC-abc-002', seq: 2, case_id: 'c2', township: '500112108', scorer: null, assigned_at: null, auto_score: null, score: null, veto_passed: null, grade: null, scored_at: null },
  ],
}

describe('the 案卷评查 通报 export', () => {
  it('names the file by scope and period', () => {
    expect(bulletinName(bulletin)).toBe('案卷评查通报_500112_2026-01-01_2026-12-31.xlsx')
  })

  it('writes the grades per township and every drawn file', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await bulletinWorkbook(bulletin))
    const t = wb.getWorksheet(BULLETIN_SHEETS.townships)!
    expect(String(t.getCell('A1').value)).toContain('2026-01-01 至 2026-12-31')
    expect(t.getRow(3).getCell(1).value).toBe('500112108')
    expect(t.getRow(3).getCell(4).value).toBe(3)
    expect(t.getRow(3).getCell(9).value).toBe(1)
    expect(t.getRow(3).getCell(10).value).toBe('76.5')
    expect(String(t.getRow(4).getCell(1).value)).toContain('优秀≥90')
    const s = wb.getWorksheet(BULLETIN_SHEETS.samples)!
    expect(s.getRow(2).getCell(6).value).toBe(93)
    expect(s.getRow(2).getCell(7).value).toBe('通过')
    expect(s.getRow(3).getCell(4).value).toBe('未分配')
    expect(s.getRow(3).getCell(8).value).toBe('未评查')
  })
})
