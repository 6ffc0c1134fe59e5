import { describe, expect, it } from 'vitest'
import { eventPage, eventQuery, replyClock, taskFromEvent } from '../src/events'
import { newTask } from '../src/tasks'
import type { EventRow } from '../src/api/client'

const row: EventRow = {
  event_id: 'e1',
  platform: 'cq12345',
  platform_name: '重庆12345热线',
  external_id: 'GD-1',
  kind: 'complaint',
  kind_label: '投诉举报',
  place: '龙兴镇两江大道 88 号',
  township: '500112108',
  description: '夜间施工噪音扰民',
  reporter_masked: '王** 138****5678',
  received_at: '2026-03-10T02:00:00.000Z',
  arrived_at: '2026-03-10T02:00:01.000Z',
  reply_days: 15,
  reply_basis: '重庆市行政执法责任制条例第十三条',
  reply_due: '2026-03-31',
  status: 'new',
  task_id: null,
  note: null,
  converted_by: null,
  converted_at: null,
}

describe('events', () => {
  it('pages by offset as the lists page by cursor', () => {
    expect(eventQuery({ status: 'new' })).toEqual({ limit: 50, status: 'new' })
    expect(eventQuery({ after: '50', kind: 'report' })).toEqual({ limit: 50, kind: 'report', offset: 50 })
    const rows = Array.from({ length: 50 }, () => row)
    expect(eventPage({ rows, total: 120 }, 50).next).toBe('100')
    expect(eventPage({ rows: rows.slice(0, 20), total: 120 }, 100).next).toBeNull()
  })

  it('says the reply clock with its basis', () => {
    expect(replyClock(row)).toContain('2026-03-31')
    expect(replyClock(row)).toContain('第十三条')
    expect(replyClock({ ...row, reply_days: null, reply_due: null })).toBe('无法定答复期限')
    expect(replyClock({ ...row, reply_due: null })).toContain('未能计算')
    expect(replyClock({ ...row, reply_basis: 'configuration', reply_days: 5 })).toContain('平台配置')
  })

  it('fills a task that needs only the officer', () => {
    const f = taskFromEvent(row)
    expect(newTask(f)).toBeNull()
    const t = newTask({ ...f, officer_id: 'OFF-LX-01' })
    expect(t?.kind).toBe('complaint')
    expect(t?.place).toBe(row.place)
    expect(t?.detail).toContain('GD-1')
    expect(t?.due_on).toBe('2026-03-31')
  })
})
