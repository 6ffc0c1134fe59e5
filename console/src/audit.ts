/**
 * The audit screen's query (issue 17): the filters in the URL as the
 * server wants them — days (Beijing) become RFC 3339 moments, the "to"
 * day inclusive (the server's `to` is exclusive, so the next day's start).
 */
import type { AuditQuery } from './api/client'

export const AUDIT_FILTERS = ['actor', 'action', 'from', 'to'] as const

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function auditQuery(f: Record<string, string | boolean>): AuditQuery {
  const q: AuditQuery = {}
  if (typeof f.actor === 'string') q.actor = f.actor
  if (typeof f.action === 'string') q.action = f.action
  if (typeof f.from === 'string' && DAY.test(f.from)) q.from = `${f.from}T00:00:00+08:00`
  if (typeof f.to === 'string' && DAY.test(f.to)) q.to = `${nextDay(f.to)}T00:00:00+08:00`
  if (typeof f.after === 'string' && /^\d+$/.test(f.after)) q.after = Number(f.after)
  return q
}
