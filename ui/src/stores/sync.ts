// The sync screen's state: the live status of the background sync (pushed
// by the Tauri shell as events, polled from `zhifa web`), the outbox
// records with their status, the conflicts and their resolution, and the
// webview's connectivity, which it reports to the worker (`online` starts
// a sync; the period pauses while offline).
import { defineStore } from 'pinia'
import { backend, call } from '../backend'
import type { ConflictView, SyncLive, SyncRecordView, SyncStatus } from '../bindings/api'

/** A conflict's stable key: its outbox seq, or the lease id of a refused
 *  lease grant (which has no outbox record). */
export function conflictKey(c: Pick<ConflictView, 'seq' | 'lease_id'>): string {
  return c.lease_id !== null ? `lease:${c.lease_id}` : `seq:${c.seq}`
}

/** How often the screens poll while a run is under way, or idle on the sync screen. */
export const POLL_RUNNING_MS = 700
export const POLL_IDLE_MS = 5000

export type RecordFilter = 'all' | 'pending' | 'applied' | 'rejected'

export const useSync = defineStore('sync', {
  state: () => ({
    status: null as SyncStatus | null,
    records: [] as SyncRecordView[],
    conflicts: [] as ConflictView[],
    filter: 'all' as RecordFilter,
    watching: 0,
    timer: null as ReturnType<typeof setTimeout> | null,
    unlisten: null as (() => void) | null,
    wired: false,
    /** Quick polls left after asking for a run (the worker starts it shortly). */
    burst: 0,
  }),
  getters: {
    live: (s): SyncLive | null => s.status?.live ?? null,
    running: (s): boolean => s.status?.live.state === 'running',
    enrolled: (s): boolean => !!s.status?.enrolment,
    openConflicts: (s): ConflictView[] => s.conflicts.filter((c) => c.resolved_at === null),
    resolvedConflicts: (s): ConflictView[] => s.conflicts.filter((c) => c.resolved_at !== null),
  },
  actions: {
    async refresh() {
      const before = this.status?.live
      this.status = await call('sync_status', {})
      const now = this.status.live
      // Records and conflicts change while a run pushes and when it ends;
      // a short run may start and end between two polls.
      const changed = !before || before.state !== now.state || before.started_at !== now.started_at || now.state === 'running'
      if (this.watching > 0 && changed) await this.loadLists()
    },
    async loadLists() {
      const status = this.filter === 'all' ? null : this.filter
      const [records, conflicts] = await Promise.all([
        call('sync_records', { status, limit: 200 }),
        call('sync_conflicts', {}),
      ])
      this.records = records
      this.conflicts = conflicts
    },
    async setFilter(f: RecordFilter) {
      this.filter = f
      await this.loadLists()
    },
    /** Applies a live state pushed by the shell. */
    applyLive(live: SyncLive) {
      const ended = this.status?.live.state === 'running' && live.state !== 'running'
      if (this.status) this.status = { ...this.status, live }
      // The counts and lists come from the store once the run has ended.
      if (ended) void this.refresh().then(() => this.loadLists()).catch(() => undefined)
    },
    async runNow(reason = 'manual') {
      this.status = await call('sync_now', { reason })
      this.burst = 6
      this.schedule()
    },
    async enrol(serverUrl: string, code: string) {
      this.status = await call('sync_enrol', { server_url: serverUrl.trim(), code: code.trim() })
      await this.loadLists()
      this.burst = 6
      this.schedule()
    },
    /** Resolves a conflict: a rejected record by its outbox seq, a refused
     *  lease grant (seq 0) by its server lease id. */
    async resolve(target: Pick<ConflictView, 'seq' | 'lease_id'>, action: 'acknowledge' | 'retry', note: string | null) {
      const req = target.lease_id !== null ? { seq: 0, lease_id: target.lease_id, action, note } : { seq: target.seq, action, note }
      const c = await call('sync_resolve', req)
      this.conflicts = this.conflicts.map((x) => (conflictKey(x) === conflictKey(c) ? c : x))
      await this.refresh()
      await this.loadLists()
    },
    async setOnline(online: boolean) {
      const live = await call('sync_network', { online })
      if (this.status) this.status = { ...this.status, live }
      if (online) this.burst = 6
      this.schedule()
    },
    /** Wires the connectivity events once per page: `online` / `offline`
     *  go to the worker, and coming back to the page asks for a sync. */
    wire() {
      if (this.wired || typeof window === 'undefined') return
      this.wired = true
      window.addEventListener('online', () => void this.setOnline(true).catch(() => undefined))
      window.addEventListener('offline', () => void this.setOnline(false).catch(() => undefined))
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible' && this.enrolled) void this.runNow('resume').catch(() => undefined)
      })
      void this.setOnline(navigator.onLine).catch(() => undefined)
    },
    /** A screen shows sync state: keep it fresh until `unwatch`. */
    async watch() {
      this.watching += 1
      this.wire()
      const b = backend()
      if (b.onSync && !this.unlisten) {
        try {
          this.unlisten = await b.onSync((l) => this.applyLive(l))
        } catch {
          this.unlisten = null
        }
      }
      await this.refresh()
      await this.loadLists()
      this.schedule()
    },
    unwatch() {
      this.watching = Math.max(0, this.watching - 1)
      if (this.watching === 0) {
        if (this.timer) clearTimeout(this.timer)
        this.timer = null
        this.unlisten?.()
        this.unlisten = null
      }
    },
    schedule() {
      if (this.timer) clearTimeout(this.timer)
      this.timer = null
      if (this.watching === 0) return
      // Events carry progress in the app; polling still catches the end of
      // a run and the browser build has nothing else.
      const quick = this.running || this.burst > 0
      if (this.burst > 0) this.burst -= 1
      const ms = quick ? POLL_RUNNING_MS : POLL_IDLE_MS
      this.timer = setTimeout(() => {
        void this.refresh()
          .catch(() => undefined)
          .finally(() => this.schedule())
      }, ms)
    },
  },
})
