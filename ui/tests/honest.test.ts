// Issue 19: never lose work (the wizard's draft saved on every change and
// restored after a reload, back on every step), honest sync (failing and
// offline before conflicts, with when it last worked) and messages in
// Chinese with the technical detail behind 详情.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import { setBackend } from '../src/backend'
import { autosave, resumeStep, useWizard } from '../src/stores/wizard'
import { syncChip, type ChipInput } from '../src/util/syncchip'
import { rejectText, syncErrorText } from '../src/i18n'
import WizardBar from '../src/components/WizardBar.vue'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
const t = (k: string, a?: Record<string, unknown>) => i18n.global.t(k, a ?? {})

/** A device store in memory: draft rows by case id. */
function draftBackend(rows: Map<string, { step: string; data: string }>) {
  setBackend({
    kind: 'mock',
    async call(command, req) {
      const r = req as { case_id: string; step: string; data: string }
      if (command === 'draft_save') {
        rows.set(r.case_id, { step: r.step, data: r.data })
        return {} as never
      }
      if (command === 'draft_get') {
        const d = rows.get(r.case_id)
        return (d ? { case_id: r.case_id, saved_at: '', ...d } : null) as never
      }
      throw new Error(`unexpected ${command}`)
    },
  })
}

describe('wizard drafts', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('saves every change and restores it after a reload, at its screen', async () => {
    const rows = new Map<string, { step: string; data: string }>()
    draftBackend(rows)
    const w = useWizard()
    w.start('case-1')
    const saver = autosave(w, 'facts')
    w.party.name = '周小川'
    w.place = '龙兴镇示例路12号'
    await nextTick()
    w.facts = '在人行道上摆摊经营水果'
    w.amountText = '150'
    await nextTick()
    await saver.saved()
    await flushPromises()
    saver.stop()
    expect(rows.get('case-1')?.step).toBe('facts')
    // A reload: a fresh store (nothing in memory) restores from the device store.
    setActivePinia(createPinia())
    const again = useWizard()
    expect(again.facts).toBe('')
    await again.restore('case-1')
    expect(again.party.name).toBe('周小川')
    expect(again.place).toBe('龙兴镇示例路12号')
    expect(again.facts).toBe('在人行道上摆摊经营水果')
    expect(again.amountText).toBe('150')
    expect(again.step).toBe('facts')
  })

  it('never reports saved over a change made as a save ends (a reload would lose it)', async () => {
    // A change can land after the save loop's last check but before it
    // reports; sweep that window microtask by microtask.
    for (let depth = 0; depth < 12; depth++) {
      setActivePinia(createPinia())
      const rows = new Map<string, string>()
      const pending: (() => void)[] = []
      setBackend({
        kind: 'mock',
        async call(command, req) {
          const r = req as { case_id: string; data: string }
          if (command !== 'draft_save') throw new Error(command)
          await new Promise<void>((resolve) => pending.push(resolve))
          rows.set(r.case_id, r.data)
          return {} as never
        },
      })
      const w = useWizard()
      w.start('case-r')
      const saver = autosave(w, 'facts')
      // The first save (on showing the screen) settles.
      for (let round = 0; round < 5; round++) {
        await flushPromises()
        while (pending.length) pending.shift()!()
      }
      await flushPromises()
      // One change, its save in flight; it ends, and the facts change
      // `depth` microtasks later.
      w.facts = 'A'
      await flushPromises()
      expect(pending.length).toBe(1)
      pending.shift()!()
      for (let i = 0; i < depth; i++) await Promise.resolve()
      w.facts = `B${depth}`
      for (let round = 0; round < 20; round++) {
        await flushPromises()
        while (pending.length) pending.shift()!()
      }
      await saver.saved()
      await flushPromises()
      saver.stop()
      expect(JSON.parse(rows.get('case-r') ?? '{}').facts, `depth ${depth}`).toBe(`B${depth}`)
      expect(document.documentElement.dataset.draft).toBe('saved')
    }
  })

  it('ignores a damaged draft and keeps another case apart', async () => {
    const rows = new Map([['case-2', { step: 'party', data: '{"place": 7, "facts": "占道"' }]])
    draftBackend(rows)
    const w = useWizard()
    await w.restore('case-2')
    expect(w.caseId).toBe('case-2')
    expect(w.place).toBe('')
    w.apply('{"place": 7, "facts": "占道", "party": {"name": "李红梅"}}')
    expect(w.place).toBe('')
    expect(w.facts).toBe('占道')
    expect(w.party.name).toBe('李红梅')
  })

  it('continues at the draft screen, never before what the case recorded', () => {
    expect(resumeStep('draft', 'facts')).toBe('facts')
    expect(resumeStep('evidence', 'rights')).toBe('rights')
    expect(resumeStep('evidence', null)).toBe('discretion')
    expect(resumeStep('issued', 'rights')).toBe('sign')
    expect(resumeStep('served', 'party')).toBe('done')
    expect(resumeStep('decided', 'sign')).toBe('preview')
  })
})

