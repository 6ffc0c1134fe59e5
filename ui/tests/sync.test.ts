import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import { rejectText, syncErrorText } from '../src/i18n'
import { setBackend, BackendError, type Backend } from '../src/backend'
import { useSync } from '../src/stores/sync'
import Sync from '../src/views/Sync.vue'
import { SYNC_ERROR_KINDS, SYNC_REJECT_CODES, type ConflictView, type SyncLive, type SyncRecordView, type SyncStatus } from '../src/bindings/api'
import { dateTime } from '../src/util/format'

const stream = (s: string, state = 'idle', done = 0, total: number | null = null) => ({
  stream: s, label: s, state, records_done: done, records_total: total, bytes_done: 0, bytes_total: null,
})

function liveState(state: string, extra: Partial<SyncLive> = {}): SyncLive {
  return {
    state, reason: null, online: true,
    streams: [stream('catalogue'), stream('push', state === 'ok' ? 'done' : 'idle', 2, 2), stream('inbox'), stream('blobs'), stream('leases')],
    last_error: null, started_at: null, last_ok_at: null, next_attempt_at: null, failures: 0, last_report: null, ...extra,
  }
}

/** A fake command layer with one rejected record and one pending one. */
function fakeBackend(calls: Array<[string, unknown]>) {
  let enrolled = false
  let live = liveState('not_enrolled')
  let conflicts: ConflictView[] = [{
    seq: 3, lease_id: null, entity: 'case', label: '案件 · 立案', entity_id: 'c1', code: 'jurisdiction', message: '案件属地不在辖区',
    at: '2026-03-02T02:00:00Z', resolved_at: null, resolution: null, note: null, retry_seq: null, actions: ['acknowledge', 'retry'],
  }, {
    seq: 0, lease_id: 'L-9', entity: 'number_lease', label: '文书编号段 · 领取', entity_id: 'L-9', code: 'NUMBER_LEASE_OVERLAP', message: '号段重叠（号段 decision_on_the_spot 2026 年 1–200）',
    at: '2026-03-02T02:00:01Z', resolved_at: null, resolution: null, note: null, retry_seq: null, actions: ['acknowledge'],
  }]
  const records: SyncRecordView[] = [
    { seq: 4, entity: 'case', label: '案件 · 办理进展', entity_id: 'c1', op: 'advance', created_at: '2026-03-02T02:00:00Z', pushed_at: null, status: 'pending', code: null, message: null },
    { seq: 3, entity: 'case', label: '案件 · 立案', entity_id: 'c1', op: 'create', created_at: '2026-03-02T02:00:00Z', pushed_at: '2026-03-02T02:01:00Z', status: 'rejected', code: 'jurisdiction', message: '案件属地不在辖区' },
  ]
  let listener: ((l: SyncLive) => void) | null = null
  const status = (): SyncStatus => ({
    enrolment: enrolled ? { server_url: 'http://127.0.0.1:8780', officer_id: 'OFF-LX-01', township: '500112108', role: 'officer' } : null,
    live, counts: { pending: 1, applied: 0, duplicate: 0, rejected: 1 }, open_conflicts: conflicts.filter((c) => !c.resolved_at).length,
  })
  const backend: Backend = {
    kind: 'mock',
    async call(command, req) {
      calls.push([command, req])
      switch (command) {
        case 'sync_status':
          return status() as never
        case 'sync_enrol': {
          const r = req as { server_url: string; code: string }
          if (r.code !== 'GOOD') throw new BackendError({ code: 'enrol_code_invalid', message: '激活码无效' })
          enrolled = true
          live = liveState('idle')
          return status() as never
        }
        case 'sync_now':
          live = liveState('running', { reason: 'manual' })
          return status() as never
        case 'sync_network':
          live = { ...live, online: (req as { online: boolean }).online }
          return live as never
        case 'sync_records': {
          const s = (req as { status: string | null }).status
          return records.filter((r) => s === null || r.status === s) as never
        }
        case 'sync_conflicts':
          return conflicts as never
        case 'sync_resolve': {
          const r = req as { seq: number; lease_id?: string; action: string; note: string | null }
          const hit = (c: ConflictView) => (r.lease_id !== undefined ? c.lease_id === r.lease_id : c.lease_id === null && c.seq === r.seq)
          conflicts = conflicts.map((c) => hit(c)
            ? { ...c, resolved_at: '2026-03-02T03:00:00Z', resolution: r.action === 'retry' ? 'retried' : 'acknowledged', note: r.note, retry_seq: r.action === 'retry' ? 5 : null, actions: [] }
            : c)
          return conflicts.find(hit) as never
        }
        default:
          throw new Error(`unexpected ${command}`)
      }
    },
    async onSync(cb) {
      listener = cb
      return () => { listener = null }
    },
  }
  return {
    backend,
    push(l: SyncLive) { live = l; listener?.(l) },
    listening: () => listener !== null,
  }
}

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

