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

// The document kind (issue 19): the backend answers per document as the
// core does (a passport number is accepted with its note; no document has
// no number), so the screen's switch is tested.
function docBackend(seen: { text: string; id_kind?: string }[], added: string[]): Backend {
  return {
    kind: 'mock',
    async call(command, req) {
      if (command === 'evidence_add') {
        added.push((req as { case_id: string }).case_id)
        return { id: 'ev-party-photo' } as never
      }
      if (command !== 'check_id') throw new Error(command)
      const r = req as { text: string; id_kind?: string }
      seen.push({ text: r.text, id_kind: r.id_kind })
      const base: IdCheck = { ok: false, incomplete: false, normalized: r.text, kind_label: null, region: null, birth_date: null, sex: null, error_code: null, message: null }
      if (r.id_kind === 'no_document') return { ...base, ok: r.text === '' } as never
      if (r.id_kind === 'foreign_passport') return { ...base, ok: true, kind_label: '护照' } as never
      return { ...base, incomplete: true, error_code: 'CITIZEN_ID_LENGTH' } as never
    },
  }
}

describe('Party screen document kinds', () => {
  it('switches to a foreign passport: nationality and birth date asked, no ID-card photo', async () => {
    const seen: { text: string; id_kind?: string }[] = []
    setBackend(docBackend(seen, []))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
    const w = mount(Party, { props: { id: 'c1' }, global: { plugins: [createPinia(), router, i18n] } })
    await flushPromises()
    expect(w.find('[data-testid=idcard-photo]').exists()).toBe(true)
    expect(w.find('[data-testid=party-birth-date]').exists()).toBe(false)
    await w.find('[data-testid=id-kind]').setValue('foreign_passport')
    await flushPromises()
    expect(w.find('[data-testid=idcard-photo]').exists()).toBe(false)
    expect(w.find('[data-testid=party-nationality]').exists()).toBe(true)
    await w.find('[data-testid=party-name] input').setValue('JOHN SMITH')
    await w.find('[data-testid=party-address] textarea').setValue('重庆市渝北区龙兴镇示例路3号')
    await w.find('[data-testid=party-id] input').setValue('X12345678')
    await flushPromises()
    expect(seen[seen.length - 1]).toEqual({ text: 'X12345678', id_kind: 'foreign_passport' })
    const next = () => w.find('[data-testid=next]')
    expect(next().attributes('disabled')).toBeDefined() // nationality and birth date missing
    await w.find('[data-testid=party-nationality] input').setValue('美国')
    expect(next().attributes('disabled')).toBeDefined()
    await w.find('[data-testid=party-birth-date] input').setValue('1990-05-01')
    expect(next().attributes('disabled')).toBeUndefined()
  })

  it('records no document with a reason and a photo of the party, without a number', async () => {
    const seen: { text: string; id_kind?: string }[] = []
    const added: string[] = []
    setBackend(docBackend(seen, added))
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
    const w = mount(Party, { props: { id: 'c7' }, global: { plugins: [createPinia(), router, i18n] } })
    await flushPromises()
    await w.find('[data-testid=party-id] input').setValue('5001')
    await w.find('[data-testid=id-kind]').setValue('no_document')
    await flushPromises()
    expect(w.find('[data-testid=party-id]').exists()).toBe(false)
    expect(seen[seen.length - 1]).toEqual({ text: '', id_kind: 'no_document' })
    await w.find('[data-testid=party-name] input').setValue('李四')
    await w.find('[data-testid=party-address] textarea').setValue('重庆市渝北区龙兴镇示例路5号')
    await w.find('[data-testid=party-birth-date] input').setValue('1980-02-03')
    await w.find('[data-testid=party-no-doc-reason] textarea').setValue('当事人称未带证件')
    const next = () => w.find('[data-testid=next]')
    expect(next().attributes('disabled')).toBeDefined() // no photo yet
    const input = w.find('[data-testid=party-photo-input]')
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'party.jpg', { type: 'image/jpeg' })
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await flushPromises()
    expect(added).toEqual(['c7'])
    expect(w.find('[data-testid=party-photo-done]').exists()).toBe(true)
    expect(next().attributes('disabled')).toBeUndefined()
  })
})