describe('WizardBar', () => {
  afterEach(() => document.body.replaceChildren())
  for (const step of ['new', 'party', 'facts', 'discretion', 'rights', 'preview', 'sign', 'done'] as const) {
    it(`has back and exit on the ${step} screen`, async () => {
      setActivePinia(createPinia())
      const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
      await router.push('/case/c1/' + step)
      const w = mount(WizardBar, { props: { title: 'x', step, caseId: step === 'new' ? null : 'c1' }, global: { plugins: [i18n, router] } })
      expect(w.find('[data-testid=wizard-back]').exists()).toBe(true)
      expect(w.find('[data-testid=wizard-exit]').exists()).toBe(true)
      await w.find('[data-testid=wizard-back]').trigger('click')
      await flushPromises()
      const i = ['new', 'party', 'facts', 'discretion', 'rights', 'preview', 'sign', 'done'].indexOf(step)
      expect(router.currentRoute.value.path).toBe(i <= 1 ? '/' : `/case/c1/${['new', 'party', 'facts', 'discretion', 'rights', 'preview', 'sign', 'done'][i - 1]}`)
    })
  }
})

describe('sync chip', () => {
  const base: ChipInput = { enrolled: true, state: 'ok', online: true, conflicts: 3, pending: 2, lastOkAt: '2026-03-02T01:05:00Z' }
  const now = new Date('2026-03-02T04:00:00Z')

  it('says the server is failing before any conflict, with when it last worked', () => {
    const c = syncChip({ ...base, state: 'failed' }, t, now)
    expect(c.kind).toBe('failed')
    expect(c.text).toContain('同步失败')
    expect(c.text).toContain('09:05')
    expect(c.text).not.toContain('冲突')
  })

  it('says offline before any conflict, and when it never worked', () => {
    const c = syncChip({ ...base, online: false, lastOkAt: null }, t, now)
    expect(c.kind).toBe('offline')
    expect(c.text).toContain('离线')
    expect(c.text).toContain('尚未成功同步')
    expect(syncChip({ ...base, state: 'offline' }, t, now).kind).toBe('offline')
  })

  it('shows conflicts, then pending, only when the link works', () => {
    expect(syncChip(base, t, now).text).toBe('3 个冲突待处理')
    expect(syncChip({ ...base, conflicts: 0 }, t, now).text).toBe('待上传 2 条')
    expect(syncChip({ ...base, conflicts: 0, pending: 0 }, t, now).kind).toBe('synced')
    expect(syncChip({ ...base, lastOkAt: '2026-02-27T01:05:00Z', state: 'failed' }, t, now).text).toContain('2月27日')
  })
})

describe('messages', () => {
  it('never shows an English detail as the message', () => {
    expect(syncErrorText({ code: 'SOMETHING_NEW', message: 'error sending request for url' })).toBe('同步失败（原因见“详情”）')
    expect(syncErrorText({ code: 'SOMETHING_NEW', message: '服务器维护中' })).toBe('服务器维护中')
    expect(rejectText('not_a_code', 'payload invalid')).not.toMatch(/[a-z]{3,}/)
  })
})

describe('plain words', () => {
  it('keeps codes, HTTP statuses, UUIDs, hashes and paths out of the message', async () => {
    const { errorText, plain } = await import('../src/i18n')
    expect(plain('服务器错误 [payload_too_large] (HTTP 413)：请求过大')).toBe('服务器错误 ：请求过大')
    const m = errorText({ code: 'NOT_MAPPED', message: '未找到案件 0190a3b2-1c2d-7e8f-9a0b-1c2d3e4f5a6b，文件 /home/u/zhifa/evidence/ab/cd.jpg 校验 9f86d081884c7d659a2feaa0c55ad015' })
    expect(m).toContain('未找到案件')
    expect(m).not.toMatch(/[0-9a-f]{8}-|\/home|9f86d0/)
  })
})
