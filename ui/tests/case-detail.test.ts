// The case detail prints a provisional decision number as such, with the
// final number once the server assigned it (docs/PROTOCOL.md stream E).
import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import CaseDetail from '../src/views/CaseDetail.vue'
import { setBackend } from '../src/backend'
import type { CaseDetail as Detail, CaseView } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

const view = (over: Partial<CaseView>): CaseView => ({
  id: 'c1', status: 'served', status_label: '已送达', version: 9, township: '500110106', matter_code: 'CG-001',
  matter_name: '占道经营', officers: ['王德明', '陈淑芬'], officer_signs: [], document_shown_at: null, violation_time: '2026-03-02 10:00', party_name: '周小川',
  party_id_masked: '500112********0031', party_id_kind: null, party_kind: 'individual', facts: '占道', place: '示例路', evidence_count: 1,
  evidence_summary: '现场照片', rights: null, statement: null, penalty_text: '罚款人民币150元', amount_fen: 15000,
  suggested_level: null, deviation_reason: null, remedy_clause: null, document_number: '东溪综执当罚〔2026〕1号',
  number_provisional: false, final_document_number: null, payment_due: null, served_at: '2026-03-02 10:20',
  has_payment: false, created_at: '2026-03-02T02:00:00Z', act_end: null, filing_due: null, filing_overdue: false,
  payment_due_estimated: false, filing_due_estimated: false, calendar_note: null, void_reason: null, no_penalty: null, violated_provisions: [], penalty_provisions: [], ...over,
})

async function shown(c: CaseView) {
  const detail: Detail = { case: c, timeline: [], evidence: [], payment: null, server_notes: [] }
  setBackend({ kind: 'mock', async call() { return detail as never } })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: CaseDetail }] })
  const w = mount(CaseDetail, { props: { id: 'c1' }, global: { plugins: [i18n, router] } })
  await flushPromises()
  return w
}

describe('case detail numbers', () => {
  it('prints a leased number plainly', async () => {
    const w = await shown(view({}))
    expect(w.find('[data-testid="case-number"]').text()).toBe('东溪综执当罚〔2026〕1号')
    expect(w.find('[data-testid="case-final-number"]').exists()).toBe(false)
  })

  it('prints a provisional number as such, then the final number the server assigned', async () => {
    const p = 'T500110106-D1A2B3C4-7'
    const pending = await shown(view({ document_number: p, number_provisional: true }))
    expect(pending.find('[data-testid="case-number"]').text()).toBe(`临时编号 ${p}（正式文号以系统分配为准）`)
    expect(pending.find('[data-testid="case-final-number"]').text()).toContain('待同步后由系统分配')
    const done = await shown(view({ document_number: p, number_provisional: true, final_document_number: '东溪综执当罚〔2026〕5号' }))
    expect(done.find('[data-testid="case-final-number"]').text()).toBe('正式文号：东溪综执当罚〔2026〕5号')
  })
})

describe('case detail 备案 and calendar honesty', () => {
  it('shows the 备案 due day, marks it late, and marks a deadline on an estimated calendar year', async () => {
    const w = await shown(view({ filing_due: '2027-01-05', filing_overdue: true, filing_due_estimated: true, calendar_note: '（按预估日历）' }))
    const cell = w.find('[data-testid="filing-due"]')
    expect(cell.text()).toContain('2027-01-05（按预估日历）')
    expect(cell.text()).toContain('行政处罚法第五十二条第三款')
    const ok = await shown(view({ filing_due: '2026-03-05', filing_overdue: false }))
    expect(ok.find('[data-testid="filing-due"]').text()).not.toContain('超过')
    expect(ok.find('[data-testid="filing-due"]').text()).not.toContain('按预估日历')
    const none = await shown(view({}))
    expect(none.find('[data-testid="filing-due"]').exists()).toBe(false)
  })
})

describe('case detail 不予处罚', () => {
  it('shows the ground with its article and the guardian order instead of a penalty', async () => {
    const w = await shown(view({
      status: 'no_penalty', status_label: '不予处罚', penalty_text: null, amount_fen: null, document_number: null,
      no_penalty: {
        ground: '不满十四周岁（行政处罚法第三十条）', education: '已批评教育', guardian_order: '责令监护人加以管教', at: '2026-03-02 10:20',
        decision_article: '《中华人民共和国行政处罚法》第三十条', decision_number: null, decision_served: false,
      },
    }))
    expect(w.find('[data-testid="no-penalty-ground"]').text()).toContain('行政处罚法第三十条')
    expect(w.find('[data-testid="no-penalty-guardian"]').text()).toContain('责令监护人加以管教')
    // The written decision, with the article it rests on, waiting for the party.
    const decision = w.find('[data-testid="no-penalty-decision"]')
    expect(decision.text()).toContain('《中华人民共和国行政处罚法》第三十条')
    expect(decision.text()).toContain('待签收')
    expect(w.text()).not.toContain('罚款人民币')
    const paid = await shown(view({}))
    expect(paid.find('[data-testid="no-penalty-ground"]').exists()).toBe(false)
  })
})

describe('case detail party document', () => {
  it('shows the document the party showed beside the masked number', async () => {
    const w = await shown(view({ party_id_kind: '护照（国籍：美国）', party_id_masked: '*****5678' }))
    expect(w.find('[data-testid="party-shown"]').text()).toContain('护照（国籍：美国） *****5678')
    const none = await shown(view({ party_id_kind: '无证件（身份由当事人陈述，当事人照片存证）', party_id_masked: '' }))
    expect(none.find('[data-testid="party-shown"]').text()).toContain('无证件（身份由当事人陈述，当事人照片存证）')
    const old = await shown(view({}))
    expect(old.find('[data-testid="party-shown"]').text()).toContain('500112********0031')
  })
})
