import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Preview from '../src/views/wizard/Preview.vue'
import { setBackend } from '../src/backend'

// Issue 19: the preview the party reads before signing shows the legal
// basis (违则 and 罚则) the printed decision carries.
describe('Preview screen', () => {
  it('shows the provisions violated and the penalty basis, cited', async () => {
    const violated = ['《重庆市市容环境卫生管理条例》第十八条第一款第（一）项']
    const penalty = ['《重庆市市容环境卫生管理条例》第四十七条第（一）项']
    setBackend({
      kind: 'mock',
      async call(command) {
        if (command === 'case_detail') {
          return {
            case: {
              status: 'decided', party_name: '周小川', party_id_masked: '5001**********0037', violation_time: '2026-03-02 10:00',
              place: '龙兴镇示例路12号', officers: [], facts: '占道经营', evidence_summary: '照片1张', statement: '当事人放弃陈述申辩',
              penalty_text: '罚款人民币150元', suggested_level: null, deviation_reason: null, remedy_clause: '',
              violated_provisions: violated, penalty_provisions: penalty,
            },
            timeline: [],
            evidence: [],
          } as never
        }
        throw new Error(command)
      },
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
    const w = mount(Preview, { props: { id: 'c1' }, global: { plugins: [createPinia(), router, i18n] } })
    await flushPromises()
    expect(w.find('[data-testid=violated]').text()).toContain(violated[0])
    expect(w.find('[data-testid=penalty-basis]').text()).toContain(penalty[0])
  })
})
