/**
 * The city platforms' events in the dispatcher's inbox (issue 17 item 4):
 * their labels, the offset paging of `GET /v1/console/events` as the
 * lists' "next page" cursor, the reply clock in words, and the task a
 * dispatcher starts from an event.
 */
import type { EventPage, EventRow } from './api/client'
import type { DispatchForm } from './tasks'

export const EVENT_FILTERS = ['status', 'kind'] as const

export const EVENT_STATUS: Record<string, string> = { new: '待处置', task: '已派发任务', case_source: '已转案源' }

export const EVENT_KINDS: Record<string, string> = {
  complaint: '投诉举报',
  report: '网格上报',
  assignment: '上级交办',
  camera: '视频发现',
  other: '其他',
}

/** Rows per page. */
export const EVENT_PAGE = 50

/** The server query of a list query with the keyset-style cursor (an offset). */
export function eventQuery(q: Record<string, string | boolean>): Record<string, string | number> {
  const out: Record<string, string | number> = { limit: EVENT_PAGE }
  for (const k of EVENT_FILTERS) if (typeof q[k] === 'string') out[k] = q[k] as string
  const after = typeof q.after === 'string' ? Number(q.after) : 0
  if (Number.isInteger(after) && after > 0) out.offset = after
  return out
}

/** A page as the lists read it: `next` is the next offset, or null. */
export function eventPage(p: EventPage, offset: number): { rows: EventRow[]; next: string | null } {
  const end = offset + p.rows.length
  return { rows: p.rows, next: end < p.total && p.rows.length > 0 ? String(end) : null }
}

/** The reply clock in words. */
export function replyClock(e: Pick<EventRow, 'reply_days' | 'reply_due' | 'reply_basis'>): string {
  if (e.reply_days == null) return '无法定答复期限'
  const basis = e.reply_basis === 'configuration' ? '平台配置' : e.reply_basis ?? ''
  if (!e.reply_due) return `${e.reply_days} 个工作日（无工作日历，未能计算截止日）`
  return `${e.reply_due} 前答复（${e.reply_days} 个工作日，${basis}）`
}

/** The dispatch form an event fills in: its place, and its words as the task. */
export function taskFromEvent(e: EventRow): DispatchForm {
  return {
    officer_id: '',
    kind: e.kind === 'complaint' ? 'complaint' : 'follow_up',
    place: e.place,
    detail: `${e.platform_name} ${e.external_id}（${EVENT_KINDS[e.kind] ?? e.kind}）：${e.description}`.slice(0, 2000),
    party_name: '',
    due_on: e.reply_due ?? '',
  }
}
