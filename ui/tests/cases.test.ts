// The case list: the rows are the active status tab's panel (every tab
// controls a panel that exists, as axe-core requires in the e2e), a case
// decided 不予处罚 shows its ground with the article, and another tab asks
// the command layer for that status.
import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Cases from '../src/views/Cases.vue'
import { setBackend } from '../src/backend'
import type { CaseSummary } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

const row = (id: string, over: Partial<CaseSummary>): CaseSummary => ({
  id, matter_name: '占道经营', status: 'served', status_label: '已送达', party_masked: '赵**', document_number: null,
  violation_time: '2026-03-02T10:00', updated_at: '2026-03-02T10:20:00Z', amount_fen: null, draft_step: null,
  no_penalty_ground: null, ...over,
})

describe('case list', () => {
  it('lists the cases of the chosen status inside its tab panel, 不予处罚 with its article', async () => {
    const asked: (string | null)[] = []
    const all = [
      row('c1', { status: 'no_penalty', status_label: '不予处罚', no_penalty_ground: '初次违法且危害后果轻微并及时改正（第三十三条第一款）' }),
      row('c2', { document_number: '龙兴综执当罚〔2026〕1号', amount_fen: 15000 }),
    ]
    setBackend({
      kind: 'mock',
      async call(command, req) {
        if (command !== 'case_list') throw new Error(command)
        const status = (req as { status: string | null }).status
        asked.push(status)
        return all.filter((c) => status === null || c.status === status) as never
      },
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: Cases }] })
    const w = mount(Cases, { global: { plugins: [i18n, router] }, attachTo: document.body })
    await flushPromises()
    expect(asked).toEqual([null])
    const tabs = w.findAll('[role=tab]')
    expect(tabs.length).toBe(4)
    for (const t of tabs) {
      const controls = t.attributes('aria-controls')
      expect(controls, t.text()).toBeTruthy()
      expect(document.getElementById(controls ?? ''), `panel of ${t.text()}`).not.toBeNull()
    }
    const panel = document.getElementById(tabs[0].attributes('aria-controls') ?? '')
    expect(panel?.querySelector('[data-testid=case-c1]')).not.toBeNull()
    expect(w.find('[data-testid=row-no-penalty]').text()).toBe('不予处罚：初次违法且危害后果轻微并及时改正（第三十三条第一款）')
    expect(w.findAll('[data-testid^=case-c]')).toHaveLength(2)

    await tabs[2].trigger('click')
    await flushPromises()
    expect(asked).toEqual([null, 'served'])
    expect(w.findAll('[data-testid^=case-c]').map((r) => r.attributes('data-testid'))).toEqual(['case-c2'])
    w.unmount()
  })
})
