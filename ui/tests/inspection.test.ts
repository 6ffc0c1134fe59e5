import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import { createMemoryHistory, createRouter } from 'vue-router'
import zhCN from '../src/i18n/zh-CN'
import Checklist from '../src/views/inspection/Checklist.vue'
import { setBackend, type Backend } from '../src/backend'
import type { FindingView, InspectionView } from '../src/bindings/api'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })

function finding(code: string, dept: string, verdict: string | null = null): FindingView {
  return {
    code, department: dept, department_name: dept === 'A' ? '区城市管理局' : '区市场监督管理局', subject: `检查 ${code}`,
    method: '现场查看', basis: '《某条例》第1条', violation: '违反', matter_code: dept === 'A' ? 'CG-016' : null,
    correction_days: 7, verdict, note: '', evidence: 0, outcome: null,
  }
}

function view(findings: FindingView[]): InspectionView {
  const checked = findings.filter((f) => f.verdict).length
  return {
    summary: { id: 'i1', status: 'open', place: '龙华大道88号', party_name: '便民超市', scenarios: ['小型商超'], departments: 2,
      items: findings.length, checked, failed: findings.filter((f) => f.verdict === 'fail').length, started_at: '2026-03-02 10:00' },
    party_id_masked: '9150…', department_names: ['区城市管理局', '区市场监督管理局'], findings, orders: [], referrals: [],
    record_sha256: null, task_id: null,
  }
}

async function mountWith(call: Backend['call']) {
  setBackend({ kind: 'mock', call })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  const w = mount(Checklist, { props: { id: 'i1' }, global: { plugins: [i18n, router] } })
  await flushPromises()
  return w
}

describe('Checklist', () => {
  it('groups the merged items by department and holds the record until every item is checked', async () => {
    const v = view([finding('X1', 'A'), finding('X2', 'B'), finding('X3', 'A', 'pass')])
    const w = await mountWith(vi.fn(async () => v) as unknown as Backend['call'])
    const titles = w.findAll('.section-title').map((s) => s.text())
    expect(titles).toEqual(['区城市管理局', '区市场监督管理局'])
    const finish = w.get('[data-testid="insp-to-finish"]')
    expect(finish.attributes('disabled')).toBeDefined()
    expect(finish.text()).toContain('尚有 2 项未检查')
  })

  it('marks an item with one tap and asks what was seen before recording a failure', async () => {
    const calls: [string, unknown][] = []
    let v = view([finding('X1', 'A'), finding('X2', 'B')])
    const call = vi.fn(async (cmd: string, req: unknown) => {
      calls.push([cmd, req])
      if (cmd === 'insp_result') {
        const r = req as { item: string; verdict: string }
        v = view(v.findings.map((f) => (f.code === r.item ? { ...f, verdict: r.verdict } : f)))
      }
      return v
    }) as unknown as Backend['call']
    const w = await mountWith(call)
    await w.get('[data-testid="pass-X1"]').trigger('click')
    await flushPromises()
    expect(calls[calls.length - 1]).toEqual(['insp_result', { inspection_id: 'i1', item: 'X1', verdict: 'pass', note: '', evidence_ids: [] }])
    // The first tap on 不符合 opens the note; nothing is recorded yet.
    const before = calls.length
    await w.get('[data-testid="fail-X2"]').trigger('click')
    expect(calls.length).toBe(before)
    await w.get('[data-testid="note-X2"] textarea').setValue('未设置标志')
    await w.get('[data-testid="fail-save-X2"]').trigger('click')
    await flushPromises()
    expect(calls[calls.length - 1][1]).toMatchObject({ item: 'X2', verdict: 'fail', note: '未设置标志' })
    // A failure without a matter defaults to a referral to its department.
    expect(w.get('[data-testid="kind-referral-X2"]').classes()).toContain('van-button--primary')
  })
})
