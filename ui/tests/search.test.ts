import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import zhCN from '../src/i18n/zh-CN'
import MatterSearch from '../src/components/MatterSearch.vue'
import { setBackend } from '../src/backend'
import type { SearchResp } from '../src/bindings/api'

// Issue 19 item 7: matters the township has not adopted are shown apart,
// with the reason, never looking the same as missing ones.
async function searchWith(resp: SearchResp, text: string) {
  setBackend({ kind: 'mock', async call(command) { if (command !== 'catalogue_search') throw new Error(command); return resp as never } })
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
  vi.useFakeTimers()
  const w = mount(MatterSearch, { props: { initial: text }, global: { plugins: [i18n] } })
  vi.runAllTimers()
  vi.useRealTimers()
  await flushPromises()
  return w
}

const outsideHit = { code: 'WL-001', name: '网吧接纳未成年人', kind_label: '赋权自选', domain: '文化旅游', reason: '本镇（街道）未承接此赋权自选事项' }

describe('Matter search', () => {
  it('shows a matter outside the township apart, with its reason, and says the township has none', async () => {
    const w = await searchWith({ release_id: 'R', township: '500112108', hits: [], outside: [outsideHit] }, '网吧')
    const row = w.find('[data-testid=outside-WL-001]')
    expect(row.exists()).toBe(true)
    expect(row.text()).toContain('网吧接纳未成年人')
    expect(row.text()).toContain('未承接')
    expect(w.find('[data-testid=outside]').text()).toContain('不在本镇（街道）办理范围内')
    expect(w.text()).toContain('本镇（街道）可办理的事项中未找到')
    // Not offered as a pick: only in-scope hits start a case.
    expect(w.find('[data-testid=hit-WL-001]').exists()).toBe(false)
  })

  it('says plainly when nothing matches anywhere', async () => {
    const w = await searchWith({ release_id: 'R', township: '500112108', hits: [], outside: [] }, '量子')
    expect(w.find('[data-testid=outside]').exists()).toBe(false)
    expect(w.text()).toContain('未找到匹配的事项')
  })
})
