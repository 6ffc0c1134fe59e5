import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Badge from '../src/views/inspection/Badge.vue'
import { BackendError, setBackend, type Backend } from '../src/backend'
import type { BadgeView } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

function badge(n: number): BadgeView {
  const items = Array.from({ length: n }, (_, i) => `检查事项${i + 1}`)
  return {
    url: 'HTTPS://ZHIFA.EXAMPLE.INVALID/V/AAAABBBB', token: 'AAAABBBB', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    officer_name: '张建国', credential_no: '渝执500112108001', township_name: '重庆市渝北区龙兴镇人民政府', place: '龙华大道88号',
    items, items_total: n, issued_at: '2026-03-02 10:00', expires_at: '2026-03-02 14:00', expires_at_utc: '2026-03-02T06:00:00Z',
    certificate_valid_until: '2026-04-01 10:00',
  }
}

async function mountWith(call: Backend['call']) {
  setBackend({ kind: 'mock', call })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  const w = mount(Badge, { props: { id: 'i1' }, global: { plugins: [i18n, router] } })
  await flushPromises()
  return { w, router }
}

describe('Badge (亮码)', () => {
  it('asks for the inspection\'s 亮码 and shows the QR with who, what and until when', async () => {
    const b = badge(3)
    const call = vi.fn(async () => b) as unknown as Backend['call']
    const { w } = await mountWith(call)
    expect(call).toHaveBeenCalledWith('insp_badge', { inspection_id: 'i1' })
    const link = w.get('[data-testid="badge-link"]')
    expect(link.attributes('href')).toBe(b.url)
    expect(link.attributes('data-token')).toBe(b.token)
    expect(w.get('[data-testid="badge-qr"]').attributes('src')).toContain(encodeURIComponent(b.svg))
    expect(w.get('[data-testid="badge-officer"]').text()).toBe(b.officer_name)
    expect(w.get('[data-testid="badge-credential"]').text()).toBe(b.credential_no)
    expect(w.findAll('[data-testid="badge-items"] li').map((li) => li.text())).toEqual(b.items)
    expect(w.get('[data-testid="badge-expires"]').text()).toContain(b.expires_at)
    expect(w.text()).toContain(`共 ${b.items_total} 项`)
  })

  it('makes a fresh one on 重新生成', async () => {
    let n = 0
    const call = vi.fn(async () => badge(++n)) as unknown as Backend['call']
    const { w } = await mountWith(call)
    await w.get('[data-testid="badge-renew"]').trigger('click')
    await flushPromises()
    expect(call).toHaveBeenCalledTimes(2)
    expect(w.findAll('[data-testid="badge-items"] li')).toHaveLength(2)
  })

  it('explains a device that is not enrolled and offers the sync screen', async () => {
    const call = vi.fn(async () => {
      throw new BackendError({ code: 'API_BADGE_NOT_ENROLLED', message: '未登记到服务器，无法生成亮码' })
    }) as unknown as Backend['call']
    const { w, router } = await mountWith(call)
    const err = w.get('[data-testid="error"]')
    expect(err.attributes('data-code')).toBe('API_BADGE_NOT_ENROLLED')
    expect(err.text()).toBe(zhCN.errors.API_BADGE_NOT_ENROLLED)
    expect(w.find('[data-testid="badge-qr"]').exists()).toBe(false)
    await w.get('.van-button').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/sync')
  })
})
