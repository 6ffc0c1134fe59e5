/** The task kinds and the dispatch form's request (issue 17). */
import type { NewTask } from './api/client'

export const KINDS: Record<string, string> = { complaint: '投诉处置', random_inspection: '双随机检查', follow_up: '复查' }

export interface DispatchForm {
  officer_id: string
  kind: string
  place: string
  detail: string
  party_name: string
  due_on: string
}

/** The request, or `null` while a required field is empty. */
export function newTask(f: DispatchForm): NewTask | null {
  const t = (s: string) => s.trim()
  if (!t(f.officer_id) || !(f.kind in KINDS) || !t(f.place) || !t(f.detail)) return null
  return {
    officer_id: t(f.officer_id),
    kind: f.kind,
    place: t(f.place),
    detail: t(f.detail),
    party_name: t(f.party_name) || null,
    due_on: /^\d{4}-\d{2}-\d{2}$/.test(f.due_on) ? f.due_on : null,
    scenarios: [],
  }
}
