import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Facts from '../src/views/wizard/Facts.vue'
import { setBackend } from '../src/backend'

// Issue 19: quick phrases per matter for 违法事实 (catalogue data), one tap
// each, appended to what is already written.
const phrases = ['未经批准，擅自占用__（道路、人行道）摆摊设点经营__', '占道面积约__平方米']

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