describe('sync store', () => {
  let calls: Array<[string, unknown]>
  let fake: ReturnType<typeof fakeBackend>
  beforeEach(() => {
    setActivePinia(createPinia())
    calls = []
    fake = fakeBackend(calls)
    setBackend(fake.backend)
  })
  afterEach(() => useSync().unwatch())

  it('enrols, reports connectivity, runs now and follows pushed progress', async () => {
    const s = useSync()
    await s.watch()
    expect(s.enrolled).toBe(false)
    expect(s.live?.state).toBe('not_enrolled')
    expect(fake.listening()).toBe(true)
    expect(calls.some(([c, r]) => c === 'sync_network' && (r as { online: boolean }).online === true)).toBe(true)
    await expect(s.enrol(' http://127.0.0.1:8780 ', 'BAD')).rejects.toMatchObject({ code: 'enrol_code_invalid' })
    await s.enrol(' http://127.0.0.1:8780 ', ' GOOD ')
    expect(calls.find(([c]) => c === 'sync_enrol')?.[1]).toEqual({ server_url: 'http://127.0.0.1:8780', code: 'BAD' })
    expect(calls.filter(([c]) => c === 'sync_enrol')[1]?.[1]).toEqual({ server_url: 'http://127.0.0.1:8780', code: 'GOOD' })
    expect(s.enrolled).toBe(true)
    await s.runNow()
    expect(s.running).toBe(true)
    fake.push(liveState('ok', { last_ok_at: '2026-03-02T02:05:00Z' }))
    expect(s.live?.state).toBe('ok')
    expect(s.running).toBe(false)
  })

  it('lists records by status and resolves conflicts without dropping them', async () => {
    const s = useSync()
    await s.watch()
    expect(s.records.map((r) => r.status)).toEqual(['pending', 'rejected'])
    await s.setFilter('rejected')
    expect(s.records.map((r) => r.seq)).toEqual([3])
    expect(s.openConflicts).toHaveLength(2)
    await s.resolve({ seq: 3, lease_id: null }, 'acknowledge', '已报告中队')
    expect(s.openConflicts.map((c) => c.lease_id)).toEqual(['L-9'])
    expect(s.resolvedConflicts[0]).toMatchObject({ seq: 3, resolution: 'acknowledged', note: '已报告中队' })
    // A refused lease grant has no outbox seq: it is resolved by its lease id.
    await s.resolve(s.openConflicts[0]!, 'acknowledge', '号段重叠已报告')
    expect(calls.filter(([c]) => c === 'sync_resolve').slice(-1)[0]?.[1]).toEqual({ seq: 0, lease_id: 'L-9', action: 'acknowledge', note: '号段重叠已报告' })
    expect(s.openConflicts).toHaveLength(0)
    expect(s.resolvedConflicts.map((c) => c.lease_id)).toEqual([null, 'L-9'])
  })
})

describe('sync words', () => {
  it('translates stable codes into plain Chinese, falling back to the detail', () => {
    expect(syncErrorText({ code: 'device_revoked', message: 'x' })).toContain('停用')
    expect(syncErrorText({ code: 'SYNC_NETWORK', message: 'x' })).toContain('网络')
    expect(syncErrorText({ code: 'something_new', message: '服务器说明' })).toBe('服务器说明')
    expect(rejectText('lease_not_granted', 'x')).toContain('号段')
    expect(rejectText('unknown_code', '原文')).toBe('原文')
    expect(dateTime('2026-03-02T16:30:00Z')).toBe('2026-03-03 00:30')
  })
  it('has a plain-words entry for every protocol error and rejection code', () => {
    // Generated from sync/src/error.rs into the bindings, so a new code
    // without words fails here.
    for (const k of SYNC_ERROR_KINDS) expect(zhCN.syncErrors[k], k).toBeTruthy()
    for (const k of SYNC_REJECT_CODES) expect(zhCN.reject[k], k).toBeTruthy()
    expect(SYNC_ERROR_KINDS.length).toBeGreaterThan(15)
    expect(SYNC_REJECT_CODES).toContain('lease_not_granted')
  })
})

describe('Sync screen', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => useSync().unwatch())

  it('shows the enrolment form, the streams, the conflict and its acknowledgement', async () => {
    const fake = fakeBackend([])
    setBackend(fake.backend)
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: Sync }] })
    const w = mount(Sync, { global: { plugins: [i18n, router] }, attachTo: document.body })
    await flushPromises()
    expect(w.find('[data-testid="enrol-form"]').exists()).toBe(true)
    expect(w.findAll('[data-testid="stream"]')).toHaveLength(5)
    expect(w.find('[data-testid="sync-state"]').text()).toBe('未激活')
    const conflict = w.find('[data-testid="conflict"]')
    expect(conflict.text()).toContain('辖区')
    // Refused lease grants are on the same screen, without a record number.
    expect(w.findAll('[data-testid="conflict"]').map((c) => c.attributes('data-code'))).toEqual(['jurisdiction', 'NUMBER_LEASE_OVERLAP'])
    expect(w.findAll('[data-testid="conflict"]')[1]!.text()).not.toContain('第 0 号')
    expect(w.findAll('[data-testid="record"]').map((r) => r.attributes('data-status'))).toEqual(['pending', 'rejected'])
    await conflict.find('[data-testid="conflict-ack"]').trigger('click')
    await flushPromises()
    const note = document.querySelector('[data-testid="ack-note"] textarea') as HTMLTextAreaElement
    note.value = '已报告中队'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    ;(document.querySelector('[data-testid="ack-submit"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(w.findAll('[data-testid="conflict"]').map((c) => c.attributes('data-code'))).toEqual(['NUMBER_LEASE_OVERLAP'])
    expect(w.find('[data-testid="conflict-resolved"]').text()).toContain('已确认：已报告中队')
    fake.push(liveState('failed', { last_error: { code: 'device_revoked', message: '设备已停用', at: '2026-03-02T02:00:00Z' } }))
    await flushPromises()
    expect(w.find('[data-testid="sync-error"]').text()).toContain('本机已被管理员停用')
    w.unmount()
  })
})
