import { describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import type { ClueRow, SuperviseReport } from '../src/api/client'
import { exportName, reportWorkbook, SHEETS } from '../src/export'

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
    const md = wb.getWorksheet(SHEETS.models)!
    expect(md.getRow(2).getCell(3).value).toBe(1)
    const dl = wb.getWorksheet(SHEETS.deadlines)!
    expect(dl.getRow(2).getCell(1).value).toBe('已超期')
    expect(dl.getRow(2).getCell(4).value).toBe(-7)
    expect(dl.getRow(2).getCell(8).value).toBe('负责人、执法监督（司法局）')
  })
})
