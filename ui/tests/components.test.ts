import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import zhCN from '../src/i18n/zh-CN'
import EvidenceTile from '../src/components/EvidenceTile.vue'
import CaseRow from '../src/components/CaseRow.vue'
import type { CaseSummary, EvidenceView } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

const ev = (verification: string, problem: string | null = null): EvidenceView => ({
  id: 'e1', seq: 1, case_id: 'c1', kind: 'photo', media_type: 'image/jpeg', sha256: 'ab'.repeat(32), size: 10,
  device_time: '2026-03-02T02:00:00Z', located: true, verification, problem, thumb_base64: null,
})

describe('EvidenceTile', () => {
  it('shows the verification state in Chinese', () => {
    expect(mount(EvidenceTile, { props: { e: ev('verified') }, global: { plugins: [i18n] } }).text()).toContain('完整')
    expect(mount(EvidenceTile, { props: { e: ev('unchecked') }, global: { plugins: [i18n] } }).text()).toContain('未核验')
    const bad = mount(EvidenceTile, { props: { e: ev('FILE_ALTERED', '原件被改动: #1') }, global: { plugins: [i18n] } })
    expect(bad.text()).toContain('异常')
    expect(bad.text()).toContain('原件被改动')
  })
})

describe('CaseRow', () => {
  it('shows the masked party, the number and the fine', () => {
    const c: CaseSummary = {
      id: 'c1', matter_name: '占道经营', status: 'served', status_label: '已送达', party_masked: '周**',
      document_number: '龙兴综执当罚〔2026〕1号', violation_time: '2026-03-02T10:00:00', updated_at: '', amount_fen: 15000, draft_step: null, no_penalty_ground: null,
    }
    const w = mount(CaseRow, { props: { c }, global: { stubs: { RouterLink: true } } })
    expect(w.text()).toContain('周**')
    expect(w.text()).toContain('龙兴综执当罚〔2026〕1号')
    expect(w.text()).toContain('150元')
    expect(w.text()).not.toContain('周小川')
  })
})
