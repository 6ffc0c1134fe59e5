import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Rights from '../src/views/wizard/Rights.vue'
import { setBackend } from '../src/backend'

// Issue 19: 告知, 陈述申辩 and 决定 are three acts, each on its own tap and
// so at its own time; before, one tap recorded all three at one second.
// The backend here keeps the case's state as the core would.
async function mountRights() {
  const acts: { command: string; req: Record<string, unknown> }[] = []
  const timeline: { kind: string; at: string }[] = []
  const state = { status: 'evidence', statement: null as string | null }
  let minute = 0
  const stamp = (kind: string) => timeline.push({ kind, at: `2026-12-06T01:${String(10 + minute++).padStart(2, '0')}:00Z` })
  setBackend({
    kind: 'mock',
    async call(command, req) {
      const r = req as Record<string, unknown>
      if (command === 'case_detail') {
        return { case: { status: state.status, statement: state.statement, matter_name: '占道经营', facts: '摆摊' }, timeline, evidence: [] } as never
      }
      acts.push({ command, req: r })
      if (command === 'case_inform') {
        state.status = 'rights_told'
        stamp('inform_rights')
      } else if (command === 'case_statement') {
        state.statement = r.statement ? `陈述申辩：${r.statement}` : `当事人放弃陈述申辩：“${r.waiver_words}”`
        stamp(r.statement ? 'hear_statement' : 'waive_statement')
      } else if (command === 'case_decide') {
        state.status = 'decided'
        stamp('decide')
      } else if (command !== 'draft_save' && command !== 'draft_get') throw new Error(command)
      return null as never
    },
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const w = mount(Rights, { props: { id: 'c1' }, global: { plugins: [createPinia(), router, i18n] } })
  await flushPromises()
  const steps = () => acts.filter((a) => a.command.startsWith('case_')).map((a) => a.command)
  return { w, steps, acts, timeline }
}

describe('Rights screen', () => {
  it('records the 告知, then the waiver in the party’s words, then the decision, one tap each', async () => {
    const { w, steps, acts } = await mountRights()
    expect(w.find('[data-testid=record-statement]').exists()).toBe(false)
    await w.find('[data-testid=inform]').trigger('click')
    await flushPromises()
    expect(steps()).toEqual(['case_inform'])
    expect(w.find('[data-testid=informed-at]').text()).toContain('09:10:00')
    expect(w.find('[data-testid=next]').exists()).toBe(false)

    await w.find('[data-testid=waiver-phrase]').trigger('click')
    await w.find('[data-testid=record-statement]').trigger('click')
    await flushPromises()
    expect(steps()).toEqual(['case_inform', 'case_statement'])
    const statement = acts.find((a) => a.command === 'case_statement')!.req
    expect(statement.statement).toBeNull()
    expect(statement.waiver_words).toBe('我放弃陈述、申辩')
    expect(w.find('[data-testid=statement-recorded]').text()).toContain('我放弃陈述、申辩')

    await w.find('[data-testid=next]').trigger('click')
    await flushPromises()
    expect(steps()).toEqual(['case_inform', 'case_statement', 'case_decide'])
  })

  it('needs the review with a statement before it records', async () => {
    const { w, steps } = await mountRights()
    await w.find('[data-testid=inform]').trigger('click')
    await flushPromises()
    await w.find('[data-testid=heard]').trigger('click')
    await w.find('[data-testid=statement] textarea').setValue('刚到此处，愿意立即收摊')
    const record = w.find('[data-testid=record-statement]')
    expect(record.attributes('disabled')).toBeDefined()
    await w.find('[data-testid=review] textarea').setValue('陈述不影响违法事实认定')
    expect(w.find('[data-testid=record-statement]').attributes('disabled')).toBeUndefined()
    await w.find('[data-testid=record-statement]').trigger('click')
    await flushPromises()
    expect(steps()).toEqual(['case_inform', 'case_statement'])
    expect(w.find('[data-testid=statement-recorded]').text()).toContain('刚到此处')
  })
})
