import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import CaseDetail from '../src/views/CaseDetail.vue'
import { setBackend, type Backend } from '../src/backend'
import type { CaseDetail as Detail, ServerNote } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

function detail(notes: ServerNote[]): Detail {
  return {
    case: {
      id: 'c1', status: 'served', status_label: '已送达', version: 9, township: '500112108', matter_code: 'CG-001',
      matter_name: '占道经营', officers: ['张伟（渝执500112108001）', '李晓燕（渝执500112108002）'], officer_signs: [], document_shown_at: null,
      violation_time: '2026-03-10 10:00', party_name: '周小川', party_id_masked: '500112********0031', party_id_kind: null, party_kind: 'individual',
      facts: '占道摆摊', place: '示例路12号', evidence_count: 1, evidence_summary: null, rights: null, statement: null,
      penalty_text: '罚款人民币150元', amount_fen: 15000, suggested_level: null, deviation_reason: null, remedy_clause: null,
      document_number: '渝北龙兴当罚〔2026〕0001号', payment_due: '2026-03-25', served_at: '2026-03-10 10:20',
      has_payment: true, created_at: '2026-03-10T02:00:00Z', number_provisional: false, final_document_number: null,
      act_end: null, filing_due: null, filing_overdue: false, payment_due_estimated: false, filing_due_estimated: false,
      calendar_note: null, void_reason: null, no_penalty: null, violated_provisions: [], penalty_provisions: [],
    },
    timeline: [], evidence: [], payment: null, server_notes: notes,
  }
}

async function mountWith(d: Detail) {
  const call = vi.fn(async () => d) as unknown as Backend['call']
  setBackend({ kind: 'mock', call })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  const w = mount(CaseDetail, { props: { id: 'c1' }, global: { plugins: [i18n, router] } })
  await flushPromises()
  return { w, call }
}

describe('CaseDetail', () => {
  it('shows what the centre said about the case: payment, legal review, reassignment', async () => {
    const { w, call } = await mountWith(detail([
      { kind: 'payment', title: '缴款已确认', detail: '人民币150元，流水号 PAY-0001' },
      { kind: 'review_returned', title: '法制审核：退回补正', detail: '请补充占道面积照片（区法制审核科）' },
      { kind: 'reassigned', title: '已改派给 李晓燕（渝执500112108002）', detail: '原承办人调岗' },
    ]))
    expect(call).toHaveBeenCalledWith('case_detail', { case_id: 'c1' })
    const notes = w.findAll('[data-testid="server-note"]')
    expect(notes.map((n) => n.text())).toEqual([
      expect.stringContaining('缴款已确认'),
      expect.stringContaining('法制审核：退回补正'),
      expect.stringContaining('已改派给 李晓燕'),
    ])
    expect(notes[1].text()).toContain('请补充占道面积照片')
    expect(notes[1].find('.van-tag--danger').exists()).toBe(true)
    expect(notes[0].find('.van-tag--success').exists()).toBe(true)
  })

  it('shows no centre notes before the server said anything', async () => {
    const { w } = await mountWith(detail([]))
    expect(w.findAll('[data-testid="server-note"]')).toHaveLength(0)
    expect(w.text()).toContain('占道经营')
  })
})

describe('Facts screen', () => {
  it('keeps what the officer typed while the case was still loading', async () => {
    const { createPinia } = await import('pinia')
    const Facts = (await import('../src/views/wizard/Facts.vue')).default
    let release: (d: Detail) => void = () => undefined
    const pending = new Promise<Detail>((r) => { release = r })
    const stored = detail([])
    stored.case.place = null
    stored.case.facts = null
    setBackend({ kind: 'mock', call: (async () => pending) as unknown as Backend['call'] })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
    const w = mount(Facts, { props: { id: 'c1' }, global: { plugins: [createPinia(), i18n, router] } })
    await w.get('[data-testid="place"] textarea').setValue('龙兴镇示例路12号门前')
    release(stored)
    await flushPromises()
    expect((w.get('[data-testid="place"] textarea').element as HTMLTextAreaElement).value).toBe('龙兴镇示例路12号门前')
  })
})
