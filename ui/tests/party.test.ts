import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Party from '../src/views/wizard/Party.vue'
import { setBackend, type Backend } from '../src/backend'
import type { IdCheck } from '../src/bindings/api'

// The real check runs in Rust; here the backend answers like it does for
// a partial, a wrong and a valid number, so the screen's reactions are tested.
function backend(seen: string[]): Backend {
  return {
    kind: 'mock',
    async call(command, req) {
      if (command !== 'check_id') throw new Error(command)
      const text = (req as { text: string }).text
      seen.push(text)
      const base: IdCheck = { ok: false, incomplete: false, normalized: text, kind_label: null, region: null, birth_date: null, sex: null, error_code: null, message: null }
      if (text.length < 18) return { ...base, incomplete: true, error_code: 'CITIZEN_ID_LENGTH', message: '长度不对' } as never
      if (text.endsWith('0')) return { ...base, error_code: 'CITIZEN_ID_CHECK', message: '校验码错误，应为 X' } as never
      return { ...base, ok: true, kind_label: '居民身份证号码', region: '重庆市渝北区', birth_date: '1985-06-12', sex: '男' } as never
    },
  }
}

async function mountParty(seen: string[]) {
  setBackend(backend(seen))
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  const w = mount(Party, { props: { id: 'c1' }, global: { plugins: [createPinia(), router, i18n] } })
  await flushPromises()
  return w
}

describe('Party screen', () => {
  it('checks the ID number as it is typed and enables next only when valid', async () => {
    const seen: string[] = []
    const w = await mountParty(seen)
    const next = () => w.find('[data-testid=next]')
    await w.find('[data-testid=party-name] input').setValue('周小川')
    await w.find('[data-testid=party-address] textarea').setValue('重庆市渝北区龙兴镇示例路1号')
    const id = w.find('[data-testid=party-id] input')
    await id.setValue('5001121985')
    await flushPromises()
    expect(w.text()).not.toContain('长度不对') // still typing: no error yet
    expect(next().attributes('disabled')).toBeDefined()
    await id.setValue('500112198506120030')
    await flushPromises()
    expect(w.text()).toContain('校验码错误')
    await id.setValue('50011219850612003X')
    await flushPromises()
    expect(w.find('[data-testid=id-ok]').exists()).toBe(true)
    expect(w.find('[data-testid=id-info]').text()).toContain('1985-06-12')
    expect(next().attributes('disabled')).toBeUndefined()
    expect(seen).toEqual(['5001121985', '500112198506120030', '50011219850612003X'])
  })
})
