import { describe, expect, it } from 'vitest'
import { CASE_FILTERS, apiQuery, fromQuery, sameFilters, toQuery } from '../src/filters'
import { homeOf, screensOf } from '../src/roles'
import { auditQuery } from '../src/audit'
import { newTask } from '../src/tasks'
import { fileUrl, readDossier } from '../src/dossier'

describe('filters kept in the URL', () => {
  it('read only the list’s keys, drop empties and take the first of repeated values', () => {
    const q = { township: '500112108', status: ['served', 'paid'], matter: '  ', junk: 'x', from: '2026-03-01' }
    expect(fromQuery(q, CASE_FILTERS)).toEqual({ township: '500112108', status: 'served', from: '2026-03-01' })
  })

  it('round-trip through the query', () => {
    const f = { township: '500112108', flagged: 'true', to: '2026-03-31' }
    expect(fromQuery(toQuery(f, CASE_FILTERS) as Record<string, string>, CASE_FILTERS)).toEqual(f)
    expect(toQuery({ township: ' ', officer: 'OFF-LX-01' }, CASE_FILTERS)).toEqual({ officer: 'OFF-LX-01' })
  })

  it('give the server booleans and the page cursor', () => {
    expect(apiQuery({ flagged: 'true', status: 'served' }, 'CUR')).toEqual({ flagged: true, status: 'served', after: 'CUR' })
    expect(apiQuery({ flagged: 'false' }, null)).toEqual({ flagged: false })
  })

  it('compare filter sets by content', () => {
    expect(sameFilters({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true)
    expect(sameFilters({ a: '1' }, { a: '2' })).toBe(false)
    expect(sameFilters({ a: '1' }, {})).toBe(false)
  })
})

describe('roles and the dossier', () => {
  it('never shows cases to a department account', () => {
    expect(screensOf('department')).toEqual(['inspections', 'tasks'])
    expect(homeOf('department')).toBe('inspections')
    for (const r of ['command_centre', 'administrator']) expect(homeOf(r)).toBe('cases')
    // The reviewer's and the 负责人's first screen is their normal-procedure queue.
    for (const r of ['legal_review', 'approver']) expect(homeOf(r)).toBe('normal')
    for (const r of ['command_centre', 'legal_review', 'approver', 'administrator']) {
      expect(screensOf(r)).not.toContain('supervise')
      expect(screensOf(r)).toContain('normal')
    }
    expect(screensOf('department')).not.toContain('normal')
  })

  it('gives 执法监督 to the supervisor only, first', () => {
    expect(screensOf('supervisor')[0]).toBe('supervise')
    expect(homeOf('supervisor')).toBe('supervise')
    // 案卷评查: the supervisor draws; supervisors and 法制审核 score.
    expect(screensOf('supervisor')).toContain('sampling')
    expect(screensOf('legal_review')).toContain('scoring')
    expect(screensOf('approver')).not.toContain('sampling')
    expect(screensOf('approver')).not.toContain('scoring')
    expect(screensOf('supervisor')).toContain('cases')
  })

  it('reads the evidence files, dropping malformed ones, and builds their URLs', () => {
    const sha = 'a'.repeat(64)
    const d = readDossier({ id: 'c 1', evidence_files: [{ sha256: sha, media_type: 'image/jpeg', size: 10, held: true }, { sha256: '../x' }, 3] })
    expect(d.evidenceFiles).toEqual([{ sha256: sha, mediaType: 'image/jpeg', size: 10, held: true }])
    expect(fileUrl('c 1', sha)).toBe(`/v1/console/records/cases/c%201/files/${sha}`)
    expect(readDossier({}).evidenceFiles).toEqual([])
  })

  it('reads a dossier and survives missing or odd fields', () => {
    const d = readDossier({
      id: 'c1',
      status: 'served',
      status_zh: '已送达',
      party: { kind: 'individual', name: '张三', id_number: '500112199001011234', address: '龙兴镇' },
      decision: { penalty: { kind: 'fine', amount_fen: 20000, band: 'B1' }, circumstances: ['初次', 3], decided_at: '2026-03-10T10:00:00' },
      issue: { number: '渝北龙兴当罚〔2026〕1号' },
      timeline: [{ seq: 1, at: '2026-03-10T02:00:00Z', kind: 'create', to: 'draft' }, 'junk'],
      documents: [{ kind: 'decision_on_the_spot', title: '当场处罚决定书', sha256: 'ab', size: 10, verified: true }],
      replay: { ok: false, codes: ['X'], messages: ['不符'], release_id: 'r1', at: '2026-03-10T02:00:00Z' },
      flagged: true,
    })
    expect(d.party?.name).toBe('张三')
    expect(d.decision?.amountFen).toBe(20000)
    expect(d.decision?.circumstances).toEqual(['初次'])
    expect(d.number).toBe('渝北龙兴当罚〔2026〕1号')
    expect(d.timeline).toHaveLength(1)
    expect(d.replay?.codes).toEqual(['X'])
    expect(d.flagged).toBe(true)
    const empty = readDossier(null)
    expect(empty.party).toBeNull()
    expect(empty.decision).toBeNull()
    expect(empty.documents).toEqual([])
    expect(empty.statusZh).toBe('—')
  })
})

describe('display helpers', () => {
  it('show device wall-clock times to the minute and Beijing times for RFC 3339', async () => {
    const { wallClock, beijing, yuan, size } = await import('../src/format')
    expect(wallClock('2026-12-07T16:05:52.780886235')).toBe('2026-12-07 16:05')
    expect(wallClock(null)).toBe('—')
    expect(beijing('2026-03-10T02:00:00.000Z')).toBe('2026-03-10 10:00')
    expect(yuan(15000)).toBe('150.00 元')
    expect(size(2048)).toBe('2.0 KB')
  })
})

describe('the audit screen', () => {
  it('is a city-wide administrator\'s only', () => {
    expect(screensOf('administrator', '')).toContain('audit')
    expect(screensOf('administrator', '500112')).not.toContain('audit')
    expect(screensOf('administrator', '500112')).toContain('admin')
    expect(screensOf('approver', '')).not.toContain('admin')
    expect(screensOf('supervisor', '')).not.toContain('audit')
  })

  it('sends days as Beijing moments, the last day inclusive', () => {
    expect(auditQuery({ from: '2026-03-01', to: '2026-03-31', action: 'case.read', after: '42' })).toEqual({
      from: '2026-03-01T00:00:00+08:00',
      to: '2026-04-01T00:00:00+08:00',
      action: 'case.read',
      after: 42,
    })
    expect(auditQuery({ from: 'yesterday', to: '2026-12-31' }).to).toBe('2027-01-01T00:00:00+08:00')
    expect(auditQuery({ from: 'yesterday' }).from).toBeUndefined()
  })
})

describe('the dispatch form', () => {
  const full = { officer_id: ' OFF-LX-01 ', kind: 'complaint', place: '示例路12号', detail: '12345 转来投诉：占道经营', party_name: ' ', due_on: '2026-12-10' }
  it('sends a trimmed request and leaves empty optional fields out', () => {
    expect(newTask(full)).toEqual({
      officer_id: 'OFF-LX-01',
      kind: 'complaint',
      place: '示例路12号',
      detail: '12345 转来投诉：占道经营',
      party_name: null,
      due_on: '2026-12-10',
      scenarios: [],
    })
  })
  it('is not ready while a required field is empty or the kind unknown', () => {
    expect(newTask({ ...full, officer_id: '' })).toBeNull()
    expect(newTask({ ...full, detail: '  ' })).toBeNull()
    expect(newTask({ ...full, kind: 'arrest' })).toBeNull()
    expect(newTask({ ...full, due_on: 'tomorrow' })?.due_on).toBeNull()
  })
})
