/**
 * List filters kept in the URL query, so a filtered list can be reloaded,
 * bookmarked and sent to a colleague. Each list names its filter keys;
 * `fromQuery` reads them (dropping anything else and empty values),
 * `toQuery` writes them back (dropping empty ones), and `apiQuery` adds
 * the page cursor for the server.
 */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

export type Filters = Record<string, string>

export const CASE_FILTERS = ['township', 'matter', 'officer', 'status', 'from', 'to', 'flagged'] as const
export const INSPECTION_FILTERS = ['township', 'officer', 'status', 'from', 'to', 'failed'] as const
export const TASK_FILTERS = ['township', 'status', 'kind'] as const

export function fromQuery(q: LocationQuery, keys: readonly string[]): Filters {
  const out: Filters = {}
  for (const k of keys) {
    const v = q[k]
    const s = Array.isArray(v) ? v[0] : v
    if (typeof s === 'string' && s.trim() !== '') out[k] = s.trim()
  }
  return out
}

export function toQuery(f: Filters, keys: readonly string[]): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  for (const k of keys) {
    const v = f[k]?.trim()
    if (v) out[k] = v
  }
  return out
}

/** The server query: the filters, booleans as booleans, and the cursor. */
export function apiQuery(f: Filters, after: string | null): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {}
  for (const [k, v] of Object.entries(f)) {
    out[k] = v === 'true' ? true : v === 'false' ? false : v
  }
  if (after) out.after = after
  return out
}

/** Whether two filter sets are the same (to skip a needless reload). */
export function sameFilters(a: Filters, b: Filters): boolean {
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
}
