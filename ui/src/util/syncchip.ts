// The home screen's sync chip in a few honest words. A device that cannot
// reach the server says so first — failed or offline, with when it last
// succeeded — and only then what waits for the officer (conflicts) or the
// server (records not yet uploaded). A conflict list read while the server
// is unreachable may be stale, so it never hides the failure.

export interface ChipInput {
  enrolled: boolean
  /** `idle`, `running`, `ok`, `failed`, `offline` or `not_enrolled`. */
  state: string
  /** The webview's own connectivity (`navigator.onLine`, reported to the worker). */
  online: boolean
  conflicts: number
  pending: number
  /** When the last sync completed (RFC 3339), or null. */
  lastOkAt: string | null
}

export interface Chip {
  /** `failed`, `offline`, `running`, `conflicts`, `pending`, `synced` or `not_enrolled`. */
  kind: string
  text: string
}

type T = (key: string, args?: Record<string, unknown>) => string

/** `HH:MM` today, else `M月D日 HH:MM` (Beijing time). */
export function lastOkText(at: string | null, now: Date = new Date()): string | null {
  if (!at) return null
  const d = new Date(at)
  if (isNaN(d.getTime())) return null
  const fmt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', ...o }).format(d)
  const day = (x: Date) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short' }).format(x)
  const hm = fmt({ hour: '2-digit', minute: '2-digit', hour12: false })
  if (day(d) === day(now)) return hm
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' }).formatToParts(d)
  const part = (k: string) => parts.find((p) => p.type === k)?.value ?? ''
  return `${part('month')}月${part('day')}日 ${hm}`
}

export function syncChip(s: ChipInput, t: T, now: Date = new Date()): Chip {
  const last = lastOkText(s.lastOkAt, now)
  const since = last ? t('home.lastOk', { at: last }) : t('home.neverOk')
  if (!s.enrolled) {
    return { kind: 'not_enrolled', text: s.pending > 0 ? `${t('home.syncNotEnrolled')} · ${t('home.sync', { n: s.pending })}` : t('home.syncNotEnrolled') }
  }
  if (s.state === 'running') return { kind: 'running', text: t('home.syncRunning') }
  if (!s.online || s.state === 'offline') return { kind: 'offline', text: `${t('home.syncOffline')} · ${since}` }
  if (s.state === 'failed') return { kind: 'failed', text: `${t('home.syncFailed')} · ${since}` }
  if (s.conflicts > 0) return { kind: 'conflicts', text: t('home.syncConflicts', { n: s.conflicts }) }
  if (s.pending > 0) return { kind: 'pending', text: t('home.sync', { n: s.pending }) }
  return { kind: 'synced', text: t('home.synced') }
}
