import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Discretion from '../src/views/wizard/Discretion.vue'
import { setBackend, type Backend } from '../src/backend'
import { useWizard } from '../src/stores/wizard'
import type { BandView, PenaltyInput, Suggestion } from '../src/bindings/api'

// The rules run in Rust; here the backend answers like it does for a
// WS-001-like clause (《重庆市公共场所控制吸烟条例》第十九条第一款): the ordinary
// band allows only a fixed 50 元 fine, the 拒不改正 band only 200 元 and
// only when 拒不改正 is attested. Any other amount is refused.
const article = '《重庆市公共场所控制吸烟条例》第十九条第一款'
const b1: BandView = {
  id: 'B1', name: '一般', article, fine: { min_fen: 5000, max_fen: 5000 }, fixed_fen: [5000],
  preconditions: [], missing: [], mandatory: [], optional: [], usable: true, reason: '可以适用',
}
const b2: BandView = {
  id: 'B2', name: '拒不改正', article, fine: { min_fen: 20000, max_fen: 20000 }, fixed_fen: [20000],
  preconditions: ['拒不改正'], missing: ['拒不改正'], mandatory: ['罚款'], optional: [], usable: false, reason: '尚未认定拒不改正',
}

function backend(seen: (PenaltyInput | null)[]): Backend {
  return {
    kind: 'mock',
    async call(command, req) {
      if (command !== 'case_suggest') throw new Error(command)
      const penalty = (req as { penalty: PenaltyInput | null }).penalty
      seen.push(penalty)
      const lawful = penalty?.kind === 'fine' && penalty.amount_fen === 5000
      const refused = penalty?.kind === 'fine' && !lawful
      const s: Suggestion = {
        levels: [{
          code: 'L1', name: '一般', conditions: '初次违法', circumstances: [], applies: true, suggested: true, warning: false,
          lawful_fine: { min_fen: 5000, max_fen: 5000 }, reason: '',
        }],
        suggested_level: 'L1', range: { min_fen: 5000, max_fen: 20000 }, exemption: 'none',
        simple_procedure: true, simple_procedure_reason: '罚款不超过200元（行政处罚法第五十一条）', needs_reason: false,
        problems: refused
          ? [{ code: 'PENALTY_AMOUNT_NOT_FIXED', message: `${article}规定的罚款数额为 50元，不能处 ${(penalty?.amount_fen ?? 0) / 100}元` }]
          : [],
        bands: [b1, b2],
        band: lawful ? 'B1' : null,
      }
      return s as never
    },
  }
}

async function mountDiscretion(seen: (PenaltyInput | null)[], amountFen: number) {
  setBackend(backend(seen))
  const pinia = createPinia()
  setActivePinia(pinia)
  const wizard = useWizard()
  wizard.start('c1')
  wizard.chooseLevel('L1', [])
  wizard.penalty = { kind: 'fine', amount_fen: amountFen }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const w = mount(Discretion, { props: { id: 'c1' }, global: { plugins: [pinia, router, i18n] } })
  await flushPromises()
  return w
}

describe('Discretion screen', () => {
  it('shows a refused amount in Chinese and keeps 下一步 disabled', async () => {
    const seen: (PenaltyInput | null)[] = []
    const w = await mountDiscretion(seen, 10000)
    expect(seen[seen.length - 1]).toEqual({ kind: 'fine', amount_fen: 10000 })
    const refusal = w.find('[data-testid=refusal]')
    expect(refusal.exists()).toBe(true)
    expect(refusal.attributes('data-code')).toBe('PENALTY_AMOUNT_NOT_FIXED')
    expect(refusal.text()).toContain('不能处 100元')
    // The stable code is not visible text until 详情 is opened.
    expect(w.text()).not.toContain('PENALTY_AMOUNT_NOT_FIXED')
    await refusal.trigger('click')
    expect(w.find('[data-testid=refusal]').text()).toContain('PENALTY_AMOUNT_NOT_FIXED')
    expect(w.find('[data-testid=blocked]').exists()).toBe(true)
    expect(w.find('[data-testid=next]').attributes('disabled')).toBeDefined()
    // Without a lawful proposal, every band of the clause is shown.
    expect(w.find('[data-testid=band-B1]').exists()).toBe(true)
    expect(w.find('[data-testid=band-B2]').text()).toContain('拒不改正')
  })

  it('shows the band of an accepted amount and enables 下一步', async () => {
    const seen: (PenaltyInput | null)[] = []
    const w = await mountDiscretion(seen, 5000)
    expect(seen[seen.length - 1]).toEqual({ kind: 'fine', amount_fen: 5000 })
    expect(w.find('[data-testid=refusal]').exists()).toBe(false)
    expect(w.find('[data-testid=blocked]').exists()).toBe(false)
    const card = w.find('[data-testid=band-B1]')
    expect(card.exists()).toBe(true)
    expect(card.text()).toContain('一般')
    expect(card.text()).toContain(article)
    expect(card.find('[data-testid=band-fine]').text()).toContain('固定数额')
    expect(card.find('[data-testid=band-fine]').text()).toContain('50')
    expect(card.find('[data-testid=band-preconditions]').text()).toContain('无')
    // Only the proposal's band is shown once it keeps to one.
    expect(w.find('[data-testid=band-B2]').exists()).toBe(false)
    expect(w.find('[data-testid=next]').attributes('disabled')).toBeUndefined()
  })

  it('names a band’s preconditions and mandatory kinds', async () => {
    const w = await mountDiscretion([], 20000)
    const card = w.find('[data-testid=band-B2]')
    expect(card.find('[data-testid=band-preconditions]').text()).toContain('拒不改正')
    expect(card.find('[data-testid=band-mandatory]').text()).toContain('罚款')
    expect(card.text()).toContain('尚未具备：拒不改正')
  })
})
