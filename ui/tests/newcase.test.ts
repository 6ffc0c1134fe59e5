import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import NewCase from '../src/views/wizard/NewCase.vue'
import { setBackend } from '../src/backend'

// Issue 19: showing the 执法证 is recorded (行政处罚法 Art. 52, 55): the
// case does not start before the officer says the credentials were shown,
// and then the showing is recorded on the new case.
describe('New case screen', () => {
  it('starts only once the credentials are shown, and records the showing', async () => {
    const asked: { command: string; req: unknown }[] = []
    const me = { id: 'OFF-LX-01', name: '张伟', township_code: '500112108', credential_no: '渝执001' }
    const partner = { id: 'OFF-LX-02', name: '李晓燕', township_code: '500112108', credential_no: '渝执002' }
    setBackend({
      kind: 'mock',
      async call(command, req) {
        asked.push({ command, req })
        if (command === 'app_state') return { officers: [me, partner], signed_in: me } as never
        if (command === 'case_new') return { id: 'c9', status: 'draft' } as never
        if (command === 'case_show_credentials') return { id: 'c9', status: 'draft' } as never
        if (command === 'draft_get' || command === 'draft_save') return null as never
        throw new Error(command)
      },
    })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    await router.push('/case/new?matter=CG-001&name=占道经营')
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
    const w = mount(NewCase, { global: { plugins: [createPinia(), router, i18n] } })
    await flushPromises()
    const next = () => w.find('[data-testid=next]')
    expect(next().attributes('disabled')).toBeDefined()
    await next().trigger('click')
    await flushPromises()
    expect(asked.some((a) => a.command === 'case_new')).toBe(false)

    await w.find('[data-testid=credentials-shown]').trigger('click')
    expect(next().attributes('disabled')).toBeUndefined()
    await next().trigger('click')
    await flushPromises()
    const steps = asked.filter((a) => a.command.startsWith('case_'))
    expect(steps.map((a) => a.command)).toEqual(['case_new', 'case_show_credentials'])
    expect(steps[1].req).toEqual({ case_id: 'c9' })
  })
})
