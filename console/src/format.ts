/** Display helpers shared by the screens. */

/** Fen as 元 with two decimals. */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—'
  return `${(fen / 100).toFixed(2)} 元`
}

/** Bytes in KB/MB. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** An RFC 3339 time in Beijing wall-clock time (UTC+8). */
export function beijing(ts: string | null | undefined): string {
  if (!ts) return '—'
  const d = new Date(ts)
  if (Number.isNaN(d.getTime())) return ts
  const b = new Date(d.getTime() + 8 * 3600 * 1000)
  return b.toISOString().slice(0, 16).replace('T', ' ')
}

/** Status words: the case statuses of zhifa_core::case::CaseStatus
 * (`label_zh`), then the inspection and task statuses. */
export const STATUS_ZH: Record<string, string> = {
  draft: '草稿',
  party_and_facts: '已登记当事人和事实',
  evidence: '已取证',
  rights_told: '已告知',
  decided: '已决定',
  issued: '已出具决定书',
  served: '已送达',
  paid: '已缴款',
  collected_on_the_spot: '已当场收缴',
  overdue: '逾期未缴',
  no_penalty: '不予处罚',
  correction_ordered: '已责令改正',
  corrected: '已改正',
  filed: '已备案',
  closed: '已结案',
  assigned: '已派发',
  accepted: '已接收',
  done: '已完成',
  open: '检查中',
  finished: '检查完成',
}

export function statusZh(s: string): string {
  return STATUS_ZH[s] ?? s
}

/** A local wall-clock time as the device records it (`2026-03-10T10:00:00.123`)
 * shown to the minute. */
export function wallClock(t: string | null | undefined): string {
  if (!t) return '—'
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(t)
  return m ? `${m[1]} ${m[2]}` : t
}
