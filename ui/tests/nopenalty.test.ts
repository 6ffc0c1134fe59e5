import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import NoPenaltySheet from '../src/components/NoPenaltySheet.vue'
import { BackendError, setBackend, type Backend } from '../src/backend'
import type { NoPenaltyGround, NoPenaltyOptions, NoPenaltyReq } from '../src/bindings/api'

// The grounds come from Rust (api/src/no_penalty.rs); here the backend
// answers as it does for a child of 11 on 占道经营, and refuses a 首违不罚
// claim whose conditions are not all attested, as the command layer does.
function ground(code: string, over: Partial<NoPenaltyGround>): NoPenaltyGround {
  return {
    code, title: code, article: '行政处罚法第三十三条第一款', article_text: '', conditions: [], guardian_order: null,
    available: true, reason: null, discretionary: false, ...over,
  }
}
const options = (suggested: string | null, under14: boolean): NoPenaltyOptions => ({
  suggested,
  education_phrases: ['已对当事人进行批评教育，告知再次违法将依法予以处罚'],
  grounds: [
    ground('under_14', {
      title: '未满十四周岁', article: '行政处罚法第三十条', article_text: '不满十四周岁的未成年人有违法行为的，不予行政处罚，责令监护人加以管教。',
      guardian_order: '责令监护人加以管教', available: under14, reason: under14 ? null : '当事人违法时已满十四周岁或年龄不明',
    }),
    ground('first_violation', {
      title: '首违不罚', article_text: '初次违法且危害后果轻微并及时改正的，可以不予行政处罚。', discretionary: true,
      available: !under14,
      conditions: [
        { code: 'first_violation', label: '初次违法' },
        { code: 'minor_harm', label: '危害后果轻微' },
        { code: 'corrected_promptly', label: '及时改正' },
      ],
    }),
  ],
})

function backend(opts: NoPenaltyOptions, sent: NoPenaltyReq[]): Backend {
  return {
    kind: 'mock',
    async call(command, req) {
      if (command === 'case_no_penalty_options') return opts as never
      if (command === 'case_no_penalty') {
        const r = req as NoPenaltyReq
        sent.push(r)
        if (r.ground === 'first_violation' && !r.attested.includes('minor_harm')) {
          throw new BackendError({ code: 'NO_PENALTY_CONDITION_MISSING', message: '首违不罚须同时具备：危害后果轻微（行政处罚法第三十三条第一款）' })
        }
        return { id: 'c1', status: 'no_penalty' } as never
      }
      throw new Error(command)
    },
  }
}

async function mountSheet(opts: NoPenaltyOptions, sent: NoPenaltyReq[]) {
  setBackend(backend(opts, sent))
  const w = mount(NoPenaltySheet, { props: { caseId: 'c1', circumstances: [], show: true } })
  await flushPromises()
  return w
}

describe('不予处罚 sheet', () => {
  it('prefills Art. 30 for a child, requires the guardian order and the education record', async () => {
    const sent: NoPenaltyReq[] = []
    const w = await mountSheet(options('under_14', true), sent)
    expect(w.text()).toContain('行政处罚法第三十条：不满十四周岁的未成年人有违法行为的')
    const guardian = w.find('[data-testid=np-guardian] textarea')
    expect((guardian.element as HTMLTextAreaElement).value).toBe('责令监护人加以管教')
    const confirm = w.find('[data-testid=np-confirm]')
    // No education record yet (Art. 33 ¶3).
    expect(confirm.attributes('disabled')).toBeDefined()
    await w.find('[data-testid=np-phrase-0]').trigger('click')
    expect((w.find('[data-testid=np-education] textarea').element as HTMLTextAreaElement).value).toContain('批评教育')
    await guardian.setValue('  ')
    expect(w.find('[data-testid=np-confirm]').attributes('disabled')).toBeDefined()
    await guardian.setValue('责令监护人加以管教，带回家中')
    await w.find('[data-testid=np-confirm]').trigger('click')
    await flushPromises()
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ ground: 'under_14', attested: [], guardian_order: '责令监护人加以管教，带回家中' })
    expect(w.emitted('decided')).toHaveLength(1)
    // The first-violation ground is not offered for a child.
    await w.find('[data-testid=np-ground-first_violation]').trigger('click')
    expect(w.find('[data-testid=np-conditions]').exists()).toBe(false)
  })

  it('asks for every 首违不罚 condition and shows a refusal in Chinese', async () => {
    const sent: NoPenaltyReq[] = []
    const w = await mountSheet(options(null, false), sent)
    expect(w.find('[data-testid=np-guardian]').exists()).toBe(false)
    await w.find('[data-testid=np-ground-first_violation]').trigger('click')
    expect(w.find('[data-testid=np-guardian]').exists()).toBe(false)
    expect(w.findAll('[data-testid=np-conditions] .van-cell')).toHaveLength(3)
    await w.find('[data-testid=np-education] textarea').setValue('已宣讲法规')
    await w.find('[data-testid=np-cond-first_violation]').trigger('click')
    await w.find('[data-testid=np-cond-corrected_promptly]').trigger('click')
    // Not every condition attested: the sheet does not let it through.
    expect(w.find('[data-testid=np-confirm]').attributes('disabled')).toBeDefined()
    await w.find('[data-testid=np-cond-minor_harm]').trigger('click')
    expect(w.find('[data-testid=np-confirm]').attributes('disabled')).toBeUndefined()
    await w.find('[data-testid=np-confirm]').trigger('click')
    await flushPromises()
    expect(sent[0].attested.sort()).toEqual(['corrected_promptly', 'first_violation', 'minor_harm'])
    expect(sent[0].guardian_order).toBeNull()
    // Unticked again, the server's refusal would show in Chinese; the sheet blocks first.
    await w.find('[data-testid=np-cond-minor_harm]').trigger('click')
    expect(w.find('[data-testid=np-confirm]').attributes('disabled')).toBeDefined()
  })

  it('shows the command layer refusal with its article, never the code', async () => {
    const sent: NoPenaltyReq[] = []
    const opts = options(null, false)
    // A ground whose conditions the screen does not know yet (a stale sheet).
    opts.grounds[1].conditions = []
    const w = await mountSheet(opts, sent)
    await w.find('[data-testid=np-ground-first_violation]').trigger('click')
    await w.find('[data-testid=np-education] textarea').setValue('已宣讲法规')
    await w.find('[data-testid=np-confirm]').trigger('click')
    await flushPromises()
    const err = w.find('[data-testid=np-error]')
    expect(err.text()).toContain('第三十三条第一款')
    expect(err.text()).not.toContain('NO_PENALTY')
    // The stable code rides beside the words, for tests and support.
    expect(err.attributes('data-code')).toBe('NO_PENALTY_CONDITION_MISSING')
    expect(w.emitted('decided')).toBeUndefined()
    // A ground not offered (a child's, for an adult) changes nothing;
    // choosing the ground again starts over without the old refusal.
    await w.find('[data-testid=np-ground-under_14]').trigger('click')
    expect(w.find('[data-testid=np-error]').attributes('data-code')).toBe('NO_PENALTY_CONDITION_MISSING')
    await w.find('[data-testid=np-ground-first_violation]').trigger('click')
    expect(w.find('[data-testid=np-error]').exists()).toBe(false)
  })
})
