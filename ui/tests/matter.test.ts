import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Matter from '../src/views/Matter.vue'
import { setBackend } from '../src/backend'
import type { MatterDetail, ProvisionView } from '../src/bindings/api'

// Issue 14 item 5: a provision not checked against the official text is
// marked 未核对 on screen, and a regulation's territorial scope is shown.
function provision(citation: string, verified: boolean): ProvisionView {
  return { role_label: '罚则', citation, text: '……', in_force: true, verified, source: verified ? 'https://flk.npc.gov.cn/' : null }
}

function matter(scope: string | null): MatterDetail {
  return {
    code: 'CG-005', name: '乱张贴', kind_label: '法定', domain: '市容', department: '城市管理', entrusting_authority: null,
    scope_note: scope,
    provisions: [provision('《重庆市市容环境卫生管理条例》第三十九条第一款', true), provision('《某办法》第十条', false)],
    statutory_individual: null, statutory_organization: null, correction_first: false,
    first_violation: null, minor_violation: null, levels: [],
    release: { id: 'R', title: '示例', effective_from: '2025-07-01', sample: true },
  } as unknown as MatterDetail
}

async function mountMatter(m: MatterDetail) {
  setBackend({ kind: 'mock', async call(command) { if (command !== 'matter_detail') throw new Error(command); return m as never } })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const w = mount(Matter, { props: { code: m.code }, global: { plugins: [createPinia(), router, i18n] } })
  await flushPromises()
  return w
}

describe('Matter screen', () => {
  it('marks only the unverified provision 未核对 and shows the scope note', async () => {
    const w = await mountMatter(matter('仅适用于建成区（条例第二条、第八十二条）'))
    const rows = w.findAll('[data-testid=provision]')
    expect(rows).toHaveLength(2)
    expect(rows[0].find('[data-testid=provision-unverified]').exists()).toBe(false)
    expect(rows[1].find('[data-testid=provision-unverified]').text()).toBe('未核对')
    expect(w.find('[data-testid=matter-scope]').text()).toContain('建成区')
  })

  it('shows no scope line when the matter has none', async () => {
    const w = await mountMatter(matter(null))
    expect(w.find('[data-testid=matter-scope]').exists()).toBe(false)
  })
})
