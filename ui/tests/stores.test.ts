import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { setBackend, type Backend } from '../src/backend'
import { useSession } from '../src/stores/session'
import { STEPS, stepForStatus, useWizard } from '../src/stores/wizard'
import type { AppState, OfficerBrief } from '../src/bindings/api'

const officer = (id: string, township = '500112108', enrolled = true): OfficerBrief => ({
  id, name: id, credential_no: `渝执${id}`, township_code: township, enrolled, locked_until: null,
})

function fakeBackend(calls: string[]): Backend {
  let signedIn: OfficerBrief | null = null
  const officers = [officer('A'), officer('B'), officer('C', '500110106')]
  return {
    kind: 'mock',
    async call(command, req) {
      calls.push(command)
      const state = (): AppState => ({ officers, signed_in: signedIn, catalogue: null, device_id: null, shell: 'mock' })
      switch (command) {
        case 'app_state':
          return state() as never
        case 'sign_in': {
          const r = req as { officer_id: string; pin: string }
          if (r.pin !== '246813') throw Object.assign(new Error('PIN 错误'), { code: 'SIGNIN_WRONG_PIN' })
          signedIn = officers.find((o) => o.id === r.officer_id) ?? null
          return signedIn as never
        }
        case 'sign_out':
          signedIn = null
          return {} as never
        default:
          throw new Error(`unexpected ${command}`)
      }
    },
  }
}

describe('session store', () => {
  let calls: string[]
  beforeEach(() => {
    setActivePinia(createPinia())
    calls = []
    setBackend(fakeBackend(calls))
  })
  it('signs in, offers partners of the same township only, and signs out', async () => {
    const s = useSession()
    await s.load()
    expect(s.signedIn).toBe(false)
    await s.signIn('A', '246813')
    expect(s.signedIn).toBe(true)
    expect(s.partners.map((o) => o.id)).toEqual(['B'])
    await s.signOut()
    expect(s.officer).toBeNull()
    expect(calls).toEqual(['app_state', 'sign_in', 'app_state', 'sign_out', 'app_state'])
  })
  it('keeps the officer signed out on a wrong PIN', async () => {
    const s = useSession()
    await expect(s.signIn('A', '000001')).rejects.toMatchObject({ code: 'SIGNIN_WRONG_PIN' })
    expect(s.signedIn).toBe(false)
  })
})

describe('wizard store', () => {
  beforeEach(() => setActivePinia(createPinia()))
  it('has at most eight screens from new case to the payment QR', () => {
    expect(STEPS.length).toBeLessThanOrEqual(8)
    expect(STEPS[0]).toBe('new')
    expect(STEPS[STEPS.length - 1]).toBe('done')
  })
  it('resumes a case on the screen its status needs next', () => {
    expect(stepForStatus('draft')).toBe('party')
    expect(stepForStatus('evidence')).toBe('discretion')
    expect(stepForStatus('decided')).toBe('preview')
    expect(stepForStatus('issued')).toBe('sign')
    expect(stepForStatus('served')).toBe('done')
  })
  it('starts each case with an empty draft', () => {
    const w = useWizard()
    w.start('c1')
    w.party.name = '周小川'
    w.chooseLevel('L2', ['area_5_to_10sqm'])
    w.start('c2')
    expect(w.caseId).toBe('c2')
    expect(w.party.name).toBe('')
    expect(w.circumstances).toEqual([])
  })
})
