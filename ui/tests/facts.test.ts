import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Facts from '../src/views/wizard/Facts.vue'
import { setBackend } from '../src/backend'
import { useWizard } from '../src/stores/wizard'

// Issue 19: quick phrases per matter for 违法事实 (catalogue data), one tap
// each, appended to what is already written.
const phrases = ['未经批准，擅自占用＿＿（道路、人行道）摆摊设点经营＿＿', '占道面积约＿＿平方米']

async function mountFacts(list: string[]) {
  const asked: string[] = []
  setBackend({
    kind: 'mock',
    async call(command, req) {
      asked.push(command)
      if (command === 'case_detail') return { case: { status: 'party_and_facts', matter_code: 'CG-001', place: null, facts: null }, evidence: [] } as never
      if (command === 'matter_detail') {
        expect((req as { code: string }).code).toBe('CG-001')
        return { fact_phrases: list } as never
      }
      throw new Error(command)
    },
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const w = mount(Facts, { props: { id: 'c1' }, global: { plugins: [createPinia(), router, i18n] } })
  await flushPromises()
  return { w, asked }
}

describe('Facts screen', () => {
  it('offers the matter’s quick phrases and appends each tapped one', async () => {
    const { w, asked } = await mountFacts(phrases)
    expect(asked).toContain('matter_detail')
    const chips = w.findAll('[data-testid^=phrase-]')
    expect(chips.map((c) => c.text())).toEqual(phrases)
    await chips[0].trigger('click')
    await chips[1].trigger('click')
    const facts = w.find('[data-testid=facts] textarea').element as HTMLTextAreaElement
    expect(facts.value).toBe(`${phrases[0]}，${phrases[1]}`)
  })

  it('shows no phrase row for a matter without phrases', async () => {
    const { w } = await mountFacts([])
    expect(w.find('[data-testid=phrases]').exists()).toBe(false)
  })
})

// Issue 19: the violation time is entered, not assumed: filled from the
// case (the moment it was opened) and sent only when the officer changed it.
describe('Facts screen, violation time', () => {
  async function run(change: string | null) {
    const sent: Record<string, unknown>[] = []
    setBackend({
      kind: 'mock',
      async call(command, req) {
        if (command === 'case_detail') {
          return {
            case: { status: 'draft', matter_code: 'CG-001', place: null, facts: null, violation_time: '2026-03-02 09:50' },
            evidence: [{ id: 'e1', sha256: 'ab', thumb_base64: null, kind: 'photo', verification: 'verified' }],
          } as never
        }
        if (command === 'matter_detail') return { fact_phrases: [] } as never
        if (command === 'draft_get' || command === 'draft_save') return null as never
        if (command === 'case_party_facts') {
          sent.push(req as Record<string, unknown>)
          return { status: 'party_and_facts' } as never
        }
        if (command === 'case_attach_evidence') return { status: 'evidence' } as never
        throw new Error(command)
      },
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
    const pinia = createPinia()
    const w = mount(Facts, { props: { id: 'c1' }, global: { plugins: [pinia, router, i18n] } })
    await flushPromises()
    useWizard(pinia).party.name = '周小川'
    const time = w.find('[data-testid=violation-time] input')
    expect((time.element as HTMLInputElement).value).toBe('2026-03-02T09:50')
    if (change) await time.setValue(change)
    await w.find('[data-testid=place] textarea').setValue('示例路12号')
    await w.find('[data-testid=facts] textarea').setValue('摆摊')
    await w.find('[data-testid=next]').trigger('click')
    await flushPromises()
    return sent
  }

  it('sends the time the officer entered', async () => {
    const sent = await run('2026-03-02T08:30')
    expect(sent).toHaveLength(1)
    expect(sent[0].violation_time).toBe('2026-03-02T08:30')
  })

  it('sends no time when the officer kept the one on record', async () => {
    const sent = await run(null)
    expect(sent).toHaveLength(1)
    expect(sent[0].violation_time).toBeUndefined()
  })
})
