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

/** The actions the screen offers as filters, with their words. */
export const AUDIT_ACTIONS = [
  { value: 'case.read', label: '查看案卷（含个人信息）' },
  { value: 'record.list', label: '查询列表' },
  { value: 'session.signin', label: '登录' },
  { value: 'session.signin_failed', label: '登录失败' },
  { value: 'supervise.report', label: '监督报告' },
  { value: 'supervise.clue', label: '处置线索' },
  { value: 'audit.read', label: '查看审计日志' },
  { value: 'adoption.publish', label: '发布镇街承接事项' },
  { value: 'adoption.draft', label: '保存承接事项草稿' },
]

export function actionLabel(a: string): string {
  return AUDIT_ACTIONS.find((x) => x.value === a)?.label ?? a
}
